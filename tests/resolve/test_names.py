"""Name normalisation: the differences sources make disappear, the ones that matter stay."""

from __future__ import annotations

import pytest

from civicgraph.resolve.names import initials, normalise_name, place_words, web_domain


@pytest.mark.parametrize(("written", "normalised"), [
    ("HOUNSLOW P.H.A.B.", "hounslow phab"),
    ("Brentford & Chiswick Local History Society", "brentford and chiswick local history society"),
    ("The Isleworth Society", "isleworth society"),
    ("Alzheimer's Society Hounslow", "alzheimers society hounslow"),
    ("Osmani Trust Ltd", "osmani trust"),
    ("St. George's (Hanworth) Youth Club", "saint georges hanworth youth club"),
    ("ST NICHOLAS PCC, CHISWICK", "saint nicholas chiswick"),
    ("Café Nérée CIC", "cafe neree"),
])
def test_normalised_names_lose_case_punctuation_and_legal_forms(written: str, normalised: str) -> None:
    assert normalise_name(written) == normalised


def test_names_keep_the_words_that_tell_organisations_apart() -> None:
    assert normalise_name("Age UK Hounslow") != normalise_name("Age UK Ealing")
    assert normalise_name("Hounslow Community Network") != normalise_name("Hounslow Community Church")


def test_acronyms_are_initials_with_and_without_joining_words() -> None:
    assert "force" in initials("friends of river crane environment")
    assert "hay" in initials("hounslow action for youth")


def test_place_words_leave_out_compass_and_landscape_words() -> None:
    words = place_words(["Hounslow West", "Osterley and Spring Grove", "Richmond upon Thames"])
    assert {"hounslow", "osterley", "spring", "richmond", "thames"} <= words
    assert not {"west", "grove", "upon", "and"} & words


@pytest.mark.parametrize(("address", "domain"), [
    ("https://www.ageuk.org.uk/hounslow/", "ageuk.org.uk"),
    ("www.speakoutinhounslow.org.uk", "speakoutinhounslow.org.uk"),
    ("info@hycs.org.uk", "hycs.org.uk"),
    ("someone@gmail.com", None),
    ("https://www.facebook.com/groups/123", None),
    ("", None),
])
def test_web_domain_is_the_organisations_own(address: str, domain: str | None) -> None:
    assert web_domain(address) == domain


def test_a_column_of_names_is_normalised_as_each_name_is_on_its_own() -> None:
    import pyarrow as pa

    from civicgraph.resolve.names import normalise_texts

    written = ["HOUNSLOW P.H.A.B. Limited", "Café Nérée CIC", None, "St. George's (Hanworth) Youth Club",
               "Łódź Polish Club", "  ", "A.B.C.D. Trust"]  # ASCII and not, in turn: the order must hold
    assert normalise_texts(pa.array(written)).to_pylist() == [normalise_name(n) if n else "" for n in written]
