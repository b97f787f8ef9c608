"""Every council folder of the corpus, and every document in it, ingests on its own with the facts
its pages state: the rating, the scores, the percentage and the publication date, no more.

The expected facts were read off the pages by hand (see each folder's files); nothing here is
derived from what the extractor says.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

import pytest

from cqckg.core.errors import DocumentError
from cqckg.ingest import ingest, source_files
from cqckg.questions import run_question
from cqckg.store import OxigraphStore
from cqckg.store.load import reference_graphs

ROOT = Path(__file__).resolve().parent.parent.parent
STATED = Path(__file__).parent.parent / "data" / "corpus-councils.json"


@dataclass(frozen=True)
class Stated:
    """What a council folder's pages state (read by hand, kept in ``corpus-councils.json``)."""

    folder: Path
    gss: str
    published: str  # as precise as the pages say: a day, or the month the address encodes
    rating: str | None = None
    scores: dict[str, int] = field(default_factory=dict)
    percentage: int | None = None  # stated, or computed by CQC's rule when all nine are given
    given_date: str | None = None  # what the user must pass as --published


COUNCILS = [
    Stated(**{**c, "folder": ROOT / c["folder"]})
    for c in json.loads(STATED.read_text(encoding="utf-8"))["councils"]
]


def fresh_store() -> OxigraphStore:
    store = OxigraphStore(None)
    store.replace_graphs(reference_graphs())
    return store


def facts(
    store: OxigraphStore,
) -> dict[str, tuple[str, str | None, dict[str, int], Decimal | None, int]]:
    """Per council: (date, rating, scores, percentage, statements scored), from the questions."""
    out = {}
    for row in run_question(store, "assessments").records():
        gss = str(row["authority_gss"])
        scores = {
            str(r["quality_statement"]): int(r["score"])
            for r in run_question(store, "scores", {"authority": gss}).records()
        }
        rating = None if row["rating"] is None else str(row["rating"])
        pct = None if row["percentage"] is None else Decimal(str(row["percentage"]))
        out[gss] = (str(row["published"]), rating, scores, pct, int(row["statements_scored"]))
    return out


@pytest.mark.parametrize("council", COUNCILS, ids=lambda c: c.folder.name)
def test_each_council_folder_alone_gives_what_its_pages_state(council: Stated) -> None:
    store = fresh_store()
    ingest([council.folder], store, published=council.given_date)
    (got,) = facts(store).items()
    assert got == (
        council.gss,
        (
            council.published,
            council.rating,
            council.scores,
            None if council.percentage is None else Decimal(council.percentage),
            len(council.scores),
        ),
    )


def test_every_council_folder_together() -> None:
    store = fresh_store()
    dated = [c for c in COUNCILS if c.given_date is None]
    ingest([c.folder for c in dated], store)
    got = facts(store)
    assert {gss: (f[0], f[1], f[2]) for gss, f in got.items()} == {
        c.gss: (c.published, c.rating, c.scores) for c in dated
    }


# A republished press release states the date the other site published it.
OWN_DATE = {"hammersmith-and-fulham/press-release.txt": "2025-05-13"}
DOCUMENTS = [(c, f) for c in COUNCILS for f in source_files([c.folder])]


@pytest.mark.parametrize(
    ("council", "path"), DOCUMENTS, ids=[f"{c.folder.name}/{f.name}" for c, f in DOCUMENTS]
)
def test_every_document_alone_states_nothing_its_council_does_not(
    council: Stated, path: Path
) -> None:
    """A single page makes an assessment of what it says: no invented score, rating or date."""
    store = fresh_store()
    try:
        ingest([path], store, published=council.given_date)
    except DocumentError as exc:
        # only a page with no date of its own (nor in its address) may be refused, and it says how
        assert exc.rule == "publication-date" and "--published" in str(exc)
        ingest([path], store, published=council.published)
    ((gss, (published, rating, scores, _pct, scored)),) = facts(store).items()
    assert gss == council.gss
    own = OWN_DATE.get(f"{council.folder.name}/{path.name}")
    assert published in (council.published, council.published[:7], own)
    assert rating in (None, council.rating)
    assert scores.items() <= council.scores.items()
    assert scored == len(scores)
