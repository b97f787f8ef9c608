"""Reading, recognising and splitting the real corpus, and refusing broken files."""

from __future__ import annotations

import datetime as dt
import hashlib
import shutil
from pathlib import Path

import pytest

from cqckg.core.errors import DocumentError
from cqckg.core.paths import graph_dir
from cqckg.read import Document, DocumentKind, SectionRole, read_document, read_documents
from cqckg.read.segment import SentenceSplitter

SOURCES = graph_dir() / "sources"
BROKEN = Path(__file__).parent.parent / "data" / "broken"
FULL_REPORT = SOURCES / "westminster-2024" / "full-report.md"

FR = DocumentKind.FULL_REPORT
QS = DocumentKind.QUALITY_STATEMENT_PAGE
LP = DocumentKind.LANDING_PAGE
OS = DocumentKind.OVERALL_SUMMARY
PR = DocumentKind.PRESS_RELEASE
BIRMINGHAM, CAMDEN, HF, WESTMINSTER = "E08000025", "E09000007", "E09000013", "E09000033"
D = dt.date

# Expected from reading each file. Quality-statement pages without a date get None: they are
# grouped with their assessment by council. The republished H&F press release states its own
# date (13 May 2025), four days after the assessment (9 May 2025).
CORPUS = [
    # path, kind, council, published, pilot, quality statement
    ("birmingham/birmingham-cc-1-how-local-authority-works-people-assessing-needs.txt",
     QS, BIRMINGHAM, None, True, "assessing-needs"),
    ("birmingham/birmingham-cc-1-how-local-authority-works-people-equity-experience-and.txt",
     QS, BIRMINGHAM, D(2023, 11, 17), True, "equity-in-experience-and-outcomes"),
    ("birmingham/birmingham-cc-3-safety-within-system-safeguarding.txt",
     QS, BIRMINGHAM, None, True, "safeguarding"),
    ("birmingham/birmingham-cc-overall-summary.txt", OS, BIRMINGHAM, D(2023, 11, 17), True, None),
    ("camden/camden-0225-theme1-needs.txt", QS, CAMDEN, None, False, "assessing-needs"),
    ("camden/camden-0225-theme1-support.txt",
     QS, CAMDEN, None, False, "supporting-people-to-live-healthier-lives"),
    ("camden/camden-0225-theme2-partnerships.txt",
     QS, CAMDEN, None, False, "partnerships-and-communities"),
    ("camden/camden-0225.txt", LP, CAMDEN, D(2025, 2, 28), False, None),
    ("hammersmith-and-fulham/hammersmithfulham-0525-theme1-equity.txt",
     QS, HF, None, False, "equity-in-experience-and-outcomes"),
    ("hammersmith-and-fulham/hammersmithfulham-0525-theme1-needs.txt",
     QS, HF, None, False, "assessing-needs"),
    ("hammersmith-and-fulham/hammersmithfulham-0525-theme1-support.txt",
     QS, HF, None, False, "supporting-people-to-live-healthier-lives"),
    ("hammersmith-and-fulham/hammersmithfulham-0525-theme2-care.txt",
     QS, HF, None, False, "care-provision-integration-and-continuity"),
    ("hammersmith-and-fulham/hammersmithfulham-0525-theme2-partnerships.txt",
     QS, HF, None, False, "partnerships-and-communities"),
    ("hammersmith-and-fulham/hammersmithfulham-0525-theme3-pathways.txt",
     QS, HF, None, False, "safe-pathways-systems-and-transitions"),
    ("hammersmith-and-fulham/hammersmithfulham-0525-theme4-governance.txt",
     QS, HF, None, False, "governance-management-and-sustainability"),
    ("hammersmith-and-fulham/hammersmithfulham-0525-theme4-learning.txt",
     QS, HF, None, False, "learning-improvement-and-innovation"),
    ("hammersmith-and-fulham/hammersmithfulham-0525.txt", LP, HF, D(2025, 5, 9), False, None),
    ("hammersmith-and-fulham/press-release.txt", PR, HF, D(2025, 5, 13), False, None),
    ("westminster-2024/full-report.md", FR, WESTMINSTER, D(2024, 11, 8), False, None),
    ("westminster-2024/press-release.txt", PR, WESTMINSTER, D(2024, 11, 8), False, None),
    ("westminster-2024/qs-equity-experience-outcomes.txt",
     QS, WESTMINSTER, None, False, "equity-in-experience-and-outcomes"),
    ("westminster-2024/qs-governance-management-sustainability.txt",
     QS, WESTMINSTER, None, False, "governance-management-and-sustainability"),
    ("westminster-2024/qs-supporting-people-healthier-lives.txt",
     QS, WESTMINSTER, None, False, "supporting-people-to-live-healthier-lives"),
]  # fmt: skip

