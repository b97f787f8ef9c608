"""Councils side by side: ``/compare?authority=A&authority=B...`` (2 to 5 councils, any form the
matcher takes) as a page, ``/api/compare`` as JSON and each table as CSV.

The tables: each council's latest assessment (rating, percentage, completeness), scores by theme
(with a chart), statistics against the same comparators, gap topics shared and not shared, and
strategies on the topics at least two of them have strategies on. The page works without
JavaScript; every table has a CSV download holding exactly what the page shows.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Response
from fastapi.responses import HTMLResponse, JSONResponse
from markupsafe import Markup
from starlette.concurrency import run_in_threadpool

from cqckg.core.authorities import AuthorityRegistry
from cqckg.core.errors import AmbiguousAuthority, AuthorityNotFound
from cqckg.questions import Value
from cqckg.serve.deps import BackendDep
from cqckg.serve.errors import HttpError
from cqckg.serve.figures import compare_chart
from cqckg.serve.html import html_response, render
from cqckg.serve.nation import (
    AuthoritySummary,
    Nation,
    Rows,
    for_assessments,
    load_nation,
    select,
    slug,
)
from cqckg.serve.tables import Table

router = APIRouter(tags=["Compare councils"])

MIN_AUTHORITIES, MAX_AUTHORITIES = 2, 5
TABLES = ("overview", "scores", "statistics", "gaps", "strategies")

AuthorityParam = Annotated[
    list[str] | None,
    Query(
        description="a council (name in any usual spelling, GSS code or CQC report slug); "
        "give 2 to 5",
    ),
]


@dataclass
class Comparison:
    authorities: list[AuthoritySummary]
    tables: dict[str, Table]
    chart: Markup | None

    def query(self) -> str:
        return urlencode([("authority", c.gss) for c in self.authorities])


def resolve(names: Sequence[str]) -> list[str]:
    """The GSS codes of the councils named (duplicates dropped, order kept); raises
    :class:`HttpError` 400 naming what is wrong (unknown, ambiguous, too few or many)."""
    registry = AuthorityRegistry.load()
    codes: list[str] = []
    problems = []
    for name in (n for n in names if n.strip()):
        try:
            gss = registry.resolve(name).gss
        except (AmbiguousAuthority, AuthorityNotFound) as exc:
            problems.append(str(exc))
            continue
        if gss not in codes:
            codes.append(gss)
    if problems:
        raise HttpError(400, "; ".join(problems))
    if not MIN_AUTHORITIES <= len(codes) <= MAX_AUTHORITIES:
        raise HttpError(
            400,
            f"compare takes {MIN_AUTHORITIES} to {MAX_AUTHORITIES} different councils "
            f"(authority=...&authority=...), not {len(codes)}",
        )
    return codes


async def compare(backend: BackendDep, codes: Sequence[str]) -> Comparison:
    """The comparison of the councils ``codes`` (GSS codes, already resolved): each council's
    latest assessment."""
    nation = await load_nation(backend)
    authorities = [nation.authorities[c] for c in codes if c in nation.authorities]
    latest = [c.latest.iri for c in authorities if c.latest]
    statistics, gaps, strategies = await asyncio.gather(
        *(
            select(backend, for_assessments(name, latest))
            for name in ("compare-statistics", "compare-gaps", "compare-strategies")
        )
    )
    tables = {
        "overview": _overview(authorities),
        "scores": _scores(nation, authorities),
        "statistics": _statistics(authorities, statistics),
        "gaps": _gaps(authorities, gaps),
        "strategies": _strategies(authorities, strategies),
    }
    return Comparison(authorities, tables, _chart(nation, authorities))


def _by_assessment(
    authorities: Sequence[AuthoritySummary], rows: Rows
) -> list[tuple[AuthoritySummary, dict[str, str]]]:
    """Each row with the council whose latest assessment it belongs to, in council order."""
    owner = {c.latest.iri: c for c in authorities if c.latest}
    order = {c.gss: i for i, c in enumerate(authorities)}
    found = [(owner[r["assessment"]], r) for r in rows if r["assessment"] in owner]
    return sorted(found, key=lambda pair: order[pair[0].gss])


def _names(authorities: Sequence[AuthoritySummary]) -> list[str]:
    return [c.short_name for c in authorities]


def _overview(authorities: Sequence[AuthoritySummary]) -> Table:
    rows: list[list[Value]] = []
    fields: list[tuple[str, Callable[[AuthoritySummary], Value]]] = [
        ("Latest assessment published", lambda c: c.latest.published if c.latest else None),
        ("Formal or pilot", lambda c: c.latest.kind if c.latest else None),
        ("Overall rating", lambda c: c.latest.rating if c.latest else None),
        ("Percentage", lambda c: c.latest.percentage if c.latest else None),
        ("Quality statements scored", lambda c: c.latest.statements_scored if c.latest else 0),
        (
            "Document kinds held",
            lambda c: "; ".join(c.latest.document_kinds) if c.latest else None,
        ),
        ("Assessments in the graph", lambda c: len(c.assessments)),
        ("Region", lambda c: c.region),
        ("Council type", lambda c: c.type_label),
    ]
    for label, get in fields:
        rows.append([label, *(get(c) for c in authorities)])
    return Table("overview", "Latest assessments", ["", *_names(authorities)], rows)


def _scores(nation: Nation, authorities: Sequence[AuthoritySummary]) -> Table:
    rows: list[list[Value]] = []
    for s in nation.statements:
        scores = [c.latest.scores.get(s.slug) if c.latest else None for c in authorities]
        rows.append([s.theme, s.label, *scores])
    note = "Each council's latest assessment; blank where a statement was not scored."
    columns = ["Theme", "Quality statement", *_names(authorities)]
    return Table("scores", "Quality statement scores by theme", columns, rows, note)


def _chart(nation: Nation, authorities: Sequence[AuthoritySummary]) -> Markup | None:
    themes: dict[str, list[tuple[str, list[int | None]]]] = {}
    for s in nation.statements:
        scores = [c.latest.scores.get(s.slug) if c.latest else None for c in authorities]
        themes.setdefault(s.theme, []).append((s.label, scores))
    if not any(score is not None for rows in themes.values() for _, r in rows for score in r):
        return None
    return compare_chart(
        "Quality statement scores by theme, latest assessments",
        _names(authorities),
        list(themes.items()),
    )


def _statistics(authorities: Sequence[AuthoritySummary], rows: Rows) -> Table:
    values: dict[tuple[str, str, str], dict[str, tuple[Value, Value, str]]] = {}
    for authority, row in _by_assessment(authorities, rows):
        measure = (
            row.get("measure_label") or row.get("measure_words") or slug(row.get("measure", ""))
        )
        comparator = row.get("comparator_label") or slug(row.get("comparator", ""))
        unit = row.get("unit_label") or slug(row.get("unit", ""))
        values.setdefault((measure, comparator, unit), {}).setdefault(
            authority.gss,
            (_number(row["value"]), _number(row.get("comparator_value")), row.get("period", "")),
        )
    columns = ["Measure", "Comparator", "Unit"]
    for name in _names(authorities):
        columns += [name, f"{name}: comparator", f"{name}: year"]
    order = sorted(values, key=lambda k: (-len(values[k]), k[0].casefold(), k[1]))
    table: list[list[Value]] = []
    for key in order:
        cells: list[Value] = list(key)
        for c in authorities:
            value, comparator_value, year = values[key].get(c.gss, (None, None, ""))
            cells += [value, comparator_value, year]
        table.append(cells)
    note = (
        "Each council's latest assessment; measures more of the councils report come first, "
        "blank where a council's report has none."
    )
    return Table("statistics", "Statistics against the same comparators", columns, table, note)


def _number(text: str | None) -> Value:
    try:
        return None if text is None else Decimal(text)
    except InvalidOperation:
        return text


def _gaps(authorities: Sequence[AuthoritySummary], rows: Rows) -> Table:
    gaps: dict[str, dict[str, set[str]]] = {}
    for authority, row in _by_assessment(authorities, rows):
        topic = row.get("label") or slug(row["topic"])
        gaps.setdefault(topic, {}).setdefault(authority.gss, set()).add(row["gap"])
    table: list[list[Value]] = []
    n = len(authorities)
    for topic, per in sorted(gaps.items(), key=lambda t: (-len(t[1]), t[0].casefold())):
        having = [c.short_name for c in authorities if c.gss in per]
        shared = "all" if len(per) == n else f"{len(per)} of {n}" if len(per) > 1 else "only"
        counts = [len(per.get(c.gss, ())) for c in authorities]
        table.append([topic, shared, "; ".join(having), *counts])
    columns = ["Topic", "Shared by", "Councils", *(f"{c} gaps" for c in _names(authorities))]
    note = "Topics of the gaps (areas for development) each latest report found, shared first."
    return Table("gaps", "Gap topics shared and not shared", columns, table, note)


def _strategies(authorities: Sequence[AuthoritySummary], rows: Rows) -> Table:
    by_topic: dict[str, dict[tuple[str, str], tuple[AuthoritySummary, dict[str, str]]]] = {}
    for authority, row in _by_assessment(authorities, rows):
        topic = row.get("label") or slug(row["topic"])
        by_topic.setdefault(topic, {}).setdefault(
            (authority.gss, row["strategy"]), (authority, row)
        )
    table: list[list[Value]] = []
    for topic in sorted(by_topic, key=str.casefold):
        found = by_topic[topic]
        if len({gss for gss, _ in found}) < 2:
            continue  # on the same topics: at least two of the councils
        for authority, row in found.values():
            years = "-".join(row[k] for k in ("start", "end") if row.get(k))
            kind = row.get("kind_label") or slug(row.get("kind", ""))
            table.append([topic, authority.short_name, row["title"], kind, years])
    columns = ["Topic", "Council", "Strategy", "Kind", "Years"]
    note = "Strategies, plans and programmes on topics at least two of these councils have one on."
    return Table("strategies", "Strategies on the same topics", columns, table, note)


def _csv(table: Table, comparison: Comparison) -> Response:
    names = "-".join(c.gss for c in comparison.authorities)
    disposition = f'attachment; filename="compare-{table.name}-{names}.csv"'
    return Response(
        table.csv(),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": disposition},
    )


@router.get(
    "/compare",
    response_class=HTMLResponse,
    summary="Compare 2 to 5 councils side by side (HTML)",
    responses={200: {"content": {"text/html": {}}}, 400: {"content": {"text/html": {}}}},
)
async def compare_page(backend: BackendDep, authority: AuthorityParam = None) -> Response:
    """Scores by theme, statistics, gap topics and strategies of the councils named, with a
    CSV download of each table; with fewer than two councils, the form to choose them."""
    given = [a for a in authority or [] if a.strip()]
    error = ""
    comparison = None
    if len(given) > 1:
        try:
            comparison = await compare(backend, resolve(given))
        except HttpError as exc:
            error = exc.message
    body = await run_in_threadpool(
        render,
        "compare.html",
        comparison=comparison,
        given=given + [""] * (MAX_AUTHORITIES - len(given)),
        error=error,
        tables=TABLES,
    )
    return html_response(body, 400 if error else 200)


@router.get(
    "/api/compare",
    summary="Compare 2 to 5 councils: every table as JSON, or one as CSV",
    responses={
        200: {"content": {"application/json": {}, "text/csv": {}}},
        400: {"description": "Unknown or ambiguous council, or not 2 to 5 of them"},
    },
)
async def compare_api(
    backend: BackendDep,
    authority: AuthorityParam = None,
    table: Annotated[
        str | None,
        Query(description="one table (for CSV): " + ", ".join(TABLES)),
    ] = None,
    format: Annotated[str, Query(description="json (the default) or csv")] = "json",
) -> Response:
    """``{"councils": [...], "tables": {name: {"title", "columns", "rows"}}}``; with
    ``format=csv`` and ``table=NAME``, that table as CSV."""
    if format not in ("json", "csv"):
        raise HttpError(400, f"format must be json or csv, not {format!r}")
    if table is not None and table not in TABLES:
        raise HttpError(400, f"no table {table!r}; the tables are {', '.join(TABLES)}")
    if format == "csv" and table is None:
        raise HttpError(400, f"format=csv needs table=, one of {', '.join(TABLES)}")
    comparison = await compare(backend, resolve(authority or []))
    if format == "csv":
        assert table is not None
        return _csv(comparison.tables[table], comparison)
    chosen = [table] if table else list(TABLES)
    return JSONResponse(
        {
            "councils": [
                {"gss": c.gss, "name": c.name, "page": f"/doc/authority/{c.gss}"}
                for c in comparison.authorities
            ],
            "tables": {
                name: {
                    "title": comparison.tables[name].title,
                    "columns": comparison.tables[name].columns,
                    "rows": comparison.tables[name].records(),
                    "csv": f"/api/compare?{comparison.query()}&table={name}&format=csv",
                }
                for name in chosen
            },
        }
    )
