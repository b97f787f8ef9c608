"""The framework and vocabularies, checked against the SKOS rules and against the real corpus."""

from __future__ import annotations

import itertools
import re
from collections import defaultdict
from decimal import Decimal
from pathlib import Path

import pytest
from rdflib import Graph, URIRef
from rdflib.collection import Collection
from rdflib.namespace import DCAT, DCTERMS, RDF, RDFS, SKOS

from cqckg.core.namespaces import CQC
from cqckg.core.paths import graph_dir, sources_dir
from cqckg.core.vocabulary import VOCABULARY_FILES, Vocabulary, _squash, load_vocabulary
from cqckg.extract.records import ComparatorArea, Direction, EvidenceCategory, GapKind, LinkBasis
from cqckg.read.model import DocumentKind

ROOT = Path(__file__).resolve().parents[2]
DOCUMENTS = sorted(
    p for p in sources_dir().rglob("*") if p.suffix in (".md", ".txt") and p.name != "README.md"
)
FULL_REPORTS = [p for p in DOCUMENTS if p.name == "full-report.md"]


@pytest.fixture(scope="module")
def v() -> Vocabulary:
    return load_vocabulary()


@pytest.fixture(scope="module")
def graph() -> Graph:
    g = Graph()
    for name in VOCABULARY_FILES:
        g.parse(graph_dir() / name, format="turtle")
    return g


def _sentences(text: str) -> list[str]:
    flat = re.sub(r"\s+", " ", text)
    return [s.strip() for s in re.split(r"(?<=[.!?])\s+(?=[A-Z“\"])", flat) if s.strip()]


# -- the files --------------------------------------------------------------------------------


@pytest.mark.parametrize("name", VOCABULARY_FILES)
def test_file_parses(name: str) -> None:
    assert len(Graph().parse(graph_dir() / name, format="turtle")) > 20


def test_files_say_they_are_the_source() -> None:
    """The Turtle is edited directly (no generator writes it)."""
    for name in VOCABULARY_FILES:
        first = (graph_dir() / name).read_text(encoding="utf-8").splitlines()[0]
        assert first.startswith("# ") and "Generated" not in first, name


def test_every_concept_is_well_formed(graph: Graph) -> None:
    concepts = set(graph.subjects(SKOS.inScheme, None))
    assert len(concepts) > 200
    schemes = set(graph.subjects(RDF.type, SKOS.ConceptScheme))
    for c in concepts:
        labels = list(graph.objects(c, SKOS.prefLabel))
        assert len(labels) == 1 and labels[0].language == "en", f"{c}: one English prefLabel"
        assert graph.value(c, SKOS.definition) is not None, f"{c} has no definition"
        for scheme in graph.objects(c, SKOS.inScheme):
            assert scheme in schemes, f"{c} is in {scheme}, which is not a ConceptScheme"
        for b in graph.objects(c, SKOS.broader):
            assert (b, SKOS.narrower, c) in graph, f"{b} lacks skos:narrower {c}"
        for n in graph.objects(c, SKOS.narrower):
            assert (n, SKOS.broader, c) in graph, f"{n} lacks skos:broader {c}"
        # a concept is at the top of its scheme exactly when it has nothing broader
        tops = set(graph.objects(c, SKOS.topConceptOf))
        assert bool(tops) != bool(graph.value(c, SKOS.broader)), c
        assert tops <= set(graph.objects(c, SKOS.inScheme)), c
        for scheme in tops:
            assert (scheme, SKOS.hasTopConcept, c) in graph, f"{scheme} lacks hasTopConcept {c}"
        types = set(graph.objects(c, RDF.type))
        assert len(types) == 1, f"{c}: one class"
    for s in schemes:
        assert graph.value(s, SKOS.prefLabel) and graph.value(s, SKOS.definition), s
        assert graph.value(s, RDFS.label) == graph.value(s, SKOS.prefLabel), s
        for top in graph.objects(s, SKOS.hasTopConcept):
            assert (top, SKOS.topConceptOf, s) in graph, f"{top} lacks topConceptOf {s}"


