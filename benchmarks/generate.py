"""Generate national-size source files in the published formats, seeded and reproducible.

Realistic where it matters for speed: incomes heavy-tailed (log-normal), most grants small, most
charities working in one authority, a few national funders funding everywhere, about 2% of
everything in the authority the benchmark filters to.
"""

from __future__ import annotations

import json
import random
from pathlib import Path

from loaders.ccew import TABLES

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
