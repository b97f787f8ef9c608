"""The finding cues and template texts of graph/cues.ttl: every pattern compiles, every cue is
weighed, and a broken cue is refused with a one-line error naming the file, the line and the cue."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from rdflib import Graph, URIRef
from rdflib.namespace import RDF

from cqckg.core.errors import DocumentError
from cqckg.core.namespaces import CQC
from cqckg.core.paths import graph_dir
from cqckg.core.vocabulary import load_vocabulary
from cqckg.extract.cues import CUES_FILE, concept_group, finding_cues, text_pattern, word_list
from cqckg.extract.findings import explain
from cqckg.extract.records import GapKind

SHIPPED = graph_dir() / CUES_FILE
GRAPH = Graph().parse(SHIPPED, format="turtle")
CUES = sorted(str(s) for s in GRAPH.subjects(RDF.type, CQC.FindingCue))
TEXT_PATTERNS = sorted(str(s) for s in GRAPH.subjects(RDF.type, CQC.TextPattern))
WORD_LISTS = sorted(str(s) for s in GRAPH.subjects(RDF.type, CQC.WordList))


def _slug(iri: str) -> str:
    return iri.rpartition("/")[2]


@pytest.mark.parametrize("iri", CUES + TEXT_PATTERNS, ids=_slug)
def test_each_pattern_compiles_line_by_line(iri: str) -> None:
    (pattern,) = GRAPH.objects(predicate=CQC.pattern, subject=URIRef(iri))
    lines = [line.strip() for line in str(pattern).splitlines() if line.strip()]
    assert lines, f"{_slug(iri)} has no alternative"
    for line in lines:
        re.compile(line, re.IGNORECASE)


def test_text_patterns_keep_their_spaces_and_anchors() -> None:
    # "i[ ]": an I statement's line, not a word beginning with i
    line = text_pattern("template-line", "^(?:", ")")
    assert line.match("I feel safe") and not line.match("Inclusion was good")
    heading = text_pattern("no-findings-heading", "^(?:", ")")
    assert heading.match("Local authority indicative rating") and not heading.match("Rating")


@pytest.mark.parametrize("iri", WORD_LISTS, ids=_slug)
def test_each_word_list_has_whole_lower_case_words(iri: str) -> None:
    words = word_list(_slug(iri))
    assert words and all(w == w.strip().lower() and "  " not in w for w in words)


def test_a_lower_case_head_is_read_longest_first() -> None:
    """The word list is a set; the longest head wins ("partnership board", not "partnership")."""
    from cqckg.extract.partners import find_partner_names

    text = "We met the Carers partnership board and the BAME steering group every month."
    names = [n for n, *_ in find_partner_names(text)]
    assert names == ["Carers partnership board", "BAME steering group"]


def test_every_cue_is_weighed_once_in_one_group() -> None:
    cues = finding_cues()
    names = [c.name for g in (cues.negated_problems, cues.gaps, cues.strengths) for c in g]
    assert sorted(names) == sorted(_slug(c) for c in CUES)
    assert len(names) == len(set(names))
    # the groups keep the order the Turtle lists: explanations name cues in that order
    assert names.index("not-always") < names.index("negated-action") < names.index("positive")


def test_gap_cues_carry_their_gap_kind() -> None:
    cues = {c.name: c for c in finding_cues().gaps}
    assert cues["waiting"].gap_kind is GapKind.WAITING
    assert cues["not-always"].gap_kind is GapKind.SHORTFALL
    assert cues["however"].gap_kind is None
    assert all(c.gap_kind is None for c in finding_cues().strengths)


def test_a_cue_is_what_explain_names() -> None:
    text = "Staff told us the service was not always available."
    assert "not-always" in explain(text)


# -- broken cues --------------------------------------------------------------------------


def _broken(tmp_path: Path, old: str, new: str) -> Path:
    text = SHIPPED.read_text(encoding="utf-8")
    assert text.count(old) == 1, old
    (tmp_path / CUES_FILE).write_text(text.replace(old, new), encoding="utf-8")
    return tmp_path


def _error(directory: Path) -> DocumentError:
    with pytest.raises(DocumentError) as err:
        finding_cues(directory)
    message = str(err.value)
    assert "\n" not in message, "one line"
    assert message.startswith(f"{directory.resolve() / CUES_FILE}:"), message
    return err.value


def _line_of(directory: Path, text: str) -> int:
    lines = (directory / CUES_FILE).read_text(encoding="utf-8").splitlines()
    return next(i for i, line in enumerate(lines, 1) if line.strip() == text)


def test_a_pattern_that_does_not_compile_is_refused_naming_file_line_and_cue(
    tmp_path: Path,
) -> None:
    d = _broken(tmp_path, "\\\\bnot always\\\\b\n", "\\\\bnot (always\\\\b\n")
    err = _error(d)
    assert err.rule == "cue-pattern"
    assert "finding cue not-always" in err.message
    assert "missing )" in err.message
    assert err.location.line == _line_of(d, "\\\\bnot (always\\\\b")


def test_a_cue_without_a_weight_is_refused(tmp_path: Path) -> None:
    head = "cue:lack a cqc:FindingCue ;"
    text = SHIPPED.read_text(encoding="utf-8")
    start = text.index(head)
    weight = text.index("    cqc:cueWeight 2.0 ;\n", start)
    (tmp_path / CUES_FILE).write_text(text[:weight] + text[weight + 24 :], encoding="utf-8")
    err = _error(tmp_path)
    assert err.rule == "finding-cue" and "finding cue lack" in err.message
    assert err.location.line == _line_of(tmp_path, head)


def test_an_unknown_gap_kind_is_refused(tmp_path: Path) -> None:
    d = _broken(
        tmp_path,
        "    cqc:indicatesGapKind gap:below-average ;",
        "    cqc:indicatesGapKind gap:below-par ;",
    )
    err = _error(d)
    assert "finding cue below-average" in err.message and "below-par" in err.message


def test_a_missing_group_is_refused(tmp_path: Path) -> None:
    d = _broken(
        tmp_path,
        "group:strength a skos:OrderedCollection , cqc:FindingCueGroup ;",
        "group:strong a skos:OrderedCollection , cqc:FindingCueGroup ;",
    )
    err = _error(d)
    assert err.rule == "finding-cue-group" and "finding-cue-group/strength" in err.message


def test_concept_groups_keep_their_order_and_name_real_concepts() -> None:
    vocab = load_vocabulary()
    kinds = concept_group("strategy-kinds-by-breadth")
    assert kinds[:2] == ("strategy", "vision") and kinds[-1] == "grant"  # the list's order
    for slug, scheme in (
        ("strategy-kinds-by-breadth", "strategy-kind"),
        ("broad-topics", "topic"),
        ("named-body-partner-types", "partner-type"),
    ):
        members = concept_group(slug)
        assert members and all(vocab.concept(scheme, m) for m in members), slug


def test_an_empty_concept_group_is_refused(tmp_path: Path) -> None:
    d = _broken(
        tmp_path,
        "    skos:member\n        <https://w3id.org/cqc-kg/id/topic/co-production> ,",
        "    skos:related\n        <https://w3id.org/cqc-kg/id/topic/co-production> ,",
    )
    with pytest.raises(DocumentError) as caught:
        concept_group("broad-topics", d)
    err = caught.value
    assert err.rule == "concept-group" and "broad-topics" in err.message
    assert err.location.line is not None


def test_turtle_that_does_not_parse_is_refused_at_its_line(tmp_path: Path) -> None:
    d = _broken(
        tmp_path, "cue:lack a cqc:FindingCue ;", "cue:lack a cqc:FindingCue cqc:cueWeight ;"
    )
    err = _error(d)
    assert err.rule == "turtle-syntax"
    assert err.location.line == _line_of(d, "cue:lack a cqc:FindingCue cqc:cueWeight ;")


def test_a_broken_text_pattern_is_refused_naming_it(tmp_path: Path) -> None:
    d = _broken(tmp_path, "        financial facts\n", "        financial [facts\n")
    with pytest.raises(DocumentError) as err:
        text_pattern("no-findings-heading", directory=d)
    assert "text pattern no-findings-heading" in err.value.message
    assert err.value.location.line == _line_of(d, "financial [facts")


def test_a_missing_word_list_is_refused_naming_it(tmp_path: Path) -> None:
    d = _broken(tmp_path, "words:title-head a cqc:WordList ;", "words:title-heads a cqc:WordList ;")
    with pytest.raises(DocumentError) as err:
        word_list("title-head", d)
    assert err.value.rule == "word-list" and "word list title-head" in err.value.message


def test_a_cue_in_no_group_is_refused(tmp_path: Path) -> None:
    d = _broken(tmp_path, "        cue:improved\n", "")
    err = _error(d)
    assert err.rule == "finding-cue-group" and "finding cue improved is in no group" in err.message
    assert err.location.line == _line_of(d, "cue:improved a cqc:FindingCue ;")