QUALITY_STATEMENTS = {
    "assessing-needs",
    "supporting-people-to-live-healthier-lives",
    "equity-in-experience-and-outcomes",
    "care-provision-integration-and-continuity",
    "partnerships-and-communities",
    "safe-pathways-systems-and-transitions",
    "safeguarding",
    "governance-management-and-sustainability",
    "learning-improvement-and-innovation",
}
THEMES = {
    "how-the-local-authority-works-with-people",
    "providing-support",
    "how-the-local-authority-ensures-safety-within-the-system",
    "leadership",
}


@pytest.fixture(scope="module")
def documents() -> dict[str, Document]:
    return {rel: read_document(SOURCES / rel) for rel, *_ in CORPUS}


@pytest.fixture(scope="module")
def report(documents: dict[str, Document]) -> Document:
    return documents["westminster-2024/full-report.md"]


# -- recognition -------------------------------------------------------------------------------


def test_corpus_table_covers_every_document() -> None:
    on_disk = {
        str(p.relative_to(SOURCES)) for p in SOURCES.rglob("*") if p.suffix in {".md", ".txt"}
    }
    assert on_disk - {"README.md"} == {rel for rel, *_ in CORPUS}


@pytest.mark.parametrize(("rel", "kind", "gss", "published", "pilot", "statement"), CORPUS)
def test_recognises_corpus_document(
    documents: dict[str, Document],
    rel: str,
    kind: DocumentKind,
    gss: str,
    published: dt.date | None,
    pilot: bool,
    statement: str | None,
) -> None:
    doc = documents[rel]
    assert (doc.kind, doc.authority_gss, doc.published, doc.pilot) == (kind, gss, published, pilot)
    assert doc.quality_statement == statement
    assert doc.kind_evidence, "the kind must be explained by the signals found"


@pytest.mark.parametrize("rel", [rel for rel, *_ in CORPUS])
def test_text_is_kept_as_stored(documents: dict[str, Document], rel: str) -> None:
    doc = documents[rel]
    raw = (SOURCES / rel).read_bytes()
    assert doc.text == raw.decode("utf-8")
    assert doc.sha256 == hashlib.sha256(raw).hexdigest()
    if raw.startswith(b"Source: "):
        assert doc.source_url == raw.split(b"\n", 1)[0][len(b"Source: ") :].decode().strip()
        assert doc.paragraphs[0].start > doc.text.index("\n"), "the header is not a passage"
    else:
        assert doc.source_url is None


def test_curators_note_is_header_not_text(documents: dict[str, Document]) -> None:
    doc = documents["birmingham/birmingham-cc-3-safety-within-system-safeguarding.txt"]
    assert doc.title == "Birmingham City Council assessment"
    assert not any(s.text.startswith("(two crawls") for s in doc.sentences)


def test_title_less_page_takes_council_from_its_address(documents: dict[str, Document]) -> None:
    doc = documents[
        "birmingham/birmingham-cc-1-how-local-authority-works-people-assessing-needs.txt"
    ]
    assert doc.title == "Assessing needs"
    assert doc.authority_name == "Birmingham City Council"


def test_councils_named_in_the_body_are_not_the_subject(report: Document) -> None:
    # The report names its Bi-Borough partner and a neighbour; the subject is still one council.
    assert "Kensington and Chelsea" in report.text
    assert "Hammersmith and Fulham" in report.text
    assert report.authority_gss == WESTMINSTER


# -- structure ---------------------------------------------------------------------------------


@pytest.mark.parametrize("rel", [rel for rel, *_ in CORPUS])
def test_offsets_are_exact_and_nested(documents: dict[str, Document], rel: str) -> None:
    doc = documents[rel]
    text = doc.text
    for section in doc.sections:
        assert text[section.heading_start : section.heading_end] == section.heading
        assert section.path[-1] == section.heading and len(section.path) == section.level
        assert section.heading_start <= section.heading_end <= section.end
    previous_end = 0
    for p in doc.paragraphs:
        assert previous_end <= p.start < p.end
        previous_end = p.end
        assert text[p.start : p.end].strip() == text[p.start : p.end]
    for s in doc.sentences:
        assert text[s.start : s.end] == s.text
        paragraph = doc.paragraphs[s.paragraph]
        assert paragraph.start <= s.start < s.end <= paragraph.end, "sentence crosses passages"
        assert s.section == paragraph.section
        assert s.text == s.text.strip() and s.text


