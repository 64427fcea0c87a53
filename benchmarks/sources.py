"""National-size source files in the published formats, at any fraction of national size, seeded.

At 100%: 390,000 register rows (with area-of-operation and other-names tables), 1,000,000 grants
(70% in a 360Giving JSON package, 30% in a flat 360Giving CSV), 400,000 Companies House rows,
33,000 LSOAs in 8,000 wards in 330 authorities (ONS lookup), 50 postcodes a LSOA (NSPL layout) and
the IMD for every LSOA. Realistic where it matters for the pipeline's work: incomes heavy-tailed
(log-normal), most grants small, most organisations working in one authority, five national funders
making half the grants, one grant recipient in four known only by a 360G id and a name written
another way (so resolution has work), some charities also companies (declared by number).

    from benchmarks.sources import write_sources
    files = write_sources(Path("/tmp/national-1pc"), 0.01)
"""

from __future__ import annotations

import csv
import json
import random
from dataclasses import dataclass
from pathlib import Path

from civicgraph.loaders.ccew import TABLES

#: Counts at 100% of national size.
NATIONAL = {"charities": 390_000, "grants": 1_000_000, "companies": 400_000, "lsoas": 33_000, "wards": 8_000,
            "authorities": 330}
POSTCODES_PER_LSOA = 50
KINDS = ("Association", "Society", "Group", "Club", "Centre", "Trust", "Foundation", "Project", "Network",
         "Community Group", "Youth Club", "Residents Association", "Food Bank", "Lunch Club", "Forum")
THEMES = ("Asian", "Women's", "Youth", "Elderly", "Somali", "Polish", "Carers", "Disability", "Arts", "Football",
          "Tamil", "Sikh", "Refugee", "Mental Health", "Heritage", "Allotment", "Gardening", "Cycling", "Music")
CATEGORIES = ("Private Limited Company", "PRI/LBG/NSC (Private, Limited by guarantee, no share capital, use of "
              "'Limited' exemption)", "Community Interest Company", "Registered Society",
              "Charitable Incorporated Organisation")


@dataclass(frozen=True)
class SourceFiles:
    """Paths of the written sources (inputs of a national build)."""

    lookup: Path
    postcodes: Path
    imd: Path
    register: Path
    grants_json: Path
    grants_csv: Path
    companies: Path

    def files(self) -> dict[str, Path]:
        """Each source by name, for the benchmark's table."""
        return {"ons-lookup": self.lookup, "ons-postcodes": self.postcodes, "imd": self.imd, "ccew": self.register,
                "360giving-json": self.grants_json, "360giving-csv": self.grants_csv,
                "companies-house": self.companies}


def _size(key: str, fraction: float, least: int = 2) -> int:
    return max(int(NATIONAL[key] * fraction), least)


def _word(rng: random.Random) -> str:
    return "".join(rng.choice("abcdefghijklmnoprstuvwy") for _ in range(rng.randint(4, 8))).capitalize()


def write_sources(folder: Path, fraction: float, *, seed: int = 11) -> SourceFiles:
    """Write every source at ``fraction`` of national size under ``folder`` (reused if already there).

    Examples
    --------
    >>> import tempfile
    >>> files = write_sources(Path(tempfile.mkdtemp()), 0.0001)
    >>> sorted(p.name for p in files.files().values())[:3]
    ['BasicCompanyData.csv', 'NSPL.csv', 'grants.csv']
    """
    folder.mkdir(parents=True, exist_ok=True)
    files = SourceFiles(folder / "lsoa_ward_lad_lookup.csv", folder / "NSPL.csv", folder / "imd.csv",
                        folder / "register", folder / "grants.json", folder / "grants.csv",
                        folder / "BasicCompanyData.csv")
    done = folder / ".complete"
    if done.exists() and done.read_text() == f"{fraction} {seed}":
        return files
    rng = random.Random(seed)
    authorities = [(f"E0{6 + a % 4}{a:06d}", f"{_word(rng)} {rng.choice(('Borough', 'District', 'City'))}")
                   for a in range(_size("authorities", fraction))]
    wards = [(f"E05{w:06d}", _word(rng), authorities[w % len(authorities)]) for w in range(_size("wards", fraction))]
    lsoas = [(f"E01{s:06d}", wards[s % len(wards)]) for s in range(_size("lsoas", fraction))]
    postcodes = _write_geography(files, lsoas, rng)
    charities = _write_register(files.register, _size("charities", fraction), wards, postcodes, rng)
    _write_companies(files.companies, _size("companies", fraction), charities, postcodes, rng)
    _write_grants(files, _size("grants", fraction), charities, lsoas, rng)
    done.write_text(f"{fraction} {seed}")
    return files


