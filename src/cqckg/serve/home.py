"""The home page: the nation as the graph holds it, and finding a council by its name.

``/`` shows every assessed council with its latest rating, percentage, date and nine scores
(sorted and filtered on the server, so it works without JavaScript; ``/static/site.js`` sorts in
place), a map of England coloured by rating, the spread of scores for each quality statement and
the most common gap topics. ``/api/nation`` gives the same table as JSON or CSV.
``/council?authority=NAME`` goes to a council's page by any spelling of its name;
``/api/councils?q=TEXT`` suggests councils as one types.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Query, Response
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse
from starlette.concurrency import run_in_threadpool

from cqckg.core.authorities import AuthorityRegistry
from cqckg.core.errors import AmbiguousAuthority, AuthorityNotFound
from cqckg.questions import Value
from cqckg.serve.deps import BackendDep
from cqckg.serve.errors import HttpError
from cqckg.serve.figures import Dot, distribution_chart, england_map
from cqckg.serve.html import html_response, render
from cqckg.serve.nation import AuthoritySummary, Nation, load_gap_topics, load_nation, locations
from cqckg.serve.tables import Table

router = APIRouter(tags=["Web UI"])

FILTERS = ("region", "type", "rating", "kind")
TOP_GAP_TOPICS = 12


@dataclass(frozen=True)
class Filters:
    region: str = ""
    type: str = ""
    rating: str = ""
    kind: str = ""
    sort: str = "name"
    order: str = "asc"

    def keeps(self, c: AuthoritySummary) -> bool:
        latest = c.latest
        return (
            latest is not None
            and (not self.region or c.region == self.region)
            and (not self.type or c.type_slug == self.type)
            and (not self.rating or latest.rating_slug == self.rating)
            and (not self.kind or latest.kind == self.kind)
        )

    def query(self, **changes: str) -> str:
        """This view's query string with ``changes`` (empty values left out)."""
        values = {k: getattr(self, k) for k in (*FILTERS, "sort", "order")} | changes
        return urlencode({k: v for k, v in values.items() if v})


def sort_keys(nation: Nation) -> dict[str, Callable[[AuthoritySummary], tuple[object, ...]]]:
    """Each column the table sorts on, as a key; missing values sort last either way."""
    band = {b.slug: b.lower for b in nation.bands}

    def latest(
        get: Callable[[AuthoritySummary], object],
    ) -> Callable[[AuthoritySummary], tuple[object, ...]]:
        def key(c: AuthoritySummary) -> tuple[object, ...]:
            value = get(c) if c.latest else None
            return (value is None, value if value is not None else 0, c.name.casefold())

        return key

    keys: dict[str, Callable[[AuthoritySummary], tuple[object, ...]]] = {
        "name": lambda c: (False, c.name.casefold(), ""),
        "region": lambda c: (not c.region, c.region, c.name.casefold()),
        "type": lambda c: (not c.type_label, c.type_label, c.name.casefold()),
        "published": latest(lambda c: c.latest.published if c.latest else None),
        "kind": latest(lambda c: c.latest.kind if c.latest else None),
        "rating": latest(lambda c: band.get(c.latest.rating_slug) if c.latest else None),
        "percentage": latest(lambda c: c.latest.percentage if c.latest else None),
        "completeness": latest(lambda c: c.latest.statements_scored if c.latest else None),
    }
    for s in nation.statements:
        keys[s.slug] = latest(_score(s.slug))
    return keys


def _score(slug: str) -> Callable[[AuthoritySummary], object]:
    return lambda c: c.latest.scores.get(slug) if c.latest else None


def rows(nation: Nation, filters: Filters) -> list[AuthoritySummary]:
    """The assessed councils the filters keep, in the order asked for."""
    keys = sort_keys(nation)
    if filters.sort not in keys:
        raise HttpError(400, f"cannot sort by {filters.sort!r}; sort by one of {', '.join(keys)}")
    kept = [c for c in nation.assessed() if filters.keeps(c)]
    key = keys[filters.sort]
    present = [c for c in kept if not key(c)[0]]
    missing = [c for c in kept if key(c)[0]]
    present.sort(key=key, reverse=filters.order == "desc")
    return present + missing


def table(nation: Nation, authorities: Sequence[AuthoritySummary]) -> Table:
    """The home page's council table as data (its CSV and JSON download)."""
    columns = ["gss", "council", "region", "type", "published", "kind", "rating", "percentage"]
    columns += [s.label for s in nation.statements]
    columns += ["statements_scored", "document_kinds"]
    out: list[list[Value]] = []
    for c in authorities:
        a = c.latest
        assert a is not None
        row: list[Value] = [c.gss, c.name, c.region, c.type_label, a.published, a.kind]
        row += [a.rating, a.percentage, *(a.scores.get(s.slug) for s in nation.statements)]
        row += [a.statements_scored, "; ".join(a.document_kinds)]
        out.append(row)
    return Table("councils", "Assessed councils, latest assessment", columns, out)


