"""Ids of groups named in any script: distinct names give distinct ids, the same name the same id."""

from __future__ import annotations

import itertools
import re

import pytest

from civicgraph.core.identifiers import local_group_id, slugify

#: Names of groups a borough's workbook or directory could hold, in the scripts of its residents.
NAMES = {
    "Arabic": ["تعاون الجالية", "جمعية النساء العربيات"],
    "Chinese": ["华人社区中心", "马", "吗"],  # the last two read "ma" alike in ASCII
    "Cyrillic": ["Иван и друзья", "Русская школа"],
    "Devanagari": ["राम शर्मा मंडल", "हिंदी सभा"],
    "emoji only": ["😀🎉", "🌳🌳", "🌳"],
    "no letters": ["???", "!!!"],
}
ALL_NAMES = [name for names in NAMES.values() for name in names]


def test_every_name_gives_a_distinct_non_empty_slug() -> None:
    slugs = {name: slugify(name) for name in ALL_NAMES}
    assert all(re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", slug) for slug in slugs.values()), slugs
    assert len(set(slugs.values())) == len(ALL_NAMES), slugs
    assert all(local_group_id("HNS", a) != local_group_id("HNS", b) for a, b in itertools.combinations(ALL_NAMES, 2))


@pytest.mark.parametrize(("name", "words"), [("Иван и друзья", "ivan-i-druzya-"), ("华人社区中心", "huarenshequzhongxin-"),
                                             ("हिंदी सभा", "himdi-sbha-"), ("😀🎉", "grinning-tada-")])
def test_a_name_in_another_script_is_transliterated_then_hashed(name: str, words: str) -> None:
    assert re.fullmatch(re.escape(words) + "[0-9a-f]{8}", slugify(name)), slugify(name)


def test_the_same_name_written_otherwise_keeps_its_id() -> None:
    assert slugify("Иван и друзья") == slugify("ИВАН  И ДРУЗЬЯ") == slugify("иван и друзья")
    assert slugify("ＡＢＣ 华人") == slugify("abc 华人")


def test_latin_names_keep_the_ids_of_earlier_builds() -> None:
    assert slugify("Café Society") == "cafe-society"
    assert slugify("Move into Wellbeing®") == "move-into-wellbeing"
    assert slugify("Feltham Mums' Walking Group (FMWG)") == "feltham-mums-walking-group-fmwg"
