"""A value that breaks a shape: a rejected row naming file, row and field (or, strict, the build stops)."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from civicgraph.core.errors import GraphValidationError
from civicgraph.pipeline.build import build_graph
from civicgraph.pipeline.config import read_config

GRANTS = Path(__file__).resolve().parents[2] / "data" / "360giving" / "hounslow_360giving_grants.json"


def _config(tmp_path: Path, *, strict: bool) -> Path:
    package = json.loads(GRANTS.read_text())
    recipient = {"id": "GB-COH-123456789", "name": "Nine Digits Ltd", "companyNumber": "123456789"}
    package["grants"][1]["recipientOrganization"] = [recipient]
    (tmp_path / "grants.json").write_text(json.dumps(package))
    config = tmp_path / "borough.toml"
    config.write_text(f"""[authority]
name = "London Borough of Hounslow"
gss_code = "E09000018"
org_id = "GB-LAE-HNS"
code = "HNS"

[build]
validate = true
strict = {"true" if strict else "false"}

[[source]]
loader = "360giving"
path = "grants.json"
filter = "none"
""")
    return config


def test_a_value_breaking_a_shape_is_a_rejected_row_and_the_build_goes_on(tmp_path: Path) -> None:
    outcome = build_graph(read_config(_config(tmp_path, strict=False)), progress=False)
    rejected = outcome.rejections[outcome.rejections["field"] == "company_number"]
    assert rejected[["file", "row", "value"]].values.tolist() == [["grants.json", "360G-LBFEW-92240", "123456789"]]
    assert rejected["reason"].iloc[0] == "CompanyShape: does not match ^[A-Z0-9]{8}$ (value not loaded)"
    node = outcome.graph.nodes["GB-COH-123456789"]
    assert node["name"] == "Nine Digits Ltd" and "company_number" not in node
    assert (pd.Series([d["kind"] for _, d in outcome.graph.nodes(data=True)]) == "Grant").sum() == 12


def test_strict_build_stops_at_the_first_value_breaking_a_shape_naming_it(tmp_path: Path) -> None:
    with pytest.raises(GraphValidationError, match=r"^grants.json 360G-LBFEW-92240, field company_number: does not "
                                                    r"match \^\[A-Z0-9\]\{8\}\$ \(CompanyShape; 1 shape violation"):
        build_graph(read_config(_config(tmp_path, strict=True)), progress=False)