def test_every_labelled_resource_is_in_a_scheme(graph: Graph) -> None:
    """Nothing labelled is left out of the concept schemes (a scheme, a dataset or a collection
    of concepts aside)."""
    ordered = set(graph.subjects(RDF.type, SKOS.OrderedCollection))
    collections = ordered | set(graph.subjects(RDF.type, SKOS.Collection))
    outside = {
        *graph.subjects(RDF.type, SKOS.ConceptScheme),
        *graph.subjects(RDF.type, DCAT.Dataset),
        *collections,
    }
    for s in set(graph.subjects(SKOS.prefLabel, None)) - outside:
        assert graph.value(s, SKOS.inScheme) is not None, s
    for c in collections:
        if c in ordered:
            members = list(Collection(graph, graph.value(c, SKOS.memberList)))
        else:
            members = list(graph.objects(c, SKOS.member))
        assert members, f"{c}: no members"
        for m in members:
            assert graph.value(m, SKOS.inScheme) is not None, f"{c} lists {m}, in no scheme"


def test_datasets_say_title_licence_and_source(graph: Graph) -> None:
    ogl = URIRef("http://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/")
    datasets = set(graph.subjects(RDF.type, DCAT.Dataset))
    assert len(datasets) == len(VOCABULARY_FILES)
    for d in datasets:
        for p in (DCTERMS.title, DCTERMS.description, DCTERMS.license):
            assert graph.value(d, p) is not None, (d, p)
        if graph.value(d, DCTERMS.license) == ogl:  # CQC's words: say whose and where from
            assert graph.value(d, DCTERMS.source) is not None, d
            assert str(graph.value(d, DCTERMS.rightsHolder)) == "Care Quality Commission", d


def test_signals_are_lower_case_and_trimmed(graph: Graph) -> None:
    for s, signal in graph.subject_objects(CQC.signal):
        assert str(signal) == str(signal).strip().lower(), f"{s}: {signal!r}"


def test_no_council_is_named_in_a_signal_or_label(graph: Graph) -> None:
    names = re.compile(r"westminster|camden|hammersmith|fulham|birmingham|kensington", re.I)
    for s, p, o in graph:
        if p in (CQC.signal, SKOS.prefLabel, SKOS.altLabel, SKOS.hiddenLabel):
            assert not names.search(str(o)), f"{s} {p} {o!r}"


# -- the framework ----------------------------------------------------------------------------


def test_themes_and_statements(v: Vocabulary) -> None:
    assert [t.notation for t in v.themes.values()] == ["1", "2", "3", "4"]
    assert [q.notation for q in v.quality_statements.values()] == [
        "1.1", "1.2", "1.3", "2.1", "2.2", "3.1", "3.2", "4.1", "4.2",
    ]  # fmt: skip
    for q in v.quality_statements.values():
        theme = v.themes[q.theme]
        assert q.notation.split(".")[0] == theme.notation
        assert q.slug in theme.quality_statements
        assert q.i_statements or q.we_statement, q.slug


@pytest.mark.parametrize("report", FULL_REPORTS, ids=lambda p: p.parent.name)
def test_i_and_we_statements_are_worded_as_in_the_report(v: Vocabulary, report: Path) -> None:
    text = report.read_text(encoding="utf-8")
    for q in v.quality_statements.values():
        assert q.we_statement is not None and q.we_statement.text in text, q.slug
        for i in q.i_statements:
            assert i.text in text, i.iri


def _score_headings(text: str) -> list[tuple[int, str]]:
    """(offset, heading) for each line that a 'Score: n' or 'Indicative score:' line follows."""
    out = []
    lines = text.splitlines(keepends=True)
    offsets = [0]
    for line in lines:
        offsets.append(offsets[-1] + len(line))
    for i, line in enumerate(lines):
        if re.match(r"^\s*#*\s*(?:indicative )?score\s*:", line, re.I):
            j = i - 1
            while j >= 0 and not lines[j].strip():
                j -= 1
            out.append((offsets[i], lines[j].strip()))
    return out


