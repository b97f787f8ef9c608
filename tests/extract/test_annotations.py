"""The gold annotations in tests/data/annotations are well formed and point at real text."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from evaluate import KINDS, quote_span, source_path

ROOT = Path(__file__).resolve().parent.parent.parent
ANNOTATIONS = ROOT / "tests" / "data" / "annotations"
SOURCES = ROOT / "graph" / "sources"
# held-out pages of councils the shipped graph does not hold, annotated before any extractor ran
HELD_OUT = ROOT / "tests" / "data" / "sources"

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
RATINGS = {"outstanding", "good", "requires-improvement", "inadequate"}
GAP_KINDS = {"area-for-development", "shortfall", "risk", "waiting", "below-average"}
COMPARATORS = {"england", "london", "regional", "national"}
DIRECTIONS = {"higher", "lower", "similar"}
BASES = {"stated", "same-passage", "shared-topic"}
TOP_KEYS = {"document", "authority_gss", "published", "pilot", "indicative", *KINDS}
SLUG = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")

FILES = sorted(ANNOTATIONS.glob("*.json"))


def _load(path: Path) -> dict[str, Any]:
    return json.loads(path.read_text(encoding="utf-8"))


def _text(ann: dict[str, Any]) -> str:
    return source_path(ann["document"]).read_bytes().decode("utf-8")


def _fold(s: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"[‘’'\"“”]", "", s)).lower()


def test_every_source_document_is_annotated() -> None:
    sources = {
        p.relative_to(root).as_posix()
        for root in (SOURCES, HELD_OUT)
        for p in root.rglob("*")
        if p.is_file() and p.suffix in {".md", ".txt"} and p.stem != "README"
    }
    annotated = {_load(f)["document"] for f in FILES}
    assert sources == annotated


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.stem)
def test_file_name_follows_document(path: Path) -> None:
    ann = _load(path)
    folder, name = ann["document"].split("/", 1)
    assert path.name == f"{folder}-{Path(name).stem}.json"


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.stem)
def test_schema(path: Path) -> None:
    ann = _load(path)
    assert set(ann) >= TOP_KEYS, TOP_KEYS - set(ann)
    assert re.fullmatch(r"E\d{8}", ann["authority_gss"])
    # null when the page states no date (the note says what its address suggests)
    assert ann["published"] is None or re.fullmatch(r"\d{4}-\d{2}-\d{2}", ann["published"])
    assert ann["published"] is not None or ann.get("published_note")
    assert isinstance(ann.get("strengths_complete", False), bool)
    assert isinstance(ann["pilot"], bool) and isinstance(ann["indicative"], bool)
    assert ann["rating"] is None or ann["rating"] in RATINGS
    for qs, score in ann["scores"].items():
        assert qs in QUALITY_STATEMENTS and score in (1, 2, 3, 4)
    for kind in ("statistics", "strategies", "partners", "gaps", "strengths", "links"):
        for item in ann[kind]:
            qs = item.get("quality_statement")
            assert qs is None or qs in QUALITY_STATEMENTS, (kind, qs)
            assert isinstance(item.get("borderline", False), bool)
    for s in ann["statistics"]:
        assert s["comparator"] in COMPARATORS and s["direction"] in DIRECTIONS
        assert s["measure"] and s["unit"]
        if not s.get("borderline"):
            assert s["value"] is not None and s["comparator_value"] is not None
            float(s["value"]), float(s["comparator_value"])
        assert s["source"] is None or SLUG.match(s["source"])
        assert s["source_text"] is None or s["source_text"] in s["quote"]
    for s in ann["strategies"]:
        assert s["title"] and SLUG.match(s["kind"]) and isinstance(s["co_producers"], list)
        for year in (s["start_year"], s["end_year"]):
            assert year is None or 1990 <= year <= 2050
        if s["start_year"] and s["end_year"]:
            assert s["start_year"] <= s["end_year"]
    for p in ann["partners"]:
        assert p["name"] and SLUG.match(p["partner_type"])
    ids = [g["id"] for g in ann["gaps"]]
    assert len(ids) == len(set(ids))
    for g in ann["gaps"]:
        assert g["gap_kind"] in GAP_KINDS and isinstance(g["topics"], list)
    gaps = {g["id"]: g for g in ann["gaps"]}
    titles = {s["title"] for s in ann["strategies"]}
    for link in ann["links"]:
        assert link["basis"] in BASES
        assert link["strategy"] in titles, link["strategy"]
        gap = gaps[link["gap_id"]]
        assert link["gap"] == gap["quote"]
        if gap.get("borderline"):
            assert link.get("borderline"), f"link to a borderline gap must be borderline: {link}"
    for st in ann["statement_texts"]:
        assert st["person"] in ("I", "We") and st["quality_statement"] in QUALITY_STATEMENTS
        assert st["text"] == st["quote"]


def _quoted(ann: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    out = []
    for kind in ("statistics", "strategies", "partners", "gaps", "strengths", "statement_texts"):
        out += [(kind, item) for item in ann[kind]]
    return out


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.stem)
def test_quotes_are_verbatim_and_unambiguous(path: Path) -> None:
    ann = _load(path)
    text = _text(ann)
    for kind, item in _quoted(ann):
        assert item["quote"] and item["quote"] == item["quote"].strip(), (kind, item["quote"])
        quote_span(text, item["quote"], item.get("occurrence"))  # raises if absent or ambiguous
    for link in ann["links"]:
        quote_span(text, link["gap"], link.get("gap_occurrence"))
        if link.get("quote"):
            assert link["quote"] in text
    if ann.get("rating_quote"):
        assert ann["rating_quote"] in text
    if ann["rating"] is not None:
        assert ann.get("rating_quote"), "a rating needs the quote that states it"


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.stem)
def test_names_occur_in_the_document(path: Path) -> None:
    ann = _load(path)
    text = _fold(_text(ann))
    for s in ann["strategies"]:
        names = [s["title"], *s["variants"]]
        assert any(_fold(n) in text for n in names), names
        for v in s["variants"]:
            assert _fold(v) in text, v
    for p in ann["partners"]:
        names = [p["name"], *p["variants"]]
        bare = [re.sub(r"\s*\([^)]*\)", "", n) for n in names]
        assert any(_fold(n) in text for n in names + bare), names
        for v in p["variants"]:
            assert _fold(v) in text, v


def test_westminster_full_report_meets_the_careful_reader_counts() -> None:
    ann = _load(ANNOTATIONS / "westminster-2024-full-report.json")

    def firm(kind: str) -> int:
        return sum(not item.get("borderline") for item in ann[kind])

    assert firm("statistics") >= 18
    assert firm("strategies") >= 30
    assert firm("partners") >= 35
    assert firm("gaps") >= 40
    assert firm("links") >= 40
    assert len(ann["scores"]) == 9 and ann["rating"] == "good"
    assert len(ann["statement_texts"]) >= 18


def test_variants_merge_under_one_strategy() -> None:
    ann = _load(ANNOTATIONS / "westminster-2024-full-report.json")
    hwb = [s for s in ann["strategies"] if "Health and Wellbeing Strategy" in s["title"]]
    assert len(hwb) == 1
    assert "Health and Wellbeing Strategy 2023-2033" in hwb[0]["variants"]
