"""Tables as the pages show them and as their CSV downloads give them: one object for both, so
a download holds exactly what the page shows.

>>> t = Table("scores", "Scores", ["statement", "Council A"], [["Assessing needs", 3]])
>>> t.csv()
'statement,Council A\\r\\nAssessing needs,3\\r\\n'
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from decimal import Decimal

from cqckg.questions import Value


def shown(value: Value) -> str:
    """A cell as text: numbers without trailing zeros, booleans as yes/no, nothing as ''."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float | Decimal):
        text = f"{value:.2f}".rstrip("0").rstrip(".")
        return text or "0"
    return str(value)


@dataclass
class Table:
    """A named table: its columns and rows (plain values), with its page's caption."""

    name: str
    title: str
    columns: list[str]
    rows: list[list[Value]]
    note: str = ""

    def text_rows(self) -> list[list[str]]:
        return [[shown(v) for v in row] for row in self.rows]

    def csv(self) -> str:
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(self.columns)
        writer.writerows(self.text_rows())
        return out.getvalue()

    def records(self) -> list[dict[str, str]]:
        return [dict(zip(self.columns, row, strict=True)) for row in self.text_rows()]