def nation_map(nation: Nation) -> object:
    where = locations()
    dots = []
    for c in nation.authorities.values():
        place = where.get(c.gss)
        if place is None:
            continue
        latest = c.latest
        if latest is None:
            title, css, href = f"{c.name}: not assessed", "rating-none", None
        else:
            shown = f" ({latest.percentage:g}%)" if latest.percentage is not None else ""
            title = f"{c.name}: {latest.rating or 'no rating'}{shown}, {latest.published}"
            css, href = f"rating-{latest.rating_slug or 'unknown'}", f"/doc/authority/{c.gss}"
        dots.append(Dot(place.latitude, place.longitude, href, css, title, place.population))
    return england_map("Map of England: councils coloured by their latest rating", dots)


Text = Annotated[str, Query(max_length=200)]


def _filters(
    region: Text = "",
    type: Text = "",  # the filter's name in the address
    rating: Text = "",
    kind: Text = "",
    sort: Text = "name",
    order: Text = "asc",
) -> Filters:
    """The table's filters and order from the address (``order`` is asc or desc)."""
    if order not in ("asc", "desc"):
        raise HttpError(400, f"order must be asc or desc, not {order!r}")
    return Filters(region, type, rating, kind, sort, order)


FiltersDep = Annotated[Filters, Depends(_filters)]


@router.get(
    "/",
    response_class=HTMLResponse,
    summary="The home page: every assessed council, a map, score spreads and common gaps",
    responses={200: {"content": {"text/html": {}}}},
)
async def home(backend: BackendDep, filters: FiltersDep) -> Response:
    """The nation at a glance (HTML), filtered by ``region``, council ``type``, ``rating`` and
    ``kind`` (formal or pilot), sorted by ``sort`` (a column) and ``order`` (asc or desc)."""
    nation, topics = await asyncio.gather(load_nation(backend), load_gap_topics(backend))
    shown = rows(nation, filters)
    registry = AuthorityRegistry.load()
    gap_rows = [
        {
            "topic": topic,
            "count": len(codes),
            "authorities": [
                (registry.by_gss[gss].short_name if gss in registry.by_gss else gss, gss)
                for gss in codes
            ],
        }
        for topic, codes in topics[:TOP_GAP_TOPICS]
    ]
    body = await run_in_threadpool(
        render,
        "home.html",
        nation=nation,
        authorities=shown,
        filters=filters,
        options=nation.options(),
        assessed=len(nation.assessed()),
        map=nation_map(nation),
        distribution=distribution_chart(
            "Spread of scores for each quality statement (latest assessments)",
            [(s.label, counts) for s, counts in nation.distribution()],
        )
        if nation.assessed()
        else None,
        gaps=gap_rows,
        csv=f"/api/nation?{filters.query(format='csv')}",
    )
    return html_response(body)


@router.get(
    "/api/nation",
    summary="Every assessed council's latest assessment as JSON or CSV (the home page's table)",
    responses={200: {"content": {"application/json": {}, "text/csv": {}}}},
)
async def nation_api(
    backend: BackendDep,
    filters: FiltersDep,
    format: Annotated[str, Query(description="json (the default) or csv")] = "json",
) -> Response:
    """The home page's council table, with the same filters and order."""
    if format not in ("json", "csv"):
        raise HttpError(400, f"format must be json or csv, not {format!r}")
    nation = await load_nation(backend)
    found = table(nation, rows(nation, filters))
    if format == "csv":
        return Response(
            found.csv(),
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": 'attachment; filename="councils.csv"'},
        )
    return JSONResponse({"columns": found.columns, "rows": found.records()})


@router.get(
    "/api/councils",
    summary="Councils whose names start with or contain what is typed (for suggestions)",
    responses={200: {"content": {"application/json": {}}}},
)
async def suggest(
    q: Annotated[str, Query(max_length=100, description="what has been typed")] = "",
    limit: Annotated[int, Query(ge=1, le=50)] = 10,
) -> list[dict[str, str]]:
    """Up to ``limit`` councils for a name being typed: name, short name, GSS code and page."""
    found = AuthorityRegistry.load().suggest(q, limit=limit, fuzzy=len(q.strip()) >= 4)
    return [
        {
            "gss": a.gss,
            "name": a.name,
            "short_name": a.short_name,
            "page": f"/doc/authority/{a.gss}",
        }
        for a in found
    ]


@router.get(
    "/council",
    response_class=RedirectResponse,
    status_code=303,
    summary="Go to a council's page by its name, GSS code or report slug",
    responses={
        303: {"description": "See the council's page"},
        300: {
            "description": "Several councils fit: a page listing them",
            "content": {"text/html": {}},
        },
        404: {
            "description": "No council fits: a page with the nearest",
            "content": {"text/html": {}},
        },
    },
)
async def council(
    authority: Annotated[str, Query(max_length=200, description="a council's name")] = "",
) -> Response:
    """The council ``authority`` names, by any usual spelling: its page, or the candidates."""
    registry = AuthorityRegistry.load()
    try:
        found = registry.resolve(authority)
    except AmbiguousAuthority as exc:
        candidates = registry.candidates(exc.name)
        body = render("councils.html", given=authority, candidates=candidates, ambiguous=True)
        return html_response(body, 300)
    except AuthorityNotFound:
        near = registry.suggest(authority, limit=5, fuzzy=True) if authority.strip() else []
        body = render("councils.html", given=authority, candidates=near, ambiguous=False)
        return html_response(body, 404)
    return RedirectResponse(f"/doc/authority/{found.gss}", status_code=303)