@pytest.mark.parametrize("doc", DOCUMENTS, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_score_headings_name_the_statement_whose_commitment_follows(
    v: Vocabulary, doc: Path
) -> None:
    """Each score-bearing heading maps to the statement whose We statement comes next.

    In summary lists (no We statement before the next score) the headings run in the
    framework's order instead.
    """
    text = re.sub(r"[’‘]", "'", doc.read_text(encoding="utf-8"))
    headings = _score_headings(text)
    listed: list[str | None] = []
    for n, (start, heading) in enumerate(headings):
        end = headings[n + 1][0] if n + 1 < len(headings) else len(text)
        window = re.sub(r"\s+", " ", text[start:end])
        expected = [
            q.slug
            for q in v.quality_statements.values()
            if q.we_statement and q.we_statement.text.replace("’", "'")[:60] in window
        ]
        found = v.quality_statement_for(heading)
        if expected:
            assert found == expected[0], f"{heading!r} -> {found}, expected {expected[0]}"
        else:
            listed.append(found)
    if listed:
        order = list(v.quality_statements)
        assert None not in listed, listed
        assert listed == sorted(listed, key=order.index), listed


@pytest.mark.parametrize("doc", DOCUMENTS, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_numbered_score_lists_follow_the_framework(v: Vocabulary, doc: Path) -> None:
    """Press releases list the nine statements numbered 1-9 in the framework's order."""
    items = re.findall(r"^\s*(\d)\.\s+(.+?)\s*[-–]\s*\d\s*$", doc.read_text("utf-8"), re.M)
    order = list(v.quality_statements)
    for number, name in items:
        assert v.quality_statement_for(name) == order[int(number) - 1], name


@pytest.mark.parametrize("report", FULL_REPORTS, ids=lambda p: p.parent.name)
def test_theme_headings_without_their_number(v: Vocabulary, report: Path) -> None:
    headings = re.findall(r"^#+\s*Theme (\d):\s*(.+)$", report.read_text("utf-8"), re.M)
    assert len(headings) == 4
    by_notation = {t.notation: t.slug for t in v.themes.values()}
    for number, rest in headings:
        assert v.theme_for(rest) == by_notation[number], rest


@pytest.mark.parametrize("report", FULL_REPORTS, ids=lambda p: p.parent.name)
def test_other_headings_name_no_statement(v: Vocabulary, report: Path) -> None:
    text = report.read_text("utf-8")
    scored = {h for _, h in _score_headings(text)}
    for heading in re.findall(r"^#+\s*(.+)$", text, re.M):
        if f"## {heading}" in scored or heading in scored or heading.startswith("Theme"):
            continue
        if any(f"#{'#' * k} {heading}" in scored for k in range(4)):
            continue
        assert v.quality_statement_for(heading) is None, heading


def test_addresses_in_the_corpus_name_theme_and_statement(v: Vocabulary) -> None:
    """CQC's page addresses carry the theme ('3-safety-within-system') and statement."""
    checked = 0
    for doc in DOCUMENTS:
        first = doc.read_text("utf-8").splitlines()[0]
        m = re.search(r"/(\d)-([a-z-]+)/([a-z-]+)$", first)
        if not m:
            continue
        theme = v.theme_for(f"{m.group(1)}-{m.group(2)}")
        assert theme is not None and v.themes[theme].notation == m.group(1), first
        qs = v.quality_statement_for(m.group(3))
        assert qs is not None and v.quality_statements[qs].theme == theme, first
        checked += 1
    assert checked >= 3


def test_lead_and_live_and_other_variants(v: Vocabulary) -> None:
    assert v.quality_statement_for("SUPPORTING PEOPLE TO LEAD HEALTHIER LIVES") == (
        "supporting-people-to-live-healthier-lives"
    )
    assert v.quality_statement_for("“Partnership & communities”") == "partnerships-and-communities"
    assert v.quality_statement_for("Learning, improvment and innovation") == (
        "learning-improvement-and-innovation"
    )
    assert v.quality_statement_for("Leadership") is None
    assert v.theme_for("Assessing needs") is None


def test_framework_statement_for_printed_variants(v: Vocabulary) -> None:
    printed = (
        "“I have care and support that is co-ordinated, and everyone works well together "
        "and with me."
    )
    assert v.framework_statement_for("assessing-needs", printed) == (
        "https://w3id.org/cqc-kg/id/framework/i-statement/assessing-needs-1"
    )
    assert v.framework_statement_for("safeguarding", printed) is None


# -- scores and ratings -----------------------------------------------------------------------


def test_score_levels(v: Vocabulary) -> None:
    assert sorted(v.score_levels) == [1, 2, 3, 4]
    assert v.score_for_label("3 – Evidence shows a good standard") == 3
    assert v.score_for_label("4 - Evidence shows an exceptional standard") == 4


def test_rating_bands_cover_25_to_100_once(v: Vocabulary) -> None:
    bands = sorted(v.rating_bands.values(), key=lambda b: b.lower)
    assert bands[0].lower == Decimal("25.00") and bands[-1].upper == Decimal("100.00")
    for a, b in itertools.pairwise(bands):
        assert b.lower - a.upper == Decimal("0.01"), (a.slug, b.slug)
    for hundredths in range(2500, 10001):
        p = Decimal(hundredths) / 100
        assert sum(b.contains(p) for b in bands) == 1, p


@pytest.mark.parametrize(
    ("low", "high", "rating"),
    [
        (25, 38, "inadequate"),
        (39, 62, "requires-improvement"),
        (63, 87, "good"),
        (88, 100, "outstanding"),
    ],
)
def test_rating_matches_cqc_integer_bands(v: Vocabulary, low: int, high: int, rating: str) -> None:
    for p in range(low, high + 1):
        assert v.rating_for_percentage(Decimal(p)) == rating


def test_rating_outside_the_scale_is_refused(v: Vocabulary) -> None:
    with pytest.raises(ValueError, match="25 to 100"):
        v.rating_for_percentage(Decimal("24.99"))


def test_rating_labels_in_the_corpus(v: Vocabulary) -> None:
    texts = [p.read_text("utf-8") for p in DOCUMENTS]
    stated = 0
    for t in texts:
        for m in re.finditer(r"(?:indicative rating|rating and score)\s*\n", t):
            following = [line for line in t[m.end() :].splitlines() if line.strip()][:3]
            assert any(v.rating_for_label(line) for line in following), following
            stated += 1
    assert stated >= 2, "no rating lines found"
    release = next(t for t in texts if "has rated the London Borough" in t)
    m = re.search(r"has rated [^.]*? as ([a-z ]+?), in how well", release)
    assert m and v.rating_for_label(m.group(1)) == "requires-improvement"


# -- the other schemes ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("scheme", "enum"),
    [
        ("evidence-category", EvidenceCategory),
        ("gap-kind", GapKind),
        ("direction", Direction),
        ("comparator", ComparatorArea),
        ("link-basis", LinkBasis),
        ("document-kind", DocumentKind),
    ],
)
def test_concept_slugs_equal_enum_values(v: Vocabulary, scheme: str, enum: type) -> None:
    assert set(v.concepts[scheme]) == {e.value for e in enum}


def test_authority_types_cover_the_councils(v: Vocabulary) -> None:
    g = Graph().parse(graph_dir() / "authorities.ttl", format="turtle")
    used = {str(o) for o in g.objects(None, CQC.authorityType)}
    assert used and used <= {c.iri for c in v.concepts["authority-type"].values()}


def test_measures_have_unit_source_and_signals(v: Vocabulary) -> None:
    assert len(v.measures) >= 40
    for m in v.measures.values():
        assert m.unit in v.concepts["unit"], m.slug
        assert m.data_source in v.concepts["data-source"], m.slug
        assert m.signals, m.slug


# -- topics -----------------------------------------------------------------------------------


def test_topics(v: Vocabulary) -> None:
    topics = v.concepts["topic"]
    assert len(topics) >= 35
    owners: dict[str, set[str]] = defaultdict(set)
    for t in topics.values():
        assert len(t.signals) >= 2, t.slug
        for s in t.signals:
            owners[_squash(s)].add(t.slug)
    shared = {k: sorted(o) for k, o in owners.items() if len(o) > 1}
    assert not shared, shared


def test_every_topic_label_in_the_corpus_is_tagged(v: Vocabulary) -> None:
    """Where a sentence names a topic by its label, topics_in finds that topic."""
    tagged = 0
    for doc in DOCUMENTS:
        for sentence in _sentences(doc.read_text("utf-8")):
            low = sentence.lower()
            for t in v.concepts["topic"].values():
                if re.search(rf"\b{re.escape(t.label.lower())}\b", low):
                    assert t.slug in v.topics_in(sentence), (t.slug, sentence)
                    tagged += 1
    assert tagged > 50


@pytest.mark.parametrize(
    ("phrase", "topic"),
    [
        ("direct payments", "direct-payments"),
        ("respite", "respite"),
        ("Section 42", "safeguarding"),
        ("reablement", "reablement-and-intermediate-care"),
        ("equipment", "equipment-and-adaptations"),
        ("hospital discharge", "hospital-discharge"),
        ("advocacy", "advocacy"),
    ],
)
def test_topics_in_real_sentences(v: Vocabulary, phrase: str, topic: str) -> None:
    sentences = [
        s for doc in FULL_REPORTS for s in _sentences(doc.read_text("utf-8")) if phrase in s
    ]
    assert sentences, phrase
    for s in sentences:
        assert topic in v.topics_in(s), s


def test_topics_in_respects_word_boundaries(v: Vocabulary) -> None:
    assert "occupational-therapy" not in v.topics_in("It was not clear.")
    assert "substance-misuse" not in v.topics_in("Hydrugs and hydrography.")
    assert v.topics_in("") == ()


# -- signals on the corpus --------------------------------------------------------------------


def test_cited_sources_resolve(v: Vocabulary) -> None:
    citations = {
        m.group(1)
        for doc in DOCUMENTS
        for m in re.finditer(r"\(([^()]*?\b20\d\d\b[^()]*?)\)", doc.read_text("utf-8"))
        if re.search(r"[A-Z]{3,}|Survey|Skills", m.group(1))
    }
    assert len(citations) >= 4
    for c in citations:
        source = v.data_source_for(c)
        assert source is not None, c
        names = (
            v.concepts["data-source"][source].notation or "",
            v.concepts["data-source"][source].label,
        )
        assert any(n and n.lower() in c.lower() for n in names) or source == "asc-wds", (c, source)


def test_national_statistics_are_recognised(v: Vocabulary) -> None:
    sentences = [
        s
        for doc in FULL_REPORTS
        for s in _sentences(doc.read_text("utf-8"))
        if re.search(r"\d%.*(England|national|London|regional) average", s)
    ]
    assert len(sentences) >= 8
    for s in sentences:
        assert v.measure_for(s) is not None, s


def test_evidence_categories_on_real_sentences(v: Vocabulary) -> None:
    subjects = {
        "Partners": "feedback-from-partners",
        "Providers": "feedback-from-partners",
        "Staff": "feedback-from-staff-and-leaders",
        "Senior leaders": "feedback-from-staff-and-leaders",
        "Frontline teams": "feedback-from-staff-and-leaders",
        "People": "people-experience",
        "Unpaid carers": "people-experience",
        "National data": "processes-and-data",
    }
    seen = set()
    for doc in DOCUMENTS:
        for s in _sentences(doc.read_text("utf-8")):
            for subject, category in subjects.items():
                if s.startswith(subject + " ") and re.match(
                    rf"{subject} (told|shared|showed|supports)", s
                ):
                    assert v.evidence_category_in(s) == category, s
                    seen.add(subject)
    assert len(seen) >= 5, seen


@pytest.mark.parametrize(
    ("title", "kind"),
    [
        ("Market Position Statement", "statement"),
        ("Joint Strategic Needs Assessment", "review"),
        ("Carers Strategy 2023-2028", "strategy"),
        ("Better Care Fund", "fund"),
        ("Disabled Facilities Grant", "grant"),
        ("hospital discharge single integrated pathways", "pathway"),
        ("Community Hubs programme", "programme"),
    ],
)
def test_strategy_kinds(v: Vocabulary, title: str, kind: str) -> None:
    assert v.strategy_kind_for(title) == kind


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("Northwest London Integrated Care System", "integrated-care-system"),
        ("North Central London (NCL) NHS Integrated Care Board", "integrated-care-board"),
        ("Central and North West London NHS Foundation Trust", "nhs-trust"),
        ("Safeguarding Adults Board", "board-or-forum"),
        ("Local Government and Social Care Ombudsman", "regulator"),
        ("Metropolitan Police", "police-fire-and-emergency"),
        ("Healthwatch", "healthwatch"),
        ("Primary Care Networks", "nhs-other"),
        ("Royal Borough of Kensington and Chelsea", "council"),
    ],
)
def test_partner_types(v: Vocabulary, name: str, kind: str) -> None:
    assert v.partner_type_for(name) == kind
