"""``cqckg fetch`` and ``cqckg ingest URL`` against a local copy of CQC's site structure
(tests/fetch_site.py): a real HTTP server on 127.0.0.1, nothing on the internet."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from tests.fetch_site import CORPUS, LIST, FakeSite, Page, Report, build_cqc_site, serve

from cqckg.cli import main
from cqckg.fetch.client import FetchError, FetchSettings, SiteClient
from cqckg.ingest import source_files


@pytest.fixture
def site() -> Iterator[FakeSite]:
    with serve(FakeSite()) as running:
        yield running


@pytest.fixture
def reports(site: FakeSite) -> dict[str, Report]:
    return build_cqc_site(site)


def fetch(site: FakeSite, out: Path, *args: str) -> int:
    """Run ``cqckg fetch`` quickly (200 requests a second) without ingesting."""
    base = ["fetch", "--site", site.url, "--out", str(out), "--rate", "200", "--no-progress"]
    return main([*base, "--no-ingest", *args])


def manifest(folder: Path) -> dict:
    return json.loads((folder / "manifest.json").read_text(encoding="utf-8"))


def urls(site: FakeSite, report: Report) -> set[str]:
    return {site.url + p for p in [report.landing, *report.pages]}


def test_fetch_saves_each_page_of_the_report_with_its_address(
    site: FakeSite, reports: dict[str, Report], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert fetch(site, tmp_path, "Westminster") == 0
    folder = tmp_path / "westminster-1124"
    files = manifest(folder)["files"]
    # landing, summary, three statement pages in both schemes, the PDF and the press release
    assert {e["url"] for e in files.values()} == urls(site, reports["westminster"])
    assert len(files) == 7
    for name, e in files.items():
        data = (folder / name).read_bytes()
        assert hashlib.sha256(data).hexdigest() == e["sha256"]
        assert e["etag"] and e["last_modified"] and e["fetched"].endswith("Z")
    pdfs = [n for n in files if n.endswith(".pdf")]
    assert len(pdfs) == 1 and (folder / pdfs[0]).read_bytes().startswith(b"%PDF-")
    assert {"westminster-1124-theme1-support.html", "westminster-1124-theme1-equity.html"} <= set(
        files
    )
    # the list's second page was followed; nothing but the report's own pages was fetched
    requested = {r.path for r in site.log}
    assert f"{LIST}?page=1" in requested
    assert f"{LIST}/camden-0225" not in requested  # linked from Westminster's landing page
    assert not any("decoy" in p or p.startswith(("/about-us", "/news")) for p in requested)
    assert "/press-release/cqc-publishes-annual-report" not in requested
    assert all(r.headers["user-agent"].startswith("cqc-kg/") for r in site.log)
    out = capsys.readouterr().out
    assert "westminster-1124: City of Westminster (E09000033): new" in out
    assert "assessments found: 1, new: 1, updated: 0, unchanged: 0, failed: 0" in out


def test_a_second_run_downloads_nothing_new(
    site: FakeSite, reports: dict[str, Report], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert fetch(site, tmp_path, "Westminster", "Camden") == 0
    before = len(site.log)
    assert fetch(site, tmp_path, "Westminster", "Camden") == 0
    again = [r for r in site.log[before:] if r.path != "/robots.txt"]
    assert again and {r.status for r in again} == {304}
    assert all("if-none-match" in r.headers for r in again)
    assert "new: 0, updated: 0, unchanged: 2, failed: 0" in capsys.readouterr().out


def test_a_changed_page_alone_is_downloaded_again(
    site: FakeSite, reports: dict[str, Report], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert fetch(site, tmp_path, "Westminster") == 0
    summary = f"{LIST}/westminster-1124/summary"
    changed = site.pages[summary].body.replace(b"Overall summary", b"Overall summary (updated)")
    site.pages[summary] = Page(changed)
    before = len(site.log)
    assert fetch(site, tmp_path, "Westminster") == 0
    downloaded = [r.path for r in site.log[before:] if r.status == 200]
    assert downloaded == ["/robots.txt", summary]
    saved = tmp_path / "westminster-1124" / "westminster-1124-summary.html"
    assert saved.read_bytes() == changed
    assert "updated: 1" in capsys.readouterr().out


def test_a_page_that_moved_is_not_kept_twice(
    site: FakeSite, reports: dict[str, Report], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A statement page moving to the other address scheme: the old file goes."""
    assert fetch(site, tmp_path, "Westminster") == 0
    old, new = f"{LIST}/westminster-1124-theme1-support", f"{LIST}/westminster-1124/theme1/support"
    for path, page in site.pages.items():
        site.pages[path] = Page(page.body.replace(old.encode(), new.encode()), page.content_type)
    site.pages[new] = site.pages.pop(old)
    assert fetch(site, tmp_path, "Westminster") == 0
    files = manifest(tmp_path / "westminster-1124")["files"]
    assert site.url + old not in {e["url"] for e in files.values()}
    assert site.url + new in {e["url"] for e in files.values()}
    assert sorted(files) == sorted(
        p.name for p in (tmp_path / "westminster-1124").iterdir() if p.name != "manifest.json"
    )
    assert "1 file(s) of pages no longer linked removed" in capsys.readouterr().out


