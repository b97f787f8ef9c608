"""The home and compare pages' figures, as inline SVG drawn on the server (no script, no map
tiles, no external asset; every text escaped): a map of England with each council at its
location, the spread of scores for each quality statement, and councils' scores side by side.

>>> svg = distribution_chart("Spread", [("Assessing <needs>", [0, 1, 2, 0])])
>>> "Assessing &lt;needs&gt;" in svg and "score 3: 2" in svg
True
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from markupsafe import Markup

from cqckg.serve.charts import _clip, _svg, _text

_WIDTH = 760
_LABEL = 330
_BAR = 300


@dataclass(frozen=True)
class Dot:
    """A council on the map: where it is, its page, its rating's class and what it says."""

    latitude: float
    longitude: float
    href: str | None
    css: str
    title: str
    population: int | None = None


def england_map(title: str, dots: Sequence[Dot], key: str = "map", width: int = 460) -> Markup:
    """Councils as dots at their locations (an equirectangular projection scaled by the cosine
    of the mean latitude, which keeps England's shape at this size); each dot links to its
    council's page and carries its name and rating as a tooltip."""
    if not dots:
        return _svg(title, "No council has a location.", 40, [], "map", key)
    lats = [d.latitude for d in dots]
    lons = [d.longitude for d in dots]
    squash = math.cos(math.radians((min(lats) + max(lats)) / 2))
    span_x = (max(lons) - min(lons)) * squash or 1.0
    span_y = (max(lats) - min(lats)) or 1.0
    pad = 12
    scale = (width - 2 * pad) / span_x
    height = round(span_y * scale + 2 * pad)
    body = []
    # Larger councils first, so smaller dots stay on top and reachable.
    for dot in sorted(dots, key=lambda d: -(d.population or 0)):
        x = pad + (dot.longitude - min(lons)) * squash * scale
        y = pad + (max(lats) - dot.latitude) * scale
        radius = 2.5 + math.sqrt(dot.population or 0) / 300
        circle = (
            f'<circle class="dot {_text(dot.css)}" cx="{x:.1f}" cy="{y:.1f}" r="{radius:.1f}">'
            f"<title>{_text(dot.title)}</title></circle>"
        )
        if dot.href:
            # Out of the tab order: the table beside the map links every council for keyboards.
            circle = f'<a href="{_text(dot.href)}" tabindex="-1">{circle}</a>'
        body.append(circle)
    desc = f"{len(dots)} councils placed at their locations and coloured by rating; " + "; ".join(
        d.title for d in dots if d.href
    )
    # Same frame as every chart, at the map's own width.
    svg = str(_svg(title, desc, height, body, "map", key))
    svg = svg.replace(f'viewBox="0 0 {_WIDTH} ', f'viewBox="0 0 {width} ', 1)
    return Markup(svg.replace(f'width="{_WIDTH}"', f'width="{width}"', 1))  # noqa: S704


def distribution_chart(
    title: str, rows: Sequence[tuple[str, Sequence[int]]], key: str = "distribution"
) -> Markup:
    """For each quality statement, a bar split by how many councils scored 1, 2, 3 and 4, with
    the counts written out."""
    body: list[str] = []
    lines: list[str] = []
    y = 8
    for label, counts in rows:
        total = sum(counts)
        body.append(
            f'<text class="label" x="{_LABEL - 8}" y="{y + 16}" text-anchor="end">'
            f"<title>{_text(label)}</title>{_text(_clip(label))}</text>"
        )
        x = float(_LABEL)
        for score, count in enumerate(counts, start=1):
            if not count:
                continue
            width = _BAR * count / total
            body.append(
                f'<rect class="bar score-{score}" x="{x:.1f}" y="{y + 3}" width="{width:.1f}" '
                f'height="16"><title>score {score}: {count}</title></rect>'
            )
            if width >= 14:
                body.append(
                    f'<text class="inbar" x="{x + width / 2:.1f}" y="{y + 15}" '
                    f'text-anchor="middle">{count}</text>'
                )
            x += width
        shown = ", ".join(f"score {s}: {c}" for s, c in enumerate(counts, start=1))
        body.append(f'<text class="value" x="{_LABEL + _BAR + 6}" y="{y + 16}">n={total}</text>')
        lines.append(f"{label}: {shown}")
        y += 24
    desc = "How many councils scored each quality statement 1, 2, 3 or 4. " + "; ".join(lines)
    return _svg(title, desc + ".", y + 8, body, "distribution", key)


def compare_chart(
    title: str,
    authorities: Sequence[str],
    themes: Sequence[tuple[str, Sequence[tuple[str, Sequence[int | None]]]]],
    key: str = "compare",
) -> Markup:
    """Scores (1-4) of several councils side by side, one bar per council under each quality
    statement, grouped by theme; ``authorities`` name the series in order."""
    body: list[str] = []
    lines: list[str] = []
    y = 8
    for i, name in enumerate(authorities):
        body.append(
            f'<rect class="bar series-{i}" x="{_LABEL + 150 * (i % 2)}" y="{y + 4}" '
            f'width="12" height="12"/><text class="series" x="{_LABEL + 150 * (i % 2) + 18}" '
            f'y="{y + 15}">{_text(_clip(name, 22))}</text>'
        )
        if i % 2:
            y += 18
    y += 18 if len(authorities) % 2 else 0
    y += 8
    for theme, statements in themes:
        body.append(f'<text class="theme" x="0" y="{y + 18}">{_text(_clip(theme, 90))}</text>')
        y += 28
        for label, scores in statements:
            body.append(
                f'<text class="label" x="{_LABEL - 8}" y="{y + 13}" text-anchor="end">'
                f"<title>{_text(label)}</title>{_text(_clip(label))}</text>"
            )
            said = []
            for i, score in enumerate(scores):
                if score is None:
                    text = "not scored"
                    body.append(f'<text class="value" x="{_LABEL + 4}" y="{y + 11}">{text}</text>')
                else:
                    width = _BAR * score // 4
                    body.append(
                        f'<rect class="bar series-{i}" x="{_LABEL}" y="{y + 2}" width="{width}" '
                        f'height="10"/><text class="value" x="{_LABEL + width + 6}" '
                        f'y="{y + 11}">{score}</text>'
                    )
                    text = f"{score} of 4"
                said.append(f"{authorities[i]} {text}")
                y += 12
            lines.append(f"{label}: " + ", ".join(said))
            y += 8
    desc = "Quality statement scores of each council, out of 4. " + "; ".join(lines) + "."
    return _svg(title, desc, y + 8, body, "compare", key)
