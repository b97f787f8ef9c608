"""Charts as inline SVG, drawn on the server: no script, no external asset, every text escaped.

Each chart is an accessible image (``role="img"`` with ``<title>`` and ``<desc>``) whose values
are also written as text beside the bars, so it reads without colour and prints cleanly.

>>> svg = scores_chart("Scores", [("Theme <1>", [("Assessing needs", 3)])])
>>> svg.startswith("<svg") and "Theme &lt;1&gt;" in svg and "3 of 4" in svg
True
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

from markupsafe import Markup

_WIDTH = 760
_LABEL = 330  # width of the label column
_BAR = 300  # longest bar
_ROW = 24
_THEME_ROW = 28
_MAX_SCORE = 4
_CHARS = 52  # label characters that fit in the label column


def _text(value: object) -> str:
    return escape(str(value), quote=True)


def _clip(label: str, chars: int = _CHARS) -> str:
    return label if len(label) <= chars else label[: chars - 1] + "…"


def _svg(title: str, desc: str, height: int, body: list[str], kind: str, key: str) -> Markup:
    key = _text(key)
    head = (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart {kind}" role="img" '
        f'viewBox="0 0 {_WIDTH} {height}" width="{_WIDTH}" height="{height}" '
        f'aria-labelledby="{key}-title {key}-desc">'
        f'<title id="{key}-title">{_text(title)}</title>'
        f'<desc id="{key}-desc">{_text(desc)}</desc>'
    )
    return Markup(head + "".join(body) + "</svg>")  # noqa: S704 - every text above is escaped


def scores_chart(
    title: str, themes: Sequence[tuple[str, Sequence[tuple[str, int | None]]]], key: str = "scores"
) -> Markup:
    """Horizontal bars of quality statement scores (1-4), grouped under their themes.

    ``themes`` is ``[(theme label, [(statement label, score or None), ...]), ...]`` in order;
    ``key`` makes the chart's element ids unique on its page.
    """
    body: list[str] = []
    lines: list[str] = []
    y = 8
    for theme, statements in themes:
        body.append(f'<text class="theme" x="0" y="{y + 18}">{_text(_clip(theme, 90))}</text>')
        y += _THEME_ROW
        for label, score in statements:
            body.append(
                f'<text class="label" x="{_LABEL - 8}" y="{y + 16}" text-anchor="end">'
                f"<title>{_text(label)}</title>{_text(_clip(label))}</text>"
            )
            for level in range(1, _MAX_SCORE + 1):
                x = _LABEL + _BAR * level // _MAX_SCORE
                body.append(f'<line class="grid" x1="{x}" x2="{x}" y1="{y}" y2="{y + 20}"/>')
            if score is None:
                body.append(f'<text class="value" x="{_LABEL + 4}" y="{y + 16}">not scored</text>')
                lines.append(f"{label}: not scored")
            else:
                width = _BAR * score // _MAX_SCORE
                body.append(
                    f'<rect class="bar score-{score}" x="{_LABEL}" y="{y + 3}" '
                    f'width="{width}" height="16"/>'
                )
                body.append(
                    f'<text class="value" x="{_LABEL + width + 6}" y="{y + 16}">'
                    f"{score} of {_MAX_SCORE}</text>"
                )
                lines.append(f"{label}: {score} of {_MAX_SCORE}")
            y += _ROW
    desc = "Score of each quality statement, out of 4. " + "; ".join(lines) + "."
    return _svg(title, desc, y + 8, body, "scores", key)


@dataclass(frozen=True)
class Comparison:
    """One statistic beside its comparator (e.g. the England average), in the same unit."""

    label: str
    value: float
    comparator: float | None
    comparator_label: str
    unit: str = ""

    def shown(self, number: float | None) -> str:
        if number is None:
            return "none"
        text = f"{number:,.2f}".rstrip("0").rstrip(".")
        return f"{text}%" if self.unit == "%" else f"{text} {self.unit}".rstrip()


def comparison_chart(title: str, rows: Sequence[Comparison], key: str = "statistics") -> Markup:
    """Paired bars: each statistic (dark) above its comparator (light), one scale per row.

    Rows are in different units, so each pair is drawn against its own larger value; the numbers
    are written out beside the bars.
    """
    body: list[str] = []
    lines: list[str] = []
    y = 8
    for row in rows:
        top = max(abs(row.value), abs(row.comparator or 0.0)) or 1.0
        body.append(
            f'<text class="label" x="0" y="{y + 14}"><title>{_text(row.label)}</title>'
            f"{_text(_clip(row.label, 100))}</text>"
        )
        y += 20
        pairs = (("council", "This council", row.value), ("comparator", "", row.comparator))
        for css, name, number in pairs:
            shown = row.shown(number)
            name = name or row.comparator_label
            width = 0 if number is None else round(_BAR * abs(number) / top)
            body.append(
                f'<text class="series" x="{_LABEL - 8}" y="{y + 13}" text-anchor="end">'
                f"{_text(_clip(name, 40))}</text>"
                f'<rect class="bar {css}" x="{_LABEL}" y="{y + 2}" width="{width}" height="14"/>'
                f'<text class="value" x="{_LABEL + width + 6}" y="{y + 13}">{_text(shown)}</text>'
            )
            y += 18
        lines.append(
            f"{row.label}: {row.shown(row.value)} "
            f"against {row.comparator_label} {row.shown(row.comparator)}"
        )
        y += 10
    desc = "Each statistic beside its comparator. " + "; ".join(lines) + "."
    return _svg(title, desc, y + 4, body, "comparisons", key)
