"""The configuration is read as written or refused: unknown keys, wrong types, paths out of the project."""

from __future__ import annotations

from pathlib import Path

import pytest

from civicgraph.core.errors import ConfigError
from civicgraph.pipeline.config import read_config


@pytest.mark.parametrize(("change", "message"), [
    (("validate = true", 'validate = "false"'), r"\[build\] validate = 'false': write true or false"),
    (("[resolution]", '[resolution]\nenabled = "false"'), r"\[resolution\] enabled = 'false': write true or false"),
    (("[build]", "[buld]"), r"\[buld\] is not a section. Use one of: \[authority\], \[build\]"),
    (('code = "HNS"', 'code = "HNS"\ncolour = "blue"'), r"\[authority\] 'colour' is not a setting"),
    (("peers = [", 'peers = "E09000002"\nold_peers = ['), r"\[comparison\] peers = 'E09000002': expected a list of text"),
    (("accept = 0.9", 'accept = "high"'), r"\[resolution\] accept = 'high': expected a number"),
    (("accept = 0.9", "accept = true"), r"\[resolution\] accept = true: expected a number"),
    (("review = 0.75", "review = 0.75\nmax_block = 2.5"), r"\[resolution\] max_block = 2.5: expected a whole number"),
    (('name = "London Borough of Hounslow"', "name = 42"), r"\[authority\] name = 42: expected text"),
    (('loader = "imd"', 'loader = ["imd"]'), r"\[source 4\] loader = \['imd'\]: expected text"),
    (('loader = "imd"', 'loader = "imd"\ncolumns = {a = 1}'), r"\[source 4\] columns = \{'a': 1\}: expected text, a number"),
])
def test_a_wrong_key_or_type_is_refused_naming_file_key_and_type(change: tuple[str, str], message: str,
                                                                 hounslow_config: Path) -> None:
    text = hounslow_config.read_text()
    assert change[0] in text
    hounslow_config.write_text(text.replace(change[0], change[1], 1))
    with pytest.raises(ConfigError, match=r"hounslow.toml: .*" + message):
        read_config(hounslow_config)


def test_every_problem_is_reported_at_once(hounslow_config: Path) -> None:
    text = hounslow_config.read_text().replace("strict = false", 'strict = "no"\nfast = true')
    hounslow_config.write_text(text)
    with pytest.raises(ConfigError, match=r"strict = 'no': write true or false; \[build\] 'fast' is not a setting"):
        read_config(hounslow_config)


def test_a_review_file_out_of_the_project_is_refused_unless_absolute(hounslow_config: Path, tmp_path: Path) -> None:
    text = hounslow_config.read_text()
    hounslow_config.write_text(text.replace('review_file = "hounslow_review.csv"', 'review_file = "../../x.csv"'))
    with pytest.raises(ConfigError, match=r"\[resolution\] review_file '../../x.csv' leads out of the project"):
        read_config(hounslow_config)
    elsewhere = tmp_path.parent / "x.csv"
    hounslow_config.write_text(text.replace('review_file = "hounslow_review.csv"', f'review_file = "{elsewhere}"'))
    assert read_config(hounslow_config).resolution.review_file == elsewhere.resolve()


def test_a_source_path_out_of_the_project_is_refused(hounslow_config: Path) -> None:
    text = hounslow_config.read_text().replace('path = "../data/ccew_extract"', 'path = "../../../etc"')
    hounslow_config.write_text(text)
    with pytest.raises(ConfigError, match=r"\[source 9\] path '../../../etc' leads out of the project"):
        read_config(hounslow_config)


def test_a_single_bracket_source_is_refused(tmp_path: Path) -> None:
    config = tmp_path / "b.toml"
    config.write_text('[authority]\nname = "X"\ngss_code = "E09000001"\norg_id = "GB-LAE-LND"\ncode = "LND"\n'
                      '[source]\nloader = "workbook"\npath = "x"\n')
    with pytest.raises(ConfigError, match=r"b.toml: sources are \[\[source\]\] entries"):
        read_config(config)


def test_a_configuration_saved_in_windows_1252_is_one_line_error(tmp_path: Path) -> None:
    config = tmp_path / "b.toml"
    config.write_bytes('[authority]\nname = "Café"\n'.encode("cp1252"))
    with pytest.raises(ConfigError, match=r"b.toml: byte \d+: not UTF-8 text"):
        read_config(config)


def test_a_source_may_set_its_decimal_mark(hounslow_config: Path) -> None:
    assets = Path(__file__).resolve().parents[1] / "fixtures" / "assets" / "land_and_assets.csv"
    extra = f'\n[[source]]\nloader = "assets"\npath = "{assets.as_posix()}"\ndecimal = ","\n'
    hounslow_config.write_text(hounslow_config.read_text() + extra)
    source = read_config(hounslow_config).sources[-1]
    assert (source.loader, source.options) == ("assets", {"decimal": ","})


