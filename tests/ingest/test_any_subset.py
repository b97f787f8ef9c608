"""Any subset of an assessment's documents makes the assessment: dates at the precision known,
the variants CQC publishes, sources that contradict themselves, documents that are not CQC's."""

from __future__ import annotations

import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest

from cqckg.core.errors import DocumentError
from cqckg.core.paths import sources_dir
from cqckg.core.vocabulary import load_vocabulary
from cqckg.extract.framework import extract_percentage, extract_scores
from cqckg.ingest import ingest
from cqckg.questions import run_question
from cqckg.read import parse_document
from cqckg.store import OxigraphStore
from cqckg.store.load import reference_graphs

EXCERPTS2 = Path(__file__).parent.parent / "data" / "sources"
HALTON = (EXCERPTS2 / "halton" / "press-release.txt").read_text(encoding="utf-8")
HARINGEY_PAGE = EXCERPTS2 / "haringey" / "haringey-0225-theme1-support.txt"
CAMDEN = sources_dir() / "camden"


def store() -> OxigraphStore:
    s = OxigraphStore(None)
    s.replace_graphs(reference_graphs())
    return s


def assessments(s: OxigraphStore) -> list[tuple[str, str, int]]:
    return [
        (str(r["authority_gss"]), str(r["published"]), int(r["statements_scored"]))
        for r in run_question(s, "assessments").records()
    ]


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


# -- dates --------------------------------------------------------------------------------------


def test_a_quality_statement_page_alone_is_dated_by_its_address_month(tmp_path: Path) -> None:
    s = store()
    (a,) = ingest([HARINGEY_PAGE], s).assessments
    assert (a.gss, a.published) == ("E09000014", "2025-02")
    assert assessments(s) == [("E09000014", "2025-02", 1)]


def test_a_month_joins_the_day_dated_assessment_of_that_month_when_it_arrives(
    tmp_path: Path,
) -> None:
    """The Haringey page first (a month), then a landing page stating the day: one assessment."""
    s = store()
    ingest([HARINGEY_PAGE], s)
    landing = write(
        tmp_path,
        "haringey-0225.txt",
        "Source: https://www.cqc.org.uk/care-services/local-authority-assessment-reports/"
        "haringey-0225\nLondon Borough of Haringey: local authority assessment\n"
        "How we assess local authorities\nAssessment published: 26 February 2025\n"
        "About London Borough of Haringey\nDemographics\nHaringey is a borough in north London.\n",
    )
    ingest([landing], s)
    assert assessments(s) == [("E09000014", "2025-02-26", 1)]
    # the page's score came along, and nothing is left under the month
    graphs = {str(g) for g in s.named_graphs()}
    assert not any(g.endswith("/E09000014/2025-02") for g in graphs)


def test_a_month_dated_page_joins_a_stored_day_dated_assessment() -> None:
    s = store()
    ingest([CAMDEN / "camden-0225.txt"], s)  # the landing page states 28 February 2025
    ingest([CAMDEN / "camden-0225-theme1-needs.txt"], s)  # only its address has the month
    assert assessments(s) == [("E09000007", "2025-02-28", 1)]


def test_nothing_giving_a_date_is_refused_naming_the_option() -> None:
    with pytest.raises(DocumentError) as info:
        ingest([EXCERPTS2 / "medway"], store())
    assert info.value.rule == "publication-date"
    assert "cqckg ingest --published YYYY-MM[-DD]" in str(info.value)


def test_published_option_sets_the_date_and_refuses_a_contradicting_address() -> None:
    s = store()
    ingest([EXCERPTS2 / "medway"], s, published="2025-03-14")
    assert assessments(s) == [("E06000035", "2025-03-14", 9)]
    with pytest.raises(DocumentError, match="published in 2025-02"):
        ingest([HARINGEY_PAGE], store(), published="2025-03")


