"""Generate national-size source files in the published formats, seeded and reproducible.

Realistic where it matters for speed: incomes heavy-tailed (log-normal), most grants small, most
charities working in one authority, a few national funders funding everywhere, about 2% of
everything in the authority the benchmark filters to.
"""

from __future__ import annotations

import json
import random
from pathlib import Path

from civicgraph.loaders.ccew import TABLES

#: Sizes at 100%: register rows and grants, as in England and Wales and GrantNav.
NATIONAL = {"charities": 390_000, "grants": 1_000_000}
HOUNSLOW_LSOAS = ("E01002555", "E01002556", "E01002557", "E01002558")
AUTHORITIES = ("Hounslow", "Camden", "Leeds", "Birmingham", "Cornwall", "Kent", "Manchester", "Bristol, City of")


def charity_extract(folder: Path, rows: int, *, seed: int = 1, local_share: float = 0.02) -> Path:
    """Write ``publicextract.charity.txt`` and ``publicextract.charity_area_of_operation.txt``."""
    rng = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    columns = ["date_of_extract", *TABLES["charity"]]
    area_columns = ["date_of_extract", *TABLES["charity_area_of_operation"]]
    with (folder / "publicextract.charity.txt").open("w", encoding="utf-8") as charities, \
            (folder / "publicextract.charity_area_of_operation.txt").open("w", encoding="utf-8") as areas:
        charities.write("\t".join(columns) + "\n")
        areas.write("\t".join(area_columns) + "\n")
        for number in range(rows):
            organisation, regno = 5_000_000 + number, 1_000_000 + number
            income = round(rng.lognormvariate(10.5, 2.0), 2)
            values = {
                "date_of_extract": "2024-09-10T00:00:00", "organisation_number": organisation,
                "registered_charity_number": regno, "linked_charity_number": 0,
                "charity_name": f"GENERATED CHARITY {number}", "charity_type": "Trust",
                "charity_registration_status": "Registered", "date_of_registration": "2001-01-01T00:00:00",
                "date_of_removal": "", "latest_income": income, "latest_expenditure": round(income * 0.95, 2),
                "charity_contact_postcode": "TW3 1AA", "charity_contact_web": "",
                "charity_company_registration_number": "", "charity_is_cio": "False",
            }
            charities.write("\t".join(str(values[c]) for c in columns) + "\n")
            place = "Hounslow" if rng.random() < local_share else rng.choice(AUTHORITIES[1:])
            for description in {place, *(rng.choice(AUTHORITIES) for _ in range(rng.random() < 0.1))}:
                areas.write("\t".join(["2024-09-10T00:00:00", str(organisation), str(regno), "0", "Local Authority",
                                       description]) + "\n")
    return folder


def grants_package(path: Path, grants: int, *, seed: int = 2, local_share: float = 0.02) -> Path:
    """Write a 360Giving JSON package of ``grants`` grants, one per line, streamed."""
    rng = random.Random(seed)
    funders = [(f"GB-CHC-{200000 + i}", f"Generated Funder {i}") for i in range(400)]
    national = funders[:5]
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8") as out:
        out.write('{"grants": [\n')
        for number in range(grants):
            funder = rng.choice(national) if rng.random() < 0.5 else rng.choice(funders)
            local = rng.random() < local_share
            lsoa = rng.choice(HOUNSLOW_LSOAS) if local else f"E0100{rng.randint(1000, 9999)}"
            grant = {
                "id": f"360G-gen-{number}", "title": f"Grant {number}", "description": "Generated for the benchmark",
                "currency": "GBP", "amountAwarded": round(min(rng.lognormvariate(8.5, 1.3), 5_000_000), 2),
                "awardDate": f"20{rng.randint(10, 23)}-0{rng.randint(1, 9)}-1{rng.randint(0, 9)}",
                "recipientOrganization": [{"id": f"GB-CHC-{1_000_000 + rng.randrange(390_000)}",
                                           "name": "Generated Recipient"}],
                "fundingOrganization": [{"id": funder[0], "name": funder[1]}],
                "beneficiaryLocation": [{"geoCode": lsoa, "geoCodeType": "LSOA"}],
            }
            out.write(("," if number else "") + json.dumps(grant) + "\n")
        out.write("]}\n")
    return path


