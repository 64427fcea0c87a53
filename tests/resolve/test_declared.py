"""Declared identities no organisation can have: placeholders and numbers of the wrong form."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from graph.assemble import assemble_frames
from graph.identifiers import identifier_problems
from loaders.registry import get_loader
from pipeline.authorities import authority_context
from resolve.declared import screen_declared_ids
from resolve.resolution import official_clusters


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