def test_cli_without_a_date_gives_one_line_and_exit_2() -> None:
    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "cqckg.cli",
            "ingest",
            "--store",
            ":memory:",
            str(EXCERPTS2 / "medway"),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert run.returncode == 2
    assert "Traceback" not in run.stderr
    assert "press-release.txt:1: [publication-date]" in run.stderr
    bad = subprocess.run(
        [sys.executable, "-m", "cqckg.cli", "ingest", "--published", "14/03/2025", "x"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert bad.returncode == 2 and "expected YYYY-MM or YYYY-MM-DD" in bad.stderr


# -- a landing page alone ---------------------------------------------------------------------


def test_a_landing_page_alone_is_an_assessment_with_no_scores() -> None:
    s = store()
    ingest([EXCERPTS2 / "brent"], s)
    assert assessments(s) == [("E09000005", "2024-08-16", 0)]
    (row,) = run_question(s, "assessments").records()
    assert row["rating"] is None and row["percentage"] is None


# -- variants CQC publishes ---------------------------------------------------------------------


def test_scores_listed_with_bullets_or_numbers_and_statement_variants() -> None:
    vocab = load_vocabulary()
    doc = parse_document(HALTON, "press-release.txt")
    numbered = {s.quality_statement: s.score for s in extract_scores(doc, vocab)}
    bulleted_text = HALTON.replace("  1. ", "- ").replace("  5. ", "• ")
    for n in range(2, 10):
        bulleted_text = bulleted_text.replace(f"  {n}. ", "- ")
    bulleted = parse_document(bulleted_text, "press-release.txt")
    assert {s.quality_statement: s.score for s in extract_scores(bulleted, vocab)} == numbered
    # "Partnership and communities", "continuity of care", "lead healthier lives" all resolve
    assert numbered["partnerships-and-communities"] == 2
    assert numbered["care-provision-integration-and-continuity"] == 2
    assert numbered["supporting-people-to-live-healthier-lives"] == 3
    assert len(numbered) == 9


def test_pilot_scores_by_theme_name_with_numbers_in_words() -> None:
    """A pilot's release names a statement after its theme, the score in words; a theme alone
    names no statement and gives no score."""
    text = (
        "CQC rates Birmingham City Council's adult social care provision as good\n"
        "Published: 1 December 2023\n"
        "The Care Quality Commission (CQC), has rated Birmingham City Council as good.\n"
        "- How the local authority works with people – indicative score of two\n"
        "- Providing support (care provision, integration and continuity) – indicative score "
        "of three\n"
        "- Leadership (learning, improvement and innovation) – indicative score of four\n"
        "- How the local authority ensures safety within the system – safeguarding – "
        "indicative score of two\n"
        "- Providing support (care provision, integration and continuity; partnerships and "
        "communities) – indicative score of three\n"
        "- Leadership – indicative score of three\n"
    )
    doc = parse_document(text, "press-release.txt")
    scores = {
        s.quality_statement: (s.score, s.indicative) for s in extract_scores(doc, load_vocabulary())
    }
    assert scores == {
        "care-provision-integration-and-continuity": (3, True),
        "learning-improvement-and-innovation": (4, True),
        "safeguarding": (2, True),
    }


def test_summary_percentage_is_recorded_as_stated() -> None:
    doc = parse_document(
        (EXCERPTS2 / "croydon" / "croydon-1025-summary.txt").read_text(encoding="utf-8"),
        "croydon-1025-summary.txt",
    )
    stated = extract_percentage(doc)
    assert stated is not None and stated.value == 64
    assert (
        doc.text[stated.anchors[0].start : stated.anchors[0].end]
        == "Overall rating for Croydon: 64%"
    )


def test_a_stated_percentage_that_disagrees_with_the_scores_is_a_recorded_disagreement(
    tmp_path: Path,
) -> None:
    text = (EXCERPTS2 / "croydon" / "croydon-1025-summary.txt").read_text(encoding="utf-8")
    path = write(tmp_path, "croydon-summary.txt", text.replace(": 64%", ": 66%"))
    s = store()
    (a,) = ingest([path], s).assessments
    assert any(d.fact == "the percentage score" for d in a.extraction.disagreements)
    (row,) = run_question(s, "assessments").records()
    assert Decimal(str(row["percentage"])) == 66  # as stated, not replaced


def test_headline_forms_are_press_releases() -> None:
    for headline in (
        "CQC publishes report on Halton Borough Council’s Care Act responsibilities",
        "CQC rates Halton Borough Council’s adult social care provision as good",
    ):
        text = HALTON.replace(HALTON.splitlines()[1], headline)
        assert parse_document(text, "release.txt").kind.value == "press-release"


def test_landing_page_without_downloads_line_and_copied_by_another_site(tmp_path: Path) -> None:
    text = (EXCERPTS2 / "derby" / "derby-0824_mirror-gl-cqc-axis12.txt").read_text(encoding="utf-8")
    doc = parse_document(text.replace("Downloads\n\n", ""), "derby.txt")
    assert (doc.kind.value, doc.authority_gss) == ("landing-page", "E06000015")
    assert doc.address_month == "2024-08"


# -- sources that contradict themselves -------------------------------------------------------


def test_a_release_naming_another_council_in_its_body_keeps_its_headline_council(
    tmp_path: Path,
) -> None:
    slip = HALTON.replace(
        "has rated Halton Borough Council as good", "has rated Medway Council as good"
    )
    path = write(tmp_path, "press-release.txt", slip)
    (a,) = ingest([path], store()).assessments
    assert a.gss == "E06000006"
    assert any("Medway Council" in w and "kept Halton Borough Council" in w for w in a.warnings)


def test_a_release_whose_body_uses_another_rating_keeps_the_headline_rating(
    tmp_path: Path,
) -> None:
    slip = HALTON.replace("Halton Borough Council as good", "Halton Borough Council as outstanding")
    path = write(tmp_path, "press-release.txt", slip)
    (a,) = ingest([path], store()).assessments
    assert a.extraction.rating is not None and a.extraction.rating.rating == "good"
    assert [d.fact for d in a.extraction.disagreements] == ["the overall rating"]


# -- not a CQC document -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        # a news article quoting scores
        "Council rated good by care watchdog\nBy a local reporter, 5 July 2025\n"
        "Halton Borough Council has been rated good by the Care Quality Commission. Inspectors "
        "scored it 3 out of 4 for supporting people to lead healthier lives and 2 for assessing "
        "people's needs.\n",
        # a council's own press page
        "News from Halton Borough Council\nCouncil welcomes CQC rating\nPublished: 4 July 2025\n"
        "We are delighted that CQC has given our adult social care a good rating. The leader "
        "of the council said the result reflected the hard work of staff.\n",
    ],
    ids=["news-article", "council-press-page"],
)
def test_not_a_cqc_document_is_refused_as_kind_unknown(text: str) -> None:
    with pytest.raises(DocumentError) as info:
        parse_document(text, "page.txt")
    assert info.value.rule == "kind-unknown"