def test_money_rates_are_read_as_gbp_per_unit(hounslow_config: Path) -> None:
    hounslow_config.write_text(hounslow_config.read_text() + "\n[money]\nrates = { USD = 0.79, EUR = 1 }\n")
    assert read_config(hounslow_config).rates == {"USD": 0.79, "EUR": 1.0}


@pytest.mark.parametrize(("rates", "message"), [
    ('{ USD = "0.79" }', r"\[money\] rates.USD = '0.79': expected a positive number \(GBP per USD\)"),
    ("{ USD = -0.79 }", r"\[money\] rates.USD = -0.79: expected a positive number"),
    ("{ USD = 0 }", r"\[money\] rates.USD = 0: expected a positive number"),
    ("{ USD = true }", r"\[money\] rates.USD = true: expected a positive number"),
    ("{ usd = 0.79 }", r"\[money\] rates.usd: expected a three-letter currency code other than GBP"),
    ("{ GBP = 1 }", r"\[money\] rates.GBP: expected a three-letter currency code other than GBP"),
    ("{ USD = { rate = 0.79 } }", r"\[money\] rates.USD = \{'rate': 0.79\}: expected a positive number"),
    ("0.79", r"\[money\] rates = 0.79: expected a table of currency code = GBP per unit"),
])
def test_a_bad_rate_is_one_line_naming_file_key_and_type(rates: str, message: str, hounslow_config: Path) -> None:
    hounslow_config.write_text(hounslow_config.read_text() + f"\n[money]\nrates = {rates}\n")
    with pytest.raises(ConfigError, match=r"hounslow.toml: " + message) as caught:
        read_config(hounslow_config)
    assert "\n" not in str(caught.value)


def test_limits_default_to_the_documented_ones_and_are_read_as_written(hounslow_config: Path) -> None:
    from civicgraph.loaders.limits import Limits

    assert read_config(hounslow_config).limits == Limits()
    assert "max_unpacked_bytes = 8589934592" in (
        Path(__file__).resolve().parents[2] / "pipeline" / "config.py").read_text()  # documented beside the others
    hounslow_config.write_text(hounslow_config.read_text() + "\n[limits]\nmax_rows = 5000\nmax_json_depth = 20\n")
    assert read_config(hounslow_config).limits == Limits(max_rows=5000, max_json_depth=20)


@pytest.mark.parametrize(("line", "message"), [
    ("max_rows = 0", r"\[limits\] max_rows = 0: expected a whole number above 0"),
    ('max_field_bytes = "1MB"', r"\[limits\] max_field_bytes = '1MB': expected a whole number above 0"),
    ("max_json_depth = 2.5", r"\[limits\] max_json_depth = 2.5: expected a whole number above 0"),
    ("max_depth = 3", r"\[limits\] 'max_depth' is not a setting. Use one of: 'max_field_bytes', 'max_json_depth'"),
])
def test_a_bad_limit_is_refused_naming_file_key_and_type(line: str, message: str, hounslow_config: Path) -> None:
    hounslow_config.write_text(hounslow_config.read_text() + f"\n[limits]\n{line}\n")
    with pytest.raises(ConfigError, match=r"hounslow.toml: " + message):
        read_config(hounslow_config)


@pytest.mark.slow
def test_a_source_past_a_configured_limit_is_one_line_naming_file_and_limit(
        hounslow_config: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from civicgraph.cli import main

    hounslow_config.write_text(hounslow_config.read_text() + "\n[limits]\nmax_rows = 100\n")
    assert main(["build", str(hounslow_config), "--out", str(hounslow_config.parent / "out"), "--quiet"]) == 1
    error = capsys.readouterr().err.strip()
    assert "\n" not in error, error
    assert error.endswith("over the limit of 100 data rows ([limits] max_rows)") and ".csv row 102" in error, error
def test_the_ward_set_is_read_and_an_unknown_one_refused(hounslow_config: Path) -> None:
    assert read_config(hounslow_config).wards == "lookup"
    text = hounslow_config.read_text()
    hounslow_config.write_text('[geography]\nwards = "postcodes"\n\n' + text)
    assert read_config(hounslow_config).wards == "postcodes"
    hounslow_config.write_text('[geography]\nwards = "2031"\n\n' + text)
    with pytest.raises(ConfigError, match=r"hounslow.toml: \[geography\] wards '2031' is not supported. "
                                          r"Use one of: 'lookup', 'postcodes'"):
        read_config(hounslow_config)