def test_one_page_under_two_addresses_is_saved_once_and_asked_for_conditionally(
    site: FakeSite, reports: dict[str, Report], tmp_path: Path
) -> None:
    landing, old = f"{LIST}/westminster-1124", f"{LIST}/westminster-1124-theme1-support"
    new = f"{LIST}/westminster-1124/theme1/support"
    site.pages[new] = site.pages[old]
    link = f'<a href="{new}">Supporting people to live healthier lives</a></main>'.encode()
    site.pages[landing] = Page(site.pages[landing].body.replace(b"</main>", link))
    assert fetch(site, tmp_path, "Westminster") == 0
    folder = tmp_path / "westminster-1124"
    saved = manifest(folder)
    assert len(saved["files"]) == 7  # not 8
    assert saved["aliases"][site.url + new]["same_as"] == "westminster-1124-theme1-support.html"
    before = len(site.log)
    assert fetch(site, tmp_path, "Westminster") == 0
    assert {r.status for r in site.log[before:] if r.path != "/robots.txt"} == {304}
    assert manifest(folder)["aliases"].keys() == {site.url + new}


def test_all_gathers_every_report_in_every_address_scheme(
    site: FakeSite, reports: dict[str, Report], tmp_path: Path
) -> None:
    assert fetch(site, tmp_path, "--all") == 0
    # four reports: not the list's other links under the same path
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        ["_site", *(r.slug for r in reports.values())]
    )
    assert not site.requests_to(f"{LIST}/how-we-assess-local-authorities")
    for report in reports.values():
        entries = manifest(tmp_path / report.slug)["files"].values()
        assert {e["url"] for e in entries} == urls(site, report), report.slug
    hf = manifest(tmp_path / "hammersmithfulham-0525")["files"]
    assert "hammersmithfulham-0525-theme3-pathways.html" in hf  # <slug>/theme3/pathways
    assert any(n.startswith("press-release-") for n in hf)
    pilot = manifest(tmp_path / "birmingham-cc")["files"]
    assert "birmingham-cc-3-safety-within-system-safeguarding.html" in pilot
    # the list's pages are kept for re-runs, where ingesting the whole folder does not read them
    assert len(list((tmp_path / "_site").glob("list-*"))) == 2
    assert source_files([tmp_path / "_site"]) == []


def test_councils_by_gss_code_spelling_and_slug(
    site: FakeSite, reports: dict[str, Report], tmp_path: Path
) -> None:
    assert fetch(site, tmp_path, "E09000033", "Hammersmith & Fulham", "camden-0225") == 0
    assert sorted(p.name for p in tmp_path.iterdir() if not p.name.startswith("_")) == [
        "camden-0225",
        "hammersmithfulham-0525",
        "westminster-1124",
    ]