def national_graph(scale: float = 1.0, *, seed: int = 3):  # noqa: ANN201 - returns a networkx MultiDiGraph
    """A built graph of national shape, made directly (no files): about 200,000 organisations and
    1,000,000 grants at ``scale=1``, with councils, directorates, wards, LSOAs, funders, trustees.

    Returns
    -------
    networkx.MultiDiGraph
        With the node kinds, relations and attributes the loaders produce (provenance kept short).
    """
    import networkx as nx

    rng = random.Random(seed)
    prov = [{"dataset": "generated:national", "record": "1", "date": "2024-01-01", "licence": "CC0-1.0"}]
    graph = nx.MultiDiGraph(authority_gss="E09000018", authority_name="Generated")
    authorities = max(int(330 * min(scale * 4, 1)), 2)
    wards_per, lsoas_per_ward = 24, 4
    wards, directorates = [], []
    for a in range(authorities):
        area = f"E0{6 + a % 4}{a:06d}@2021"
        graph.add_node(area, kind="LocalAuthorityArea", gss_code=area[:9], code_generation=2021, name=f"Area {a}",
                       provenance=prov)
        council = f"GB-LAE-{a:03d}"
        graph.add_node(council, kind="Council", name=f"Council {a}", provenance=prov)
        for d in range(8):
            unit = f"{council}-dir-{d}"
            graph.add_node(unit, kind="Directorate", name=f"Directorate {d} of {a}", provenance=prov)
            graph.add_edge(unit, council, relation="PART_OF", provenance=prov)
            directorates.append(unit)
        for w in range(wards_per):
            ward = f"E05{a:03d}{w:03d}@2022"
            graph.add_node(ward, kind="Ward", gss_code=ward[:9], code_generation=2022, name=f"Ward {a}-{w}", provenance=prov)
            graph.add_edge(ward, area, relation="PART_OF", provenance=prov)
            wards.append(ward)
            for s in range(lsoas_per_ward):
                lsoa = f"E01{a:03d}{w:02d}{s}@2021"
                graph.add_node(lsoa, kind="LSOA", gss_code=lsoa[:9], code_generation=2021,
                               imd_score=round(rng.uniform(2, 60), 2), provenance=prov)
                graph.add_edge(lsoa, ward, relation="PART_OF", provenance=prov)
    organisations = int(200_000 * scale)
    orgs = []
    for number in range(organisations):
        roll = rng.random()
        kind = "Charity" if roll < 0.6 else "Organisation" if roll < 0.8 else "CommunityInterestCompany" \
            if roll < 0.9 else "UnregisteredGroup"
        node = f"GB-CHC-{1_000_000 + number}" if kind == "Charity" else f"LOCAL-GEN-{number}"
        income = round(rng.lognormvariate(10.5, 2.0), 2) if kind == "Charity" else None
        graph.add_node(node, kind=kind, name=f"Organisation {number}", latest_income=income,
                       income_band=None if income is None else
                       ("micro" if income < 1e4 else "small" if income < 1e5 else "medium" if income < 1e6 else "large"),
                       provenance=prov)
        graph.add_edge(node, rng.choice(wards), relation="LOCATED_IN", provenance=prov)
        orgs.append(node)
    funders = [f"GB-CHC-{200_000 + i}" for i in range(400)]
    for funder in funders:
        graph.add_node(funder, kind="Funder", name=f"Funder {funder}", provenance=prov)
    for number in range(int(1_000_000 * scale)):
        funder = funders[rng.randrange(5)] if rng.random() < 0.5 else rng.choice(funders)
        graph.add_edge(rng.choice(orgs), funder, relation="FUNDED_BY", amount=round(min(rng.lognormvariate(8.5, 1.3), 5e6), 2),
                       currency="GBP", award_date=f"20{rng.randint(10, 23)}-06-01", grant=f"360G-gen-{number}",
                       provenance=prov)
    for _ in range(int(50_000 * scale)):
        graph.add_edge(rng.choice(orgs), rng.choice(directorates), relation="COMMISSIONED_BY", provenance=prov)
    functions = [f"FUNCTION-{name}" for name in ("volunteering", "capacity", "representation", "funding-advice", "convening")]
    for function in functions:
        graph.add_node(function, kind="SupportFunction", name=function[9:], provenance=prov)
    for number in range(max(int(2_000 * scale), 10)):
        body = f"LOCAL-GEN-infra-{number}"
        graph.add_node(body, kind="InfrastructureBody", name=f"Infrastructure {number}", provenance=prov)
        graph.add_edge(body, rng.choice(wards), relation="LOCATED_IN", provenance=prov)
        for function in rng.sample(functions, rng.randint(1, 3)):
            graph.add_edge(body, function, relation="OFFERS_FUNCTION", provenance=prov)
        for _ in range(rng.randint(1, 20)):
            graph.add_edge(rng.choice(orgs), body, relation="MEMBER_OF", provenance=prov)
    for number in range(int(100_000 * scale)):
        person = f"P-{number:016x}"
        graph.add_node(person, kind="Person", pseudonym=person, provenance=prov)
        for organisation in rng.sample(orgs, 1 if rng.random() < 0.9 else 2):
            graph.add_edge(person, organisation, relation="TRUSTEE_OF", provenance=prov)
    themes = [f"THEME-{i}" for i in range(30)]
    for theme in themes:
        graph.add_node(theme, kind="Theme", name=f"theme {theme}", provenance=prov)
    for organisation in rng.sample(orgs, len(orgs) // 2):
        graph.add_edge(organisation, rng.choice(themes), relation="ADDRESSES", provenance=prov)
    return graph
