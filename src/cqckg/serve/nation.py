"""What the graph holds about every council, as the home, council and compare pages show it.

Fixed queries (``page_queries/*.rq``; no user input reaches them) give the councils, every
assessment with its scores, the kinds of document each was read from, the framework's quality
statements and rating bands, and the topics of the gaps.
:class:`Nation` puts them together; completeness (statements scored, document kinds held) and the
change between a council's assessments are computed here, in one place.

>>> a = Assessment("a1", "E1", "2024-01-01", "formal", "Good", "good", 70.0, {"s1": 3}, ("x",))
>>> b = Assessment("a2", "E1", "2025-01-01", "formal", "Outstanding", "outstanding", 90.0,
...                {"s1": 4, "s2": 4}, ("x", "y"))
>>> [(c.statement, c.before, c.after, c.change) for c in change(a, b, ["s1", "s2"]).scores]
[('s1', 3, 4, 1), ('s2', None, 4, None)]
>>> b.statements_scored, b.document_kinds
(2, ('x', 'y'))
"""

from __future__ import annotations

import asyncio
import csv
import itertools
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import pyoxigraph as ox

from cqckg.core.paths import graph_dir
from cqckg.serve.backend import Backend, select_job
from cqckg.serve.negotiation import Format

QUERIES = Path(__file__).resolve().parent / "page_queries"


@cache
def page_query(name: str) -> str:
    """The fixed query ``page_queries/NAME.rq`` (no user input ever reaches these)."""
    return (QUERIES / f"{name}.rq").read_text(encoding="utf-8")


def for_assessments(name: str, iris: Iterable[str]) -> str:
    """``page_queries/NAME.rq`` with its ``VALUES ?assessment { UNDEF }`` block holding the
    assessments ``iris`` (taken from the graph; each written as a checked IRI term)."""
    terms = " ".join(str(ox.NamedNode(iri)) for iri in iris)
    return page_query(name).replace(
        "VALUES ?assessment { UNDEF }", f"VALUES ?assessment {{ {terms} }}"
    )


def slug(iri: str) -> str:
    """The last segment of an IRI: ``.../rating/good`` -> ``good``."""
    return iri.rstrip("/").rsplit("/", 1)[-1].rsplit("#", 1)[-1]


@dataclass(frozen=True)
class Statement:
    slug: str
    label: str
    theme: str


@dataclass(frozen=True)
class Band:
    slug: str
    label: str
    lower: float


@dataclass
class Assessment:
    """One assessment: its rating, percentage, scores (statement slug -> 1-4) and the kinds of
    document (labels) it was read from."""

    iri: str
    gss: str
    published: str
    kind: str
    rating: str
    rating_slug: str
    percentage: float | None
    scores: dict[str, int] = field(default_factory=dict)
    document_kinds: tuple[str, ...] = ()

    @property
    def statements_scored(self) -> int:
        return len(self.scores)


@dataclass
class AuthoritySummary:
    gss: str
    iri: str
    name: str
    short_name: str
    region: str
    type_slug: str
    type_label: str
    assessments: list[Assessment] = field(default_factory=list)

    @property
    def latest(self) -> Assessment | None:
        return self.assessments[-1] if self.assessments else None


@dataclass(frozen=True)
class ScoreChange:
    statement: str
    before: int | None
    after: int | None

    @property
    def change(self) -> int | None:
        return None if self.before is None or self.after is None else self.after - self.before


@dataclass(frozen=True)
class Change:
    """What changed from one assessment of a council to the next."""

    before: Assessment
    after: Assessment
    scores: list[ScoreChange]

    @property
    def rating_changed(self) -> bool:
        return self.before.rating_slug != self.after.rating_slug

    @property
    def percentage_change(self) -> float | None:
        if self.before.percentage is None or self.after.percentage is None:
            return None
        return round(self.after.percentage - self.before.percentage, 2)


def change(before: Assessment, after: Assessment, statements: Iterable[str]) -> Change:
    """The change in each score (and the rating) from ``before`` to ``after``."""
    rows = [ScoreChange(s, before.scores.get(s), after.scores.get(s)) for s in statements]
    return Change(before, after, [r for r in rows if r.before is not None or r.after is not None])


