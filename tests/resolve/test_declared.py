"""Declared identities no organisation can have: placeholders and numbers of the wrong form."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from civicgraph.core.identifiers import identifier_problems
from civicgraph.graph.assemble import assemble_frames
from civicgraph.loaders.registry import get_loader
from civicgraph.pipeline.authorities import authority_context
from civicgraph.resolve.declared import screen_declared_ids
from civicgraph.resolve.resolution import official_clusters


def _grants_with_company_number(path: Path, numbers: list[str]) -> Path:
    grants = [{
        "id": f"360G-test-{n}", "title": "Grant", "description": "A grant", "currency": "GBP", "amountAwarded": 1000,
        "awardDate": "2020-01-01",
        "recipientOrganization": [{"id": f"360G-test:org-{n}", "name": f"Charity number {n}",
                                   "companyNumber": number}],
        "fundingOrganization": [{"id": "GB-CHC-1", "name": "A funder"}],
    } for n, number in enumerate(numbers)]
    path.write_text(json.dumps({"grants": grants}), encoding="utf-8")
    return path


def test_placeholder_company_number_does_not_join_unrelated_recipients(tmp_path: Path) -> None:
    path = _grants_with_company_number(tmp_path / "grants.json", ["0", "0", "0", "0", "0"])
    loaded = get_loader("360giving").load(path, authority_context("E09000018"), filter="none")
    screened = screen_declared_ids(loaded)
    clusters = official_clusters([screened])
    recipients = [f"360G-test:org-{n}" for n in range(5)]
    assert len({clusters[r] for r in recipients}) == 5
    frames, _ = assemble_frames([screened])
    assert set(recipients) <= set(frames.nodes["id"].astype(str))
    rejected = screened.rejections[screened.rejections["field"] == "other_ids"]
    assert rejected["value"].tolist() == ["GB-COH-00000000"] * 5
    assert rejected["reason"].str.contains("placeholder").all()
    assert rejected["file"].eq("grants.json").all()


def test_real_company_number_is_still_declared(tmp_path: Path) -> None:
    path = _grants_with_company_number(tmp_path / "grants.json", ["04472171", "4472171"])
    loaded = screen_declared_ids(get_loader("360giving").load(path, authority_context("E09000018"), filter="none"))
    clusters = official_clusters([loaded])
    assert clusters["360G-test:org-0"] == clusters["360G-test:org-1"] == clusters["GB-COH-04472171"]
    assert not (loaded.rejections["field"] == "other_ids").any()


def test_identifiers_of_the_wrong_form_for_their_register_are_refused() -> None:
    ids = pd.Series(["GB-COH-00000000", "GB-COH-123456789", "GB-COH-SC000000", "GB-CHC-N/A", "GB-CHC-0",
                     "GB-CHC-12345", "GB-CHC-12345678", "GB-CHC--", "GB-SC-SC01234", "GB-NIC-000000"])
    assert identifier_problems(ids).notna().all()


def test_identifiers_of_the_right_form_are_accepted() -> None:
    ids = pd.Series(["GB-COH-04472171", "GB-COH-SC222222", "GB-COH-IP28746R", "GB-CHC-1106260", "GB-CHC-200001", "GB-COH-R0000316",
                     "GB-SC-SC012345", "GB-NIC-100002", "GB-LAE-HNS", "360G-x", "LOCAL-HNS-a"])
    assert identifier_problems(ids).isna().all()


def test_a_recipient_id_given_to_organisations_with_different_numbers_is_split() -> None:
    loaded = get_loader("360giving").load(Path(__file__).parents[1] / "fixtures/resolution/indigo_trust.csv",
                                          authority_context("E09000018"), filter="none")
    assert (loaded.nodes["id"] == "DUMMY01").sum() > 50  # the publisher's placeholder, as published
    screened = screen_declared_ids(loaded)
    clusters = official_clusters([screened])
    assert clusters["GB-CHC-1110522"] != clusters["GB-CHC-1076346"]  # Trussell Trust, mySociety
    frames, _ = assemble_frames([screened])
    ids = frames.nodes["id"].astype(str)
    assert "DUMMY01" not in set(ids)
    assert {"GB-CHC-1110522", "GB-CHC-1076346", "DUMMY01:aptivate", "DUMMY01:nesta"} <= set(ids)
    awarded = screened.edges[screened.edges["relation"] == "AWARDED_TO"]
    assert "DUMMY01" not in set(awarded["target"].astype(str))
    rejected = screened.rejections[screened.rejections["field"] == "id"]
    assert rejected["value"].tolist() == ["DUMMY01"]
    assert rejected["row"].str.startswith("360G-indigotrust:IND").all()


def test_a_recipient_id_used_with_one_number_is_kept() -> None:
    loaded = get_loader("360giving").load(Path(__file__).parents[1] / "fixtures/resolution/indigo_trust.csv",
                                          authority_context("E09000018"), filter="none")
    screened = screen_declared_ids(loaded)
    kept = set(loaded.nodes["id"].astype(str)) - {"DUMMY01"}
    assert kept <= set(screened.nodes["id"].astype(str))
