"""Fetching sources from a server on loopback: cached, checksummed, unzipped, errors named."""

from __future__ import annotations

import hashlib
import threading
import zipfile
from collections.abc import Iterator
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from civicgraph.cli import main
from civicgraph.core.errors import FetchError
from civicgraph.pipeline.config import read_config
from civicgraph.pipeline.fetch import download, fetch_sources

REPO = Path(__file__).resolve().parents[2]


class _CountingHandler(SimpleHTTPRequestHandler):
    requests_seen: list[str] = []

    def do_GET(self) -> None:  # noqa: N802 - the http.server API
        type(self).requests_seen.append(self.path)
        super().do_GET()

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def server(tmp_path: Path) -> Iterator[tuple[str, Path, list[str]]]:
    """An HTTP server on 127.0.0.1 serving a folder; yields (base URL, folder, request log)."""
    root = tmp_path / "served"
    root.mkdir()
    (root / "grants.json").write_bytes((REPO / "data/360giving/hounslow_360giving_grants.json").read_bytes())
    with zipfile.ZipFile(root / "extract.zip", "w") as archive:
        archive.write(REPO / "tests/fixtures/ccew/publicextract.charity.txt", "publicextract.charity.txt")
    handler = type("Handler", (_CountingHandler,), {"requests_seen": []})
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), partial(handler, directory=str(root)))
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}", root, handler.requests_seen
    finally:
        httpd.shutdown()
        httpd.server_close()


def test_download_is_cached_and_checked(server: tuple[str, Path, list[str]], tmp_path: Path) -> None:
    base, root, seen = server
    expected = hashlib.sha256((root / "grants.json").read_bytes()).hexdigest()
    first = download(f"{base}/grants.json", tmp_path / "cache", expected_sha256=expected, progress=False)
    second = download(f"{base}/grants.json", tmp_path / "cache", expected_sha256=expected, progress=False)
    assert (first.from_cache, second.from_cache) == (False, True)
    assert first.sha256 == expected and first.path.read_bytes() == (root / "grants.json").read_bytes()
    assert seen == ["/grants.json"]  # the second call made no request


def test_checksum_mismatch_keeps_nothing(server: tuple[str, Path, list[str]], tmp_path: Path) -> None:
    base, _, _ = server
    with pytest.raises(FetchError, match="grants.json: checksum .* does not match the expected 00ff"):
        download(f"{base}/grants.json", tmp_path / "cache", expected_sha256="00ff", progress=False)
    assert not any(p.is_file() for p in (tmp_path / "cache").rglob("*"))


def test_missing_file_names_the_url(server: tuple[str, Path, list[str]], tmp_path: Path) -> None:
    base, _, _ = server
    with pytest.raises(FetchError, match=r"/nothing.json: download failed \(404"):
        download(f"{base}/nothing.json", tmp_path / "cache", progress=False)


def test_fetch_places_files_and_unzips_extracts_then_build_reads_them(server: tuple[str, Path, list[str]],
                                                                       tmp_path: Path) -> None:
    base, _, _ = server
    config = tmp_path / "borough.toml"
    config.write_text(f"""
[authority]
name = "London Borough of Hounslow"
gss_code = "E09000018"
org_id = "GB-LAE-HNS"
code = "HNS"

[[source]]
loader = "360giving"
path = "downloads/grants.json"
url = "{base}/grants.json"
filter = "none"

[[source]]
loader = "ccew"
path = "downloads/ccew"
url = "{base}/extract.zip"
trustees = false
""")
    fetched = fetch_sources(read_config(config, require_files=False), cache=tmp_path / "cache", progress=False)
    assert [f.from_cache for f in fetched] == [False, False]
    assert (tmp_path / "downloads/ccew/publicextract.charity.txt").is_file()
    assert main(["build", str(config), "--out", str(tmp_path / "graph"), "--quiet"]) == 0


def test_build_before_fetch_says_to_fetch(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config = tmp_path / "borough.toml"
    config.write_text('[authority]\nname = "X"\ngss_code = "E09000018"\norg_id = "GB-LAE-HNS"\ncode = "HNS"\n'
                      '[[source]]\nloader = "360giving"\npath = "g.json"\nurl = "http://127.0.0.1:9/g.json"\n')
    assert main(["build", str(config), "--quiet"]) == 2
    assert "run 'civicgraph fetch' first" in capsys.readouterr().err


def test_a_zip_bomb_is_refused_and_nothing_is_left_unpacked(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import civicgraph.pipeline.fetch
    from civicgraph.pipeline.fetch import Fetched, place

    monkeypatch.setattr(civicgraph.pipeline.fetch, "UNPACK_ALLOWANCE_BYTES", 0)  # the real allowance would need a 64 MB test
    bomb = tmp_path / "bomb.zip"
    with zipfile.ZipFile(bomb, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("small.txt", "fine")
        archive.writestr("zeros.csv", b"0" * (20 << 20))
    assert bomb.stat().st_size < (20 << 20) // 500
    with pytest.raises(FetchError, match=r"http://x/bomb.zip: the archive unpacks to more than the limit of [\d,]+ bytes \(100 times"):
        place(Fetched("http://x/bomb.zip", bomb, "", False), tmp_path / "extract")
    assert list((tmp_path / "extract").iterdir()) == []
    plain = tmp_path / "plain.zip"
    with zipfile.ZipFile(plain, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("a.csv", "".join(f"row {i},{i * 7919 % 10007}\n" for i in range(2000)))
    place(Fetched("http://x/plain.zip", plain, "", False), tmp_path / "extract")
    assert (tmp_path / "extract" / "a.csv").read_text().startswith("row 0,0\n")


def test_the_unpacked_size_limits_come_from_the_configuration(tmp_path: Path) -> None:
    from civicgraph.loaders.limits import Limits, limits_in_force
    from civicgraph.pipeline.fetch import Fetched, place

    archive_path = tmp_path / "plain.zip"
    with zipfile.ZipFile(archive_path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("a.csv", "".join(f"row {i},{i * 7919 % 10007}\n" for i in range(2000)))
    fetched = Fetched("http://x/plain.zip", archive_path, "", False)
    with limits_in_force(Limits(max_unpacked_bytes=1000)), pytest.raises(
            FetchError, match=r"^http://x/plain.zip: .* the limit of 1,000 bytes \(\[limits\] max_unpacked_bytes\)"):
        place(fetched, tmp_path / "small")
    assert list((tmp_path / "small").iterdir()) == []
    place(fetched, tmp_path / "default")  # the same archive within the default limits
    assert (tmp_path / "default" / "a.csv").stat().st_size > 1000