@dataclass
class Nation:
    authorities: dict[str, AuthoritySummary]
    statements: list[Statement]
    bands: list[Band]

    def assessed(self) -> list[AuthoritySummary]:
        """Councils with at least one assessment, by name."""
        found = [c for c in self.authorities.values() if c.assessments]
        return sorted(found, key=lambda c: c.name.casefold())

    def history(self, gss: str) -> list[Change]:
        """The change between each pair of consecutive assessments of a council."""
        authority = self.authorities.get(gss)
        if authority is None:
            return []
        slugs = [s.slug for s in self.statements]
        found = authority.assessments
        return [change(a, b, slugs) for a, b in itertools.pairwise(found)]

    def distribution(self) -> list[tuple[Statement, list[int]]]:
        """For each quality statement, how many councils' latest assessments scored it 1-4."""
        out = []
        for statement in self.statements:
            counts = [0, 0, 0, 0]
            for authority in self.assessed():
                latest = authority.latest
                score = latest.scores.get(statement.slug) if latest else None
                if score is not None and 1 <= score <= 4:
                    counts[score - 1] += 1
            out.append((statement, counts))
        return out

    def options(self) -> dict[str, list[tuple[str, str]]]:
        """The values each filter of the council table can take, as (value, label)."""
        authorities = self.assessed()
        regions = sorted({c.region for c in authorities if c.region})
        types = sorted({(c.type_slug, c.type_label) for c in authorities if c.type_slug})
        kinds = sorted({c.latest.kind for c in authorities if c.latest and c.latest.kind})
        return {
            "region": [(r, r) for r in regions],
            "type": types,
            "rating": [(b.slug, b.label) for b in reversed(self.bands)],
            "kind": [(k, k) for k in kinds],
        }


@dataclass
class AuthorityContext:
    """What a council's (or an assessment's) linked-data page adds from :class:`Nation`: each
    assessment's completeness, by publication date, and the change between assessments."""

    assessments: dict[str, Assessment] = field(default_factory=dict)
    history: list[Change] = field(default_factory=list)
    statements: dict[str, Statement] = field(default_factory=dict)
    statement_count: int = 0
    compare: str = ""

    @classmethod
    def of(cls, nation: Nation, iri: str) -> AuthorityContext:
        """The context of the council or assessment ``iri``."""
        for authority in nation.authorities.values():
            if iri == authority.iri:
                return cls(
                    {a.published: a for a in authority.assessments},
                    list(reversed(nation.history(authority.gss))),
                    {s.slug: s for s in nation.statements},
                    len(nation.statements),
                    f"/compare?authority={authority.gss}",
                )
            for a in authority.assessments:
                if a.iri == iri:
                    return cls({a.published: a}, [], {}, len(nation.statements))
        return cls()

    def template(self) -> dict[str, object]:
        return {"authority": self}


Rows = Sequence[dict[str, str]]


def build_nation(
    authorities: Rows, assessments: Rows, scores: Rows, documents: Rows, framework: Rows
) -> Nation:
    """A :class:`Nation` from the page queries' rows (variable -> lexical value)."""
    found: dict[str, AuthoritySummary] = {}
    for row in authorities:
        found[row["gss"]] = AuthoritySummary(
            gss=row["gss"],
            iri=row["authority"],
            name=row.get("name") or row["gss"],
            short_name=row.get("short") or row.get("name") or row["gss"],
            region=row.get("region", ""),
            type_slug=slug(row["type"]) if row.get("type") else "",
            type_label=row.get("type_label", ""),
        )
    gss_of = {c.iri: c.gss for c in found.values()}
    by_iri: dict[str, Assessment] = {}
    for row in assessments:
        rating = row.get("rating", "")
        by_iri[row["assessment"]] = Assessment(
            iri=row["assessment"],
            gss=gss_of.get(row["authority"], slug(row["authority"])),
            published=row["published"],
            kind=slug(row["kind"]) if row.get("kind") else "",
            rating=row.get("rating_label") or (slug(rating) if rating else ""),
            rating_slug=slug(rating) if rating else "",
            percentage=float(row["percentage"]) if row.get("percentage") else None,
        )
    for row in scores:
        scored = by_iri.get(row["assessment"])
        if scored is not None and row.get("score", "").isdigit():
            scored.scores[slug(row["statement"])] = int(row["score"])
    kinds: dict[str, set[str]] = {}
    for row in documents:
        kinds.setdefault(row["assessment"], set()).add(row.get("label") or slug(row["kind"]))
    for a in sorted(by_iri.values(), key=lambda a: (a.published, a.iri)):
        a.document_kinds = tuple(sorted(kinds.get(a.iri, ())))
        authority = found.get(a.gss)
        if authority is not None:
            authority.assessments.append(a)
    statements: list[tuple[str, str, str, Statement]] = []
    bands: list[Band] = []
    for row in framework:
        if row.get("statement"):
            key = (row.get("theme_notation", ""), row.get("notation", ""), row["label"])
            statements.append(
                (*key, Statement(slug(row["statement"]), row["label"], row["theme_label"]))
            )
        elif row.get("band"):
            bands.append(Band(slug(row["band"]), row["band_label"], float(row["lower"])))
    ordered = [s for *_, s in sorted(statements, key=lambda t: (_num(t[0]), _num(t[1]), t[2]))]
    unique = list({s.slug: s for s in ordered}.values())
    return Nation(found, unique, sorted(bands, key=lambda b: b.lower))