def _write_geography(files: SourceFiles, lsoas: list, rng: random.Random) -> dict[str, list[str]]:
    """ONS lookup, NSPL and IMD; returns each authority's postcodes."""
    postcodes: dict[str, list[str]] = {}
    with files.lookup.open("w", newline="", encoding="utf-8") as lookup, \
            files.postcodes.open("w", newline="", encoding="utf-8") as nspl, \
            files.imd.open("w", newline="", encoding="utf-8") as imd:
        lookup_out, nspl_out, imd_out = csv.writer(lookup), csv.writer(nspl), csv.writer(imd)
        lookup_out.writerow(["LSOA11CD", "LSOA11NM", "WD17CD", "WD17NM", "WD17NMW", "LAD17CD", "LAD17NM", "FID"])
        nspl_out.writerow(["pcd", "pcds", "dointr", "doterm", "usertype", "laua", "ward", "ctry", "rgn", "lsoa11",
                           "msoa11", "imd"])
        imd_out.writerow(["lsoa11cd", "lsoa11nm", "imd2019_score", "UK_IMD_E_rank", "imd2019_decile"])
        ranked = sorted(range(len(lsoas)), key=lambda _: rng.random())
        for number, (lsoa, (ward, ward_name, (la, la_name))) in enumerate(lsoas):
            lookup_out.writerow([lsoa, f"{la_name} {number:04d}A", ward, ward_name, "", la, la_name, number + 1])
            rank = ranked[number] + 1
            imd_out.writerow([lsoa, f"{la_name} {number:04d}A", round(rng.lognormvariate(2.9, 0.55), 3), rank,
                              min(10, 1 + 10 * (rank - 1) // len(lsoas))])
            area = la[-3:]
            for p in range(POSTCODES_PER_LSOA):
                postcode = f"Z{int(area) % 90 + 1}{number % 10} {p % 10}{'ABDEFGHJLN'[number // 10 % 10]}{'PQRSTUWXYZ'[p // 10 % 10]}"
                terminated = "202001" if rng.random() < 0.08 else ""
                nspl_out.writerow([postcode.replace(" ", ""), postcode, "198001", terminated, 0, la, ward,
                                   "E92000001", "E12000007", lsoa, "", rank])
                if not terminated:
                    postcodes.setdefault(la, []).append(postcode)
    return postcodes


def _org_name(rng: random.Random, place: str) -> str:
    words = [place, *rng.sample(THEMES, rng.choice((1, 1, 2))), rng.choice(KINDS)]
    if rng.random() < 0.5:
        words.insert(1, _word(rng))
    return " ".join(words)


def _write_register(folder: Path, rows: int, wards: list, postcodes: dict[str, list[str]],
                    rng: random.Random) -> list[dict]:
    """Charity, area-of-operation and other-names tables (TSV, the extract's text form)."""
    folder.mkdir(parents=True, exist_ok=True)
    tables = {name: (folder / f"publicextract.{name}.txt").open("w", encoding="utf-8")
              for name in ("charity", "charity_area_of_operation", "charity_other_names")}
    for name, handle in tables.items():
        handle.write("\t".join(["date_of_extract", *TABLES[name]]) + "\n")
    charities = []
    for number in range(rows):
        ward, ward_name, (la, la_name) = rng.choice(wards)
        organisation, regno = 5_000_000 + number, 1_000_000 + number
        income = round(rng.lognormvariate(10.5, 2.0), 2)
        company = f"{20_000_000 + number:08d}" if rng.random() < 0.15 else ""
        name = _org_name(rng, ward_name)
        values = {
            "date_of_extract": "2024-09-10T00:00:00", "organisation_number": organisation,
            "registered_charity_number": regno, "linked_charity_number": 0, "charity_name": name.upper(),
            "charity_type": "Charitable company" if company else "Trust", "charity_registration_status": "Registered",
            "date_of_registration": f"{rng.randint(1960, 2023)}-01-01T00:00:00", "date_of_removal": "",
            "latest_income": income, "latest_expenditure": round(income * rng.uniform(0.7, 1.1), 2),
            "charity_contact_postcode": rng.choice(postcodes.get(la) or ["Z1 1AA"]), "charity_contact_web": "",
            "charity_company_registration_number": company, "charity_is_cio": str(rng.random() < 0.1),
        }
        tables["charity"].write("\t".join(str(values.get(c, "")) for c in ["date_of_extract", *TABLES["charity"]]) + "\n")
        areas = {la_name} if rng.random() < 0.85 else {la_name, rng.choice(wards)[2][1]}
        for area in areas:
            tables["charity_area_of_operation"].write("\t".join(
                ["2024-09-10T00:00:00", str(organisation), str(regno), "0", "Local Authority", area]) + "\n")
        if rng.random() < 0.1:
            other = {"organisation_number": organisation, "registered_charity_number": regno,
                     "linked_charity_number": 0, "charity_name_id": number, "charity_name_type": "Working name",
                     "charity_name": " ".join(name.split()[:-1]).upper()}
            tables["charity_other_names"].write("\t".join(
                ["2024-09-10T00:00:00", *(str(other.get(c, "")) for c in TABLES["charity_other_names"])]) + "\n")
        charities.append({"number": regno, "name": name, "postcode": values["charity_contact_postcode"],
                          "company": company, "la": la})
    for handle in tables.values():
        handle.close()
    return charities


def _write_companies(path: Path, rows: int, charities: list[dict], postcodes: dict[str, list[str]],
                     rng: random.Random) -> None:
    """Companies House basic company data: charitable companies of the register, then others."""
    columns = ["CompanyName", "CompanyNumber", "RegAddress.AddressLine1", "RegAddress.PostTown", "RegAddress.PostCode",
               "CompanyCategory", "CompanyStatus", "CountryOfOrigin", "IncorporationDate", "SICCode.SicText_1"]
    all_postcodes = [p for codes in postcodes.values() for p in codes]
    with path.open("w", newline="", encoding="utf-8") as handle:
        out = csv.writer(handle)
        out.writerow(columns)
        written = 0
        for charity in charities:
            if charity["company"] and written < rows:
                out.writerow([charity["name"].upper() + " LIMITED", charity["company"], "1 High Street", "London",
                              charity["postcode"], CATEGORIES[1], "Active", "United Kingdom", "01/01/2001",
                              "88990 - Other social work activities without accommodation n.e.c."])
                written += 1
        while written < rows:
            out.writerow([f"{_word(rng).upper()} {rng.choice(('HOLDINGS', 'SERVICES', 'TRADING', 'CIC', 'LTD'))} "
                          f"{written}", f"{30_000_000 + written:08d}", "2 Low Road", "London",
                          rng.choice(all_postcodes), rng.choice(CATEGORIES), "Active", "United Kingdom",
                          f"01/0{rng.randint(1, 9)}/20{rng.randint(10, 23)}", "82990 - Other business support"])
            written += 1


def _grant(number: int, charities: list[dict], lsoas: list, funders: list, rng: random.Random) -> dict:
    charity = rng.choice(charities)
    if rng.random() < 0.25:  # known to the funder only by its own id and a name written another way
        recipient = {"id": f"360G-gen-org-{charity['number']}", "name": charity["name"].replace(" and ", " & ")}
    else:
        recipient = {"id": f"GB-CHC-{charity['number']}", "name": charity["name"], "charityNumber": str(charity["number"])}
    recipient["postalCode"] = charity["postcode"]
    funder = funders[rng.randrange(5)] if rng.random() < 0.5 else rng.choice(funders)
    return {
        "id": f"360G-gen-{number}", "title": f"Grant {number}", "description": "Generated for the scale benchmark",
        "currency": "GBP", "amountAwarded": round(min(rng.lognormvariate(8.5, 1.3), 5_000_000), 2),
        "awardDate": f"20{rng.randint(10, 23)}-0{rng.randint(1, 9)}-1{rng.randint(0, 9)}",
        "recipientOrganization": [recipient], "fundingOrganization": [{"id": funder[0], "name": funder[1]}],
        "beneficiaryLocation": [{"geoCode": rng.choice(lsoas)[0], "geoCodeType": "LSOA"}],
    }


def _write_grants(files: SourceFiles, grants: int, charities: list[dict], lsoas: list, rng: random.Random) -> None:
    """70% of the grants as a 360Giving JSON package, 30% as flat 360Giving CSV."""
    funders = [(f"GB-CHC-{200_000 + i}", f"{_word(rng)} {rng.choice(('Trust', 'Foundation', 'Fund'))}")
               for i in range(400)]
    columns = ["Identifier", "Title", "Description", "Currency", "Amount Awarded", "Award Date",
               "Recipient Org:Identifier", "Recipient Org:Name", "Recipient Org:Charity Number",
               "Recipient Org:Postal Code", "Funding Org:Identifier", "Funding Org:Name",
               "Beneficiary Location:0:Geographic Code", "Beneficiary Location:0:Geographic Code Type"]
    with files.grants_json.open("w", encoding="utf-8") as package, \
            files.grants_csv.open("w", newline="", encoding="utf-8") as flat:
        package.write('{"grants": [\n')
        out = csv.writer(flat)
        out.writerow(columns)
        first = True
        for number in range(grants):
            grant = _grant(number, charities, lsoas, funders, rng)
            if number % 10 < 7:
                package.write(("" if first else ",") + json.dumps(grant) + "\n")
                first = False
                continue
            recipient, funder, place = grant["recipientOrganization"][0], grant["fundingOrganization"][0], \
                grant["beneficiaryLocation"][0]
            out.writerow([grant["id"], grant["title"], grant["description"], "GBP", grant["amountAwarded"],
                          grant["awardDate"], recipient["id"], recipient["name"], recipient.get("charityNumber", ""),
                          recipient["postalCode"], funder["id"], funder["name"], place["geoCode"], "LSOA"])
        package.write("]}\n")