def test_full_report_outline(report: Document) -> None:
    statements = [s for s in report.sections if s.role is SectionRole.QUALITY_STATEMENT]
    in_themes = [s for s in statements if s.path[0].startswith("Theme")]
    assert {s.quality_statement for s in in_themes} == QUALITY_STATEMENTS
    assert len(in_themes) == 9 and all(s.level == 2 for s in in_themes)
    themes = [s for s in report.sections if s.role is SectionRole.THEME]
    assert {s.theme for s in themes} == THEMES and all(s.level == 1 for s in themes)
    # Markup levels differ (# / ## / ###) but each statement has the same shape.
    assert {s.markup_level for s in in_themes} == {1, 2, 3}
    for qs in in_themes:
        children = [s for s in report.sections if s.path[:2] == qs.path and s is not qs]
        assert any(c.heading.startswith("Key findings") for c in children)
        assert all(c.quality_statement == qs.quality_statement for c in children)
        assert all(c.theme == qs.theme for c in children)


def test_statement_runs_until_next_statement_whatever_the_levels(report: Document) -> None:
    pathways = next(
        s
        for s in report.sections
        if s.heading == "Safe pathways, systems and transitions" and s.level == 2
    )
    assert pathways.markup_level == 3
    # "## Safety during transitions" has a higher markup level than "### Safe pathways ..."
    during = next(s for s in report.sections if s.heading == "Safety during transitions")
    assert during.quality_statement == "safe-pathways-systems-and-transitions"
    assert during.path[1] == pathways.heading
    assert pathways.start < during.start < during.end <= pathways.end
    safeguarding = next(s for s in report.sections if s.heading == "Safeguarding" and s.level == 2)
    assert pathways.end < safeguarding.start


def test_score_marked_as_heading_is_a_sentence_of_its_statement(report: Document) -> None:
    line = report.text.index("## Score: 3")
    sentence = next(s for s in report.sentences if s.start >= line)
    assert sentence.text == "Score: 3" and sentence.start == line + 3
    assert report.section_of(sentence).quality_statement == "partnerships-and-communities"


def test_plain_what_people_expect_line_is_a_heading(report: Document) -> None:
    section = next(
        s
        for s in report.sections
        if s.heading == "What people expect" and s.quality_statement == "assessing-needs"
    )
    assert section.role is SectionRole.STATEMENT_PART and section.markup_level is None


def test_quality_statement_page_body_belongs_to_its_statement(
    documents: dict[str, Document],
) -> None:
    doc = documents["westminster-2024/qs-equity-experience-outcomes.txt"]
    heading = next(s for s in doc.sections if s.role is SectionRole.QUALITY_STATEMENT)
    after = [s for s in doc.sentences if s.start > heading.heading_end]
    assert after and all(
        doc.section_of(s).quality_statement == heading.quality_statement for s in after
    )
    assert [s.heading for s in doc.sections if s.level == 3] == [
        "What people expect",
        "The local authority commitment",
        "Key findings for this quality statement",
    ]


def test_navigation_links_are_not_headings(documents: dict[str, Document]) -> None:
    doc = documents["camden/camden-0225.txt"]
    assert [s.heading for s in doc.sections] == [
        "London Borough of Camden: local authority assessment",
        "About London Borough of Camden",
        "Demographics",
        "Financial facts",
    ]


def test_truncated_last_line_is_a_passage(documents: dict[str, Document]) -> None:
    doc = documents["hammersmith-and-fulham/hammersmithfulham-0525-theme2-partnerships.txt"]
    assert doc.sentences[-1].text == "Outside of these local a"
    assert doc.section_of(doc.sentences[-1]).heading.startswith("Key findings")