def test_429_is_retried_after_the_time_it_asks(
    site: FakeSite, reports: dict[str, Report], tmp_path: Path
) -> None:
    summary = f"{LIST}/westminster-1124/summary"
    site.too_many[summary] = 1
    assert fetch(site, tmp_path, "Westminster") == 0
    assert [r.status for r in site.requests_to(summary)] == [429, 200]
    assert (tmp_path / "westminster-1124" / "westminster-1124-summary.html").is_file()


def test_a_missing_page_fails_its_assessment_only(
    site: FakeSite, reports: dict[str, Report], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    missing = f"{LIST}/camden-0225-theme1-support"
    del site.pages[missing]
    assert fetch(site, tmp_path, "Camden", "Westminster") == 2
    captured = capsys.readouterr()
    assert "new: 1, updated: 0, unchanged: 0, failed: 1" in captured.out
    errors = captured.err.strip().splitlines()
    assert errors[-1] == f"cqckg fetch: camden-0225: {site.url}{missing}: HTTP 404 Not Found"


def test_a_redirect_to_another_site_is_refused(
    site: FakeSite, reports: dict[str, Report], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with serve(FakeSite()) as other:
        other.add_html("/elsewhere", "<p>another site</p>")
        site.redirects[f"{LIST}/westminster-1124/summary"] = other.url + "/elsewhere"
        assert fetch(site, tmp_path, "Westminster") == 2
        assert other.log == []
    err = capsys.readouterr().err
    assert f"redirects to another site ({other.url}/elsewhere); not followed" in err


def test_a_slow_answer_times_out(
    site: FakeSite, reports: dict[str, Report], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    site.slow[f"{LIST}/westminster-1124/summary"] = 2.0
    assert fetch(site, tmp_path, "Westminster", "--timeout", "0.3", "--retries", "0") == 2
    assert "timed out after 0.3 s (1 attempt(s))" in capsys.readouterr().err


def test_server_errors_are_retried_and_credentials_refused(
    site: FakeSite, reports: dict[str, Report]
) -> None:
    summary = f"{LIST}/westminster-1124/summary"
    site.too_many[summary] = 2
    site.retry_after = "0"  # a 429 that asks for no wait: the backoff decides
    settings = FetchSettings(rate=200, backoff=0.05, retries=1)
    with SiteClient(site.url, settings) as client:
        with pytest.raises(FetchError, match=r"HTTP 429 Too Many Requests \(2 attempt\(s\)\)"):
            client.get(site.url + summary)
        assert client.get(site.url + summary).status == 200
    with pytest.raises(FetchError, match="user name or password"):
        SiteClient(site.url.replace("//", "//me:secret@"))


def test_an_interrupted_run_resumes_where_it_stopped(
    site: FakeSite, reports: dict[str, Report], tmp_path: Path
) -> None:
    statement = f"{LIST}/westminster-1124/theme1/equity"
    site.slow[statement] = 2.0
    assert fetch(site, tmp_path, "Westminster", "--timeout", "0.3", "--retries", "0") == 2
    first = {r.path for r in site.log if r.status == 200} - {"/robots.txt"}
    del site.slow[statement]
    before = len(site.log)
    assert fetch(site, tmp_path, "Westminster") == 0
    second = {r.path: r.status for r in site.log[before:]}
    assert all(second[p] == 304 for p in first)
    assert second[statement] == 200
    files = manifest(tmp_path / "westminster-1124")["files"]
    assert {e["url"] for e in files.values()} == urls(site, reports["westminster"])


def test_robots_txt_is_obeyed(
    site: FakeSite, reports: dict[str, Report], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    site.robots = "User-agent: *\nDisallow: /press-release/\n"
    assert fetch(site, tmp_path, "Westminster") == 0
    assert not any(r.path.startswith("/press-release/") for r in site.log)
    assert "1 disallowed by robots.txt" in capsys.readouterr().out

    site.robots = "User-agent: cqc-kg\nDisallow: /care-services/\n"
    assert fetch(site, tmp_path / "again", "Westminster") == 2
    err = capsys.readouterr().err.strip()
    assert err == f"cqckg fetch: {site.url}{LIST}: the site's robots.txt disallows it"


def test_a_longer_crawl_delay_is_kept(site: FakeSite, reports: dict[str, Report]) -> None:
    site.robots = "User-agent: cqc-kg\nCrawl-delay: 1\nAllow: /\n"  # whole seconds only
    with SiteClient(site.url, FetchSettings(rate=100)) as client:
        assert client.interval == 0.01
        client.get(site.url + LIST)
        assert client.interval == 1.0


def test_errors_a_person_can_act_on_are_one_line(
    site: FakeSite, reports: dict[str, Report], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert fetch(site, tmp_path, "Nowhereshire") == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("cqckg fetch: no council matches 'Nowhereshire'") and "\n" not in err
    assert site.log == []  # nothing fetched for a name that names no council
    argv = ["fetch", "--site", "ftp://127.0.0.1/", "--out", str(tmp_path), "Westminster"]
    assert main(argv) == 2
    assert "not an http(s) address" in capsys.readouterr().err
    assert main(["fetch", "--out", str(tmp_path)]) == 2
    assert capsys.readouterr().err.strip() == "cqckg fetch: name one or more councils, or --all"
    site.pages = {}
    assert fetch(site, tmp_path, "Westminster") == 2
    assert "HTTP 404 Not Found" in capsys.readouterr().err


def test_a_council_with_no_report_is_reported(
    site: FakeSite, reports: dict[str, Report], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert fetch(site, tmp_path, "Leeds", "Camden") == 2
    captured = capsys.readouterr()
    assert "cqckg fetch: Leeds: no report on Leeds City Council in the site's list" in captured.err
    assert fetch(site, tmp_path, "camden-0226") == 2  # a slug is that report, not any of Camden
    err = capsys.readouterr().err
    assert "camden-0226: no report camden-0226 in the site's list (" in err
    assert "Camden's: camden-0225)" in err
    assert (tmp_path / "camden-0225" / "camden-0225.html").is_file()


def test_responses_over_the_size_limit_are_cut_off(
    site: FakeSite, reports: dict[str, Report]
) -> None:
    pdf = next(p for p, k in reports["westminster"].pages.items() if k == "pdf")
    with SiteClient(site.url, FetchSettings(rate=200, max_bytes=1000)) as client:
        with pytest.raises(FetchError, match="over the 1000-byte limit"):
            client.get(site.url + pdf)
        with pytest.raises(FetchError, match="not on the site"):
            client.get("http://example.org/")


def test_ingest_takes_addresses(
    site: FakeSite, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Text pages served as text/plain are fetched and ingested like files."""
    folder = CORPUS / "hammersmith-and-fulham"
    paths = {}
    for f in sorted(folder.glob("*.txt")):
        paths[f"/pages/{f.name}"] = f
        site.pages[f"/pages/{f.name}"] = Page(f.read_bytes(), "text/plain; charset=utf-8")
    argv = ["ingest", *(site.url + p for p in paths), "--out", str(tmp_path / "docs")]
    assert main([*argv, "--store", str(tmp_path / "store"), "--no-progress"]) == 0
    out = capsys.readouterr().out
    assert "E09000013 2025-05-09" in out and "9 scores" in out
    saved = tmp_path / "docs" / site.url.removeprefix("http://").replace(":", "_")
    assert {e["url"] for e in manifest(saved)["files"].values()} == {site.url + p for p in paths}


def _reads_web_pages() -> bool:
    from cqckg.read import reader

    return {".html", ".pdf"} <= set(reader.SUFFIXES)


@pytest.mark.skipif(not _reads_web_pages(), reason="the reader does not read HTML and PDF yet")
def test_fetch_gathers_and_ingests_an_assessment_in_one_command(
    site: FakeSite, reports: dict[str, Report], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from rdflib.namespace import DCTERMS

    from cqckg.core.namespaces import CQC, assessment_graph_iri
    from cqckg.store import open_store

    store = tmp_path / "store"
    base = ["fetch", "--site", site.url, "--out", str(tmp_path / "docs"), "--rate", "200"]
    argv = [*base, "--store", str(store), "--no-progress", "Westminster"]
    assert main(argv) == 0, capsys.readouterr().err
    out = capsys.readouterr().out
    assert "ingested E09000033 2024-11-08: good, 9 scores" in out, out
    # a re-run fetches nothing new and leaves the store alone
    assert main(argv) == 0
    assert "unchanged: 1" in (out := capsys.readouterr().out) and "already in the store" in out
    graph = assessment_graph_iri("E09000033", "2024-11-08")
    s = open_store(store)
    try:
        scores = s.select(f"SELECT ?s WHERE {{ GRAPH <{graph}> {{ ?a <{CQC.hasScore}> ?s }} }}")
        sources = s.select(
            f"""SELECT ?url WHERE {{ GRAPH <{graph}> {{
                  ?doc a <{CQC.SourceDocument}> ; <{DCTERMS.source}> ?url }} }}"""
        )
    finally:
        s.close()
    assert len(scores) == 9
    # every saved page is a source named by the address it came from (its canonical link); a
    # PDF names no address of its own: the folder's manifest holds it
    pdf = next(site.url + p for p, k in reports["westminster"].pages.items() if k == "pdf")
    assert {r["url"].value for r in sources} == urls(site, reports["westminster"]) - {pdf}
    files = manifest(tmp_path / "docs" / "westminster-1124")["files"]
    assert any(e["url"] == pdf for n, e in files.items() if n.endswith(".pdf"))


@pytest.mark.skipif(not _reads_web_pages(), reason="the reader does not read HTML and PDF yet")
def test_each_assessment_is_ingested_all_or_nothing(
    site: FakeSite, reports: dict[str, Report], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A page that cannot be read fails its assessment's ingest; the other is written."""
    from cqckg.core.namespaces import CQC, authority_iri
    from cqckg.store import open_store

    site.add_html(f"{LIST}/camden-0225-theme1-support", "<html><body>\x00\x01</body></html>")
    base = ["fetch", "--site", site.url, "--out", str(tmp_path / "docs"), "--rate", "200"]
    store = tmp_path / "store"
    assert main([*base, "--store", str(store), "--no-progress", "Camden", "Westminster"]) == 2
    captured = capsys.readouterr()
    assert "ingested E09000033 2024-11-08" in captured.out
    assert "cqckg fetch: camden-0225: not ingested: " in captured.err
    assert "camden-0225-theme1-support.html" in captured.err
    s = open_store(store)
    try:
        rows = s.select(f"SELECT DISTINCT ?c WHERE {{ ?a <{CQC.assessedAuthority}> ?c }}")
    finally:
        s.close()
    assert {r["c"].value for r in rows} == {str(authority_iri("E09000033"))}


@pytest.mark.skipif(not _reads_web_pages(), reason="the reader does not read HTML and PDF yet")
def test_ingest_takes_web_page_addresses(
    site: FakeSite, reports: dict[str, Report], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    addresses = sorted(urls(site, reports["westminster"]))
    argv = ["ingest", *addresses, "--out", str(tmp_path / "docs"), "--no-progress"]
    assert main([*argv, "--store", str(tmp_path / "store")]) == 0
    assert "E09000033 2024-11-08: 7 document(s), good, 9 scores" in capsys.readouterr().out


def test_unwritable_out_folder_is_one_line(
    site: FakeSite, reports: dict[str, Report], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "file").write_text("not a folder")
    assert fetch(site, tmp_path / "file", "Westminster") == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "cannot save" in err[0], err