# -- layouts ----------------------------------------------------------------------------------

CROYDON = (EXCERPTS2 / "croydon" / "croydon-1025-summary.txt").read_text(encoding="utf-8")
BRENT = (EXCERPTS2 / "brent" / "brent-0824.txt").read_text(encoding="utf-8")


def summary_facts(text: str) -> tuple[str, str | None, dict[str, int], int | None]:
    from cqckg.extract.framework import extract_rating

    vocab = load_vocabulary()
    doc = parse_document(text, "summary.txt")
    rating = extract_rating(doc, vocab)
    pct = extract_percentage(doc)
    return (
        doc.kind.value,
        None if rating is None else rating.rating,
        {s.quality_statement: s.score for s in extract_scores(doc, vocab)},
        None if pct is None else pct.value,
    )


@pytest.mark.parametrize(
    "layout",
    ["as published", "no blank lines", "dash bullets", "no bullets", "no downloads line"],
)
def test_summary_page_layouts_give_the_same_facts(layout: str) -> None:
    text = {
        "as published": CROYDON,
        "no blank lines": "\n".join(line for line in CROYDON.splitlines() if line.strip()),
        "dash bullets": CROYDON.replace("•", "-"),
        "no bullets": CROYDON.replace("  • ", "").replace("    ", ""),
        "no downloads line": CROYDON.replace("Downloads\n\n", ""),
    }[layout]
    kind, rating, scores, pct = summary_facts(text)
    assert (kind, rating, pct, len(scores)) == ("overall-summary", "good", 64, 9)
    assert scores["equity-in-experience-and-outcomes"] == 3


def test_a_2024_summary_states_its_percentage_in_words() -> None:
    text = CROYDON.replace(
        "Overall rating for Croydon: 64%", "The local authority scored 64 out of 100 overall."
    )
    assert summary_facts(text)[3] == 64


@pytest.mark.parametrize("layout", ["blank lines", "no blank lines", "dash bullets"])
def test_landing_page_layouts(layout: str) -> None:
    text = {
        "blank lines": BRENT,
        "no blank lines": "\n".join(line for line in BRENT.splitlines() if line.strip()),
        "dash bullets": BRENT.replace("  • ", "- "),
    }[layout]
    doc = parse_document(text, "landing.txt")
    assert (doc.kind.value, doc.authority_gss, str(doc.published)) == (
        "landing-page",
        "E09000005",
        "2024-08-16",
    )


@pytest.mark.parametrize("dash", ["-", "–", "—"])
def test_descriptor_with_the_band_name_and_any_dash(dash: str) -> None:
    page = (EXCERPTS2 / "barnet" / "barnet-0125-theme1-support.txt").read_text(encoding="utf-8")
    text = page.replace(
        "Score: 2\n2 - Evidence shows", f"Score:\n1 {dash} Inadequate: Evidence shows"
    )
    doc = parse_document(text, "page.txt")
    (score,) = extract_scores(doc, load_vocabulary())
    assert (score.quality_statement, score.score) == (
        "supporting-people-to-live-healthier-lives",
        1,
    )


def test_an_undated_page_joins_the_runs_assessment_not_an_older_stored_one(
    tmp_path: Path,
) -> None:
    """A council assessed again: the store holds the first assessment; the new run brings the
    second one's landing page and an undated page, which belongs to the run's assessment."""
    s = store()
    westminster = sources_dir() / "westminster-2024"
    ingest([westminster / "full-report.md"], s)
    run = tmp_path / "second"
    run.mkdir()
    write(
        run,
        "westminster-0126.txt",
        "City of Westminster: local authority assessment\nHow we assess local authorities\n"
        "Assessment published: 15 January 2026\nAbout City of Westminster\nDemographics\n"
        "Westminster is a borough in central London.\n",
    )
    page = (westminster / "qs-equity-experience-outcomes.txt").read_text(encoding="utf-8")
    write(run, "qs-equity.txt", page)
    (a,) = ingest([run], s).assessments
    assert (a.published, len(a.documents)) == ("2026-01-15", 2)
    assert [x[1] for x in assessments(s)] == ["2024-11-08", "2026-01-15"]