# -- sentences ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "sentence",
    [
        "70.44% of people felt they had control over their daily life, which is also lower than"
        " the England average of 77.21% (Adult Social Care Survey, 2023, ASCS).",
        "The local authority used data insight from the Homecare Transformation Programme and"
        " increased carers pay by £1.50 per hour, which was above the London Living Wage.",
        "In 2023/23, staff turnover rate was 5.3 %, which is lower than the London average of"
        " 13%, for local authorities in adult social care.",
        "The local authority estimated that in 2022/23, its total budget would be"
        " **£363,119,000**.",
        "Westminster has an Index Multiple Deprivation score of 5 (with 10 being the highest and"
        " most deprived) and is rated 87<sup>th</sup> out of 152 (1<sup>st</sup> being most"
        " deprived).",
    ],
)
def test_tricky_sentences_of_the_full_report(report: Document, sentence: str) -> None:
    assert sentence in {s.text for s in report.sentences}


def test_hard_line_breaks_and_list_markers(report: Document) -> None:
    texts = [s.text for s in report.sentences]
    i = texts.index("Westminster City Council")
    assert texts[i + 1] == "Good"
    assert "Assessing needs" in texts and "- Assessing needs" not in texts
    assert not any(t.startswith(("- ", "#", "* ")) for t in texts)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Pay rose by £1.50 per hour, e.g. for carers. It was good.",
         ["Pay rose by £1.50 per hour, e.g. for carers.", "It was good."]),
        ("Turnover was 5.3 %, below average. No. 5 was met.",
         ["Turnover was 5.3 %, below average.", "No. 5 was met."]),
        ("It said “we listen. We act.” Staff agreed.",
         ["It said “we listen. We act.”", "Staff agreed."]),
        ("Waits fell (from 6 to 4 weeks. See below). Then rose.",
         ["Waits fell (from 6 to 4 weeks. See below).", "Then rose."]),
        ("Dr. Smith led it. Was it good? Yes!", ["Dr. Smith led it.", "Was it good?", "Yes!"]),
        ("**Bold start** and end. Next one.", ["**Bold start** and end.", "Next one."]),
        ("## Score: 3", ["Score: 3"]),
    ],
)  # fmt: skip
def test_sentence_splitter(text: str, expected: list[str]) -> None:
    assert [text[a:b] for a, b in SentenceSplitter().split(text)] == expected


# -- broken files ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "rule", "line"),
    [
        ("empty.txt", "empty", 1),
        ("binary.txt", "binary", 3),
        ("latin1.txt", "encoding", 4),
        ("truncated-score.txt", "score-missing", 5),
        ("score-five.txt", "score-range", 3),
        ("two-councils.md", "council-conflict", 1),
        ("no-kind.txt", "kind-unknown", 1),
        ("no-council.txt", "council-unknown", 1),
        ("unknown-statement.md", "statement-unknown", 19),
    ],
)
def test_broken_file_is_refused_with_its_location(name: str, rule: str, line: int) -> None:
    path = BROKEN / name
    with pytest.raises(DocumentError) as caught:
        read_document(path)
    error = caught.value
    assert (error.rule, error.location.line) == (rule, line)
    assert Path(error.location.path) == path
    assert str(error).startswith(f"{path}:{line}") and f"[{rule}]" in str(error)
    assert "expected" in error.message


def test_encoding_error_names_the_byte() -> None:
    with pytest.raises(DocumentError, match=r"byte 151 \(0xa3\)"):
        read_document(BROKEN / "latin1.txt")


def test_oversized_file_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import cqckg.read.reader as reader

    monkeypatch.setattr(reader, "MAX_BYTES", 1000)
    with pytest.raises(DocumentError) as caught:
        read_document(FULL_REPORT)
    assert caught.value.rule == "size-limit"


# -- many files --------------------------------------------------------------------------------


def test_read_documents_expands_folders_sorted_without_readme() -> None:
    docs = read_documents([SOURCES])
    rels = [str(d.path.relative_to(SOURCES)) for d in docs]
    assert rels == sorted(rel for rel, *_ in CORPUS)


def test_read_documents_stops_at_first_bad_file(tmp_path: Path) -> None:
    shutil.copy(SOURCES / "camden" / "camden-0225.txt", tmp_path / "a.txt")
    shutil.copy(BROKEN / "score-five.txt", tmp_path / "b.txt")
    shutil.copy(BROKEN / "empty.txt", tmp_path / "c.txt")
    (tmp_path / "notes.csv").write_text("not read\n")
    with pytest.raises(DocumentError) as caught:
        read_documents([tmp_path])
    assert Path(caught.value.location.path).name == "b.txt"
