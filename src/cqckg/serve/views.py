"""What a linked-data page shows, drawn from a :class:`~cqckg.serve.description.Description`.

:func:`page` gives every resource its labels, types, properties (links typed by their
predicate), quotes and the resources linking to it; for a council or an assessment it adds the
sections a reader looks for: scores by theme, statistics against their comparators, and the
first items of the findings, strategies (with the gaps they address) and partners, each list
with its length and a link to its pages (:func:`list_page`); every fact with the sentence it
rests on.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

import pyoxigraph as ox
from markupsafe import Markup

from cqckg.core.namespaces import PREFIXES, SDMX_ATTRIBUTE, SDMX_DIMENSION, SDMX_MEASURE
from cqckg.serve.charts import Comparison, comparison_chart, scores_chart
from cqckg.serve.description import (
    FIRST,
    MEMBER_CLASSES,
    PAGE_SIZE,
    Description,
    ListIndex,
    Quote,
    Terms,
    cqc,
)
from cqckg.serve.html import Links

sdmx_measure = Terms(SDMX_MEASURE)
sdmx_attribute = Terms(SDMX_ATTRIBUTE)
sdmx_dimension = Terms(SDMX_DIMENSION)

_RDF_TYPE = PREFIXES["rdf"] + "type"
_RDFS_LABEL = PREFIXES["rdfs"] + "label"
_VALUE = PREFIXES["rdf"] + "value"
_SUBJECT = PREFIXES["dcterms"] + "subject"
_ISSUED = PREFIXES["dcterms"] + "issued"
_BROADER = PREFIXES["skos"] + "broader"
_XSD = PREFIXES["xsd"]
_HIDDEN = {PREFIXES["cnt"] + "chars"}


@dataclass(frozen=True)
class Value:
    """One value shown on a page: its text, where it links to (if anywhere) and a note."""

    text: str
    href: str | None = None
    note: str = ""


@dataclass(frozen=True)
class Row:
    """A predicate with its values (outgoing), or with the resources using it (incoming)."""

    label: str
    curie: str
    href: str | None
    values: list[Value]


@dataclass
class Fact:
    """A fact that belongs to the page's resource, with the quotes it rests on."""

    text: str
    href: str | None
    quotes: list[Quote]
    about: Value | None = None
    details: list[Value] = field(default_factory=list)
    score: int | None = None
    addresses: list[Value] = field(default_factory=list)


@dataclass
class AssessmentPart:
    """An assessment as shown on its own page or its council's: rating, scores, statistics."""

    title: str
    href: str | None
    published: str
    authority: Value | None
    rating: Value | None
    percentage: str | None
    kind: Value | None
    rating_quotes: list[Quote]
    scores: list[tuple[str, list[Fact]]]
    scores_chart: Markup | None
    statistics: list[Fact]
    statistics_chart: Markup | None
    lists: list[ListPart] = field(default_factory=list)
    # False for a council's earlier assessments: their scores and statistics, with the
    # sentences they come from, are on their own pages (the page stays the same size however
    # often a council is assessed; the change in each score is under "Over time").
    in_full: bool = True


@dataclass(frozen=True)
class ListPart:
    """One of an assessment's lists as its page shows it: the first items, how many there
    are and where they all are."""

    name: str
    heading: str
    noun: str
    facts: list[Fact]
    total: int
    href: str | None


@dataclass
class ListPage:
    """A page of one of an assessment's lists: items ``first``-``last`` of ``total``."""

    iri: str
    kind: str
    title: str
    heading: str
    assessment: Value
    facts: list[Fact]
    total: int
    number: int
    pages: list[tuple[int, str]]
    first: int
    last: int
    truncated: bool

    @property
    def previous(self) -> str | None:
        return self.pages[self.number - 2][1] if self.number > 1 else None

    @property
    def next(self) -> str | None:
        return self.pages[self.number][1] if self.number < len(self.pages) else None


@dataclass
class Page:
    """Everything a resource's HTML page shows."""

    iri: str
    title: str
    types: list[Value]
    rows: list[Row]
    quotes: list[Quote]
    incoming: list[Row]
    truncated: bool
    assessments: list[AssessmentPart] = field(default_factory=list)
    lists: list[ListPart] = field(default_factory=list)


