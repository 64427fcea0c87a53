"""Pseudonyms keep people apart: names in any script, and names that normalise to nothing."""

from __future__ import annotations

import itertools

from civicgraph.loaders.pseudonyms import normalise_name, pseudonym

KEY = b"test-key"


def test_names_in_other_scripts_get_distinct_pseudonyms() -> None:
    names = ["张伟", "王芳", "Иван Петров", "Ольга Смирнова", "محمد علي", "فاطمة حسن", "राम शर्मा", "Γιώργος Παπαδόπουλος",
             "Mr.", "Dr", "???"]
    made = {name: pseudonym(name, KEY) for name in names}
    assert len(set(made.values())) == len(names), made


def test_latin_names_keep_the_pseudonyms_of_earlier_builds() -> None:
    # the normal form of Latin names is unchanged, so pseudonyms made by earlier builds still match
    assert normalise_name("Søren  Kierkegaard") == "sren kierkegaard"
    assert normalise_name("Dr. Anne-Marie O’Neill") == normalise_name("anne marie o'neill") == "anne marie oneill"
    assert pseudonym("José Núñez", KEY) == pseudonym("jose nunez", KEY)


def test_the_same_person_in_another_script_form_is_one_pseudonym() -> None:
    pairs = [("Иван Петров", "иван  петров"), ("ＡＮＮＥ", "anne")]
    for a, b in pairs:
        assert pseudonym(a, KEY) == pseudonym(b, KEY)
    assert all(pseudonym(a, KEY) != pseudonym(b, KEY) for a, b in itertools.combinations(["张伟", "张三", "李四"], 2))