def gap_topics(rows: Rows) -> list[tuple[str, list[str]]]:
    """Topic -> the councils (GSS codes, sorted) with a gap tagged with it, in any assessment;
    most councils first, then by topic (as the named question ``common-gaps`` orders them).

    >>> gap_topics([{"topic": ".../a", "authorities": ".../E1"},
    ...             {"topic": ".../b", "label": "B", "authorities": ".../E2 .../E1"}])
    [('B', ['E1', 'E2']), ('a', ['E1'])]
    """
    found = [
        (
            row.get("label") or slug(row["topic"]),
            sorted({slug(c) for c in row["authorities"].split()}),
        )
        for row in rows
    ]
    return sorted(found, key=lambda t: (-len(t[1]), t[0]))


def _num(text: str) -> tuple[int, str]:
    digits = "".join(ch for ch in text if ch.isdigit())
    return (int(digits) if digits else 0, text)


async def select(backend: Backend, query: str) -> list[dict[str, str]]:
    """A fixed SELECT query's rows as variable -> lexical value (unbound variables left out)."""
    job = select_job(query, Format.JSON, backend.settings.max_results)
    answer = await backend.read(job, backend.settings.query_timeout)
    rows = json.loads(answer.body)["results"]["bindings"]
    return [{k: v["value"] for k, v in row.items()} for row in rows]


async def load_nation(backend: Backend) -> Nation:
    """What the home and compare pages need about every council, computed once for each
    version of the store: every assessment's date, kind, rating and percentage, and the scores
    and document kinds of each council's latest assessment only (the pages show no others; a
    council's own page has all of its own, :func:`load_authority`). Reading only the latest
    assessments' keeps the work the same however often councils are assessed."""

    async def make() -> Nation:
        names = ("authorities", "assessments", "framework")
        authorities, assessments, framework = await asyncio.gather(
            *(select(backend, page_query(n)) for n in names)
        )
        dated = build_nation(authorities, assessments, [], [], framework)
        latest = [c.latest.iri for c in dated.assessed() if c.latest]
        scores, documents = await asyncio.gather(
            *(select(backend, for_assessments(n, latest)) for n in ("scores", "documents"))
        )
        return build_nation(authorities, assessments, scores, documents, framework)

    return await backend.derived("nation", make)


async def load_gap_topics(backend: Backend) -> list[tuple[str, list[str]]]:
    """:func:`gap_topics` over the whole graph, computed once for each version of the store."""

    async def make() -> list[tuple[str, list[str]]]:
        return gap_topics(await select(backend, page_query("gap-topics")))

    return await backend.derived("gap-topics", make)


async def load_authority(backend: Backend, authority: str, assessment: str | None = None) -> Nation:
    """What :func:`load_nation` gives, for the one authority ``authority`` (an IRI from the graph):
    its assessments (or only ``assessment``), scores and documents, and the framework (no gap
    topics)."""
    term = str(ox.NamedNode(authority))
    names = ("authorities", "assessments", "scores", "documents")
    queries = [
        page_query(n).replace("VALUES ?authority { UNDEF }", f"VALUES ?authority {{ {term} }}")
        for n in names
    ]
    if assessment is not None:
        one = f"VALUES ?assessment {{ {ox.NamedNode(assessment)} }}"
        queries = [q.replace("VALUES ?assessment { UNDEF }", one) for q in queries]
    authorities, assessments, scores, documents, framework = await asyncio.gather(
        *(select(backend, q) for q in queries), select(backend, page_query("framework"))
    )
    return build_nation(authorities, assessments, scores, documents, framework)


@dataclass(frozen=True)
class Location:
    gss: str
    latitude: float
    longitude: float
    area_km2: float | None
    population: int | None


@cache
def locations() -> dict[str, Location]:
    """Each council's location (centre), area and population, from the shipped reference file
    ``graph/reference/england-councils-locations.csv`` (see its README for the source)."""
    path = graph_dir() / "reference" / "england-councils-locations.csv"
    out = {}
    with path.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            out[row["gss-code"]] = Location(
                row["gss-code"],
                float(row["lat"]),
                float(row["long"]),
                float(row["area-km2"]) if row.get("area-km2") else None,
                int(float(row["population-2020"])) if row.get("population-2020") else None,
            )
    return out