# The lists' headings and what one item is called.
HEADINGS: dict[str, tuple[str, str]] = {
    "gaps": ("Gaps (areas for development)", "gaps"),
    "strengths": ("Strengths", "strengths"),
    "strategies": ("Strategies and the gaps they address", "strategies"),
    "partners": ("Partners", "partners"),
}


def pages(total: int, size: int = PAGE_SIZE) -> int:
    """How many pages ``total`` items fill (an empty list has one, empty, page).

    >>> pages(0), pages(50), pages(51)
    (1, 1, 2)
    """
    return max(1, -(-total // size))


def page(d: Description, links: Links, index: ListIndex | None = None) -> Page:
    """The page for the described resource; ``index`` (from the summary's queries) orders and
    counts an assessment's lists, of which the page shows the first :data:`FIRST` items."""
    iri = d.iri
    view = Page(
        iri=iri,
        title=d.label(iri),
        types=[_link(d, links, t) for t in d.types(iri)],
        rows=_rows(d, links),
        quotes=d.quotes(iri),
        incoming=_incoming(d, links),
        truncated=d.truncated,
    )
    index = index or ListIndex(iri)
    if d.is_a(iri, cqc.LocalAuthority):
        found = d.subjects(cqc.assessedAuthority, iri)
        parts = [_assessment(d, links, a, index) for a in found]
        for part, a in zip(parts, found, strict=True):
            part.in_full = index.latest is None or a == index.latest
        view.assessments = sorted(parts, key=lambda p: p.published, reverse=True)
    if d.is_a(iri, cqc.Assessment):
        view.assessments = [_assessment(d, links, iri, index)]
        shown = {kind: items[:FIRST] for kind, items in index.items.items()}
        view.lists = [
            ListPart(
                kind,
                heading,
                noun,
                _facts(d, links, kind, shown.get(kind, [])),
                index.counts.get((iri, kind), 0),
                _list_href(links, iri, kind),
            )
            for kind, (heading, noun) in HEADINGS.items()
        ]
    return view


def list_page(
    d: Description, links: Links, kind: str, items: Sequence[str], number: int, total: int
) -> ListPage:
    """Page ``number`` (from 1) of the list ``kind`` of the assessment ``d.iri``, which has
    ``total`` items: ``items`` are this page's, in order."""
    iri = d.iri
    heading, _ = HEADINGS[kind]
    href = _list_href(links, iri, kind) or ""
    first = (number - 1) * PAGE_SIZE + 1
    return ListPage(
        iri=iri,
        kind=kind,
        title=f"{heading}: {d.label(iri)}",
        heading=heading,
        assessment=_link(d, links, iri),
        facts=_facts(d, links, kind, items),
        total=total,
        number=number,
        pages=[(n, f"{href}?page={n}") for n in range(1, pages(total) + 1)],
        first=min(first, total),
        last=min(first + len(items) - 1, total),
        truncated=d.truncated,
    )


def _list_href(links: Links, assessment: str, kind: str) -> str | None:
    local = links.local(assessment)
    return None if local is None else f"{local}/{kind}"


def _facts(d: Description, links: Links, kind: str, items: Iterable[str]) -> list[Fact]:
    make: Callable[[Description, Links, str], Fact] = _BUILDERS[kind]
    return [make(d, links, item) for item in items if d.properties(item)]


def _link(d: Description, links: Links, iri: str) -> Value:
    curie = links.curie(iri)
    return Value(d.label(iri), links.href(iri), curie if curie not in (iri, d.label(iri)) else "")


def _shown(d: Description, links: Links, term: ox.NamedNode | ox.BlankNode | ox.Literal) -> Value:
    if isinstance(term, ox.NamedNode):
        types = ", ".join(d.label(t) for t in d.types(term.value))
        if not types and links.local(term.value) is None:
            types = links.curie(term.value) if links.curie(term.value) != term.value else ""
        return Value(d.label(term.value), links.href(term.value), types)
    if isinstance(term, ox.BlankNode):
        return Value(f"_:{term.value}")
    note = term.language or ""
    if not note and term.datatype.value.startswith(_XSD) and term.datatype.value != _XSD + "string":
        note = "xsd:" + term.datatype.value[len(_XSD) :]
    return Value(term.value, None, note)


def _predicate(d: Description, links: Links, predicate: str) -> tuple[str, str, str | None]:
    label = d.value(predicate, _RDFS_LABEL) or links.curie(predicate)
    return label, links.curie(predicate), links.href(predicate)


def _rows(d: Description, links: Links) -> list[Row]:
    rows = []
    for predicate, objects in d.properties(d.iri).items():
        if predicate in _HIDDEN or predicate == _RDF_TYPE:
            continue
        label, curie, href = _predicate(d, links, predicate)
        values = sorted((_shown(d, links, o) for o in objects), key=lambda v: v.text)
        rows.append(Row(label, curie, href, values))
    return sorted(rows, key=lambda r: r.label.lower())


def _incoming(d: Description, links: Links) -> list[Row]:
    grouped: dict[str, list[Value]] = {}
    listed = d.is_a(d.iri, cqc.Assessment)
    for subject, predicate in d.incoming():
        if listed and predicate == cqc.assessment and MEMBER_CLASSES & set(d.types(subject)):
            continue  # shown or counted in the page's sections
        grouped.setdefault(predicate, []).append(_link(d, links, subject))
    rows = []
    for predicate, values in grouped.items():
        label, curie, href = _predicate(d, links, predicate)
        rows.append(Row(label, curie, href, sorted(values, key=lambda v: v.text)))
    return sorted(rows, key=lambda r: r.label.lower())


def _optional_link(d: Description, links: Links, iri: str | None) -> Value | None:
    return None if iri is None else _link(d, links, iri)


def _assessment(
    d: Description, links: Links, a: str, index: ListIndex | None = None
) -> AssessmentPart:
    published = d.value(a, _ISSUED) or ""
    scores = _scores(d, links, a)
    chart_rows = [(theme, [(f.text, f.score) for f in facts]) for theme, facts in scores]
    statistics, comparisons = _statistics(d, links, a)
    return AssessmentPart(
        title=d.label(a),
        href=links.href(a),
        published=published,
        authority=_optional_link(d, links, d.value(a, cqc.assessedAuthority)),
        rating=_optional_link(d, links, d.value(a, cqc.overallRating)),
        percentage=d.value(a, cqc.percentage),
        kind=_optional_link(d, links, d.value(a, cqc.assessmentKind)),
        rating_quotes=d.quotes(a) if a == d.iri else [],
        scores=scores,
        scores_chart=scores_chart(
            f"Quality statement scores by theme, assessment published {published}",
            chart_rows,
            key=f"scores-{published}",
        )
        if scores
        else None,
        statistics=statistics,
        statistics_chart=comparison_chart(
            f"Statistics against their comparators, assessment published {published}",
            comparisons,
            key=f"statistics-{published}",
        )
        if comparisons
        else None,
        lists=[
            ListPart(kind, heading, noun, [], index.counts[a, kind], _list_href(links, a, kind))
            for kind, (heading, noun) in HEADINGS.items()
            if (a, kind) in index.counts
        ]
        if index is not None
        else [],
    )


def _scores(d: Description, links: Links, a: str) -> list[tuple[str, list[Fact]]]:
    themes: dict[str, tuple[str, list[tuple[str, Fact]]]] = {}
    for score in d.links(a, cqc.hasScore):
        statement = d.value(score, cqc.qualityStatement)
        value = _integer(d.value(score, cqc.score))
        if statement is None:
            continue
        theme = next(
            (b for b in d.links(statement, _BROADER) if d.is_a(b, cqc.Theme)), "(no theme)"
        )
        details = [Value("indicative")] if d.value(score, cqc.indicative) == "true" else []
        fact = Fact(d.label(statement), links.href(score), d.quotes(score), None, details, value)
        fact.about = _link(d, links, statement)
        key = f"{d.notation(theme):>4}{d.label(theme)}"
        themes.setdefault(key, (d.label(theme), []))[1].append((d.notation(statement), fact))
    return [
        (label, [fact for _, fact in sorted(facts, key=lambda f: (f[0], f[1].text))])
        for _, (label, facts) in sorted(themes.items())
    ]


def _number(text: str | None) -> float | None:
    try:
        return None if text is None else float(Decimal(text))
    except (InvalidOperation, ValueError):
        return None


def _integer(text: str | None) -> int | None:
    return int(text) if text is not None and text.isdigit() else None


def _statistics(d: Description, links: Links, a: str) -> tuple[list[Fact], list[Comparison]]:
    facts, comparisons = [], []
    for stat in d.subjects(cqc.assessment, a):
        comparator = d.value(stat, cqc.comparator)
        if not d.is_a(stat, cqc.Statistic) or d.value(stat, cqc.comparatorKind):
            continue
        measure = d.value(stat, cqc.measure)
        label = d.value(stat, cqc.measureLabel) or (d.label(measure) if measure else "")
        value = _number(d.value(stat, sdmx_measure.obsValue))
        unit_iri = d.value(stat, sdmx_attribute.unitMeasure)
        unit = (d.notation(unit_iri) or d.label(unit_iri)) if unit_iri else ""
        other = _number(d.value(comparator, sdmx_measure.obsValue)) if comparator else None
        kind = d.value(comparator, cqc.comparatorKind) if comparator else None
        kind_label = d.label(kind) if kind else "comparator"
        period = d.value(stat, sdmx_dimension.refPeriod) or ""
        cited = d.value(stat, cqc.citedSource) or ""
        details = [Value(v) for v in (period, cited) if v]
        fact = Fact(label, links.href(stat), d.quotes(stat), None, details)
        if value is not None:
            row = Comparison(label, value, other, kind_label, unit)
            shown = row.shown(value)
            if comparator:
                shown += f" against {kind_label} {row.shown(other)}"
                comparisons.append(row)
            fact.details.insert(0, Value(shown))
        facts.append(fact)
    # by measure; statistics of one measure by what they are compared with, then by IRI, so the
    # page is the same whatever order the engine answered in
    facts.sort(key=lambda f: (f.text.lower(), [v.text for v in f.details], f.href or ""))
    comparisons.sort(key=lambda c: (c.label.lower(), c.comparator_label, c.value))
    return facts, comparisons


def _labelled(d: Description, links: Links, iris: Iterable[str]) -> list[Value]:
    return sorted((_link(d, links, i) for i in iris), key=lambda v: v.text)


def _finding(d: Description, links: Links, f: str) -> Fact:
    statement = d.value(f, cqc.aboutStatement)
    topics = _labelled(d, links, d.links(f, _SUBJECT))
    kinds = _labelled(d, links, d.links(f, cqc.gapKind))
    text = d.value(f, _VALUE) or d.label(f)
    return Fact(
        text, links.href(f), d.quotes(f), _optional_link(d, links, statement), kinds + topics
    )


def _strategy(d: Description, links: Links, s: str) -> Fact:
    years = "-".join(y for y in (d.value(s, cqc.startYear), d.value(s, cqc.endYear)) if y)
    kind = _labelled(d, links, d.links(s, cqc.strategyKind))
    fact = Fact(
        d.label(s), links.href(s), d.quotes(s), None, kind + ([Value(years)] if years else [])
    )
    for link in d.links(s, cqc.qualifiedAddressing):
        gap = d.value(link, cqc.linkedGap)
        if gap is None:
            continue
        basis = d.value(link, cqc.basis)
        note = ", ".join(
            part
            for part in (
                d.label(basis) if basis else "",
                f"confidence {d.value(link, cqc.confidence)}"
                if d.value(link, cqc.confidence)
                else "",
                "inferred" if d.value(link, cqc.inferred) == "true" else "",
            )
            if part
        )
        fact.addresses.append(Value(d.value(gap, _VALUE) or d.label(gap), links.href(gap), note))
    linked = {v.href for v in fact.addresses}
    for gap in d.links(s, cqc.addresses):
        if links.href(gap) not in linked:
            fact.addresses.append(Value(d.value(gap, _VALUE) or d.label(gap), links.href(gap)))
    return fact


def _partner(d: Description, links: Links, p: str) -> Fact:
    kinds = _labelled(d, links, d.links(p, cqc.partnerType))
    return Fact(d.label(p), links.href(p), d.quotes(p), None, kinds)


_BUILDERS: dict[str, Callable[[Description, Links, str], Fact]] = {
    "gaps": _finding,
    "strengths": _finding,
    "strategies": _strategy,
    "partners": _partner,
}
