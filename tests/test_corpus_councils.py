"""Every council folder of the corpus, and every document in it, ingests on its own with the facts
its pages state: the rating, the scores, the percentage and the publication date, no more.

The expected facts were read off the pages by hand (see each folder's files); nothing here is
derived from what the extractor says.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

import pytest

from cqckg.errors import DocumentError
from cqckg.load import reference_graphs
from cqckg.paths import sources_dir
from cqckg.pipeline import ingest, source_files
from cqckg.questions import run_question
from cqckg.store import OxigraphStore

EXCERPTS2 = Path(__file__).parent / "data" / "excerpts2"

# The nine quality statements in the framework's order.
NEEDS, SUPPORT, EQUITY = (
    "Assessing needs",
    "Supporting people to live healthier lives",
    "Equity in experience and outcomes",
)
CARE, PARTNERS = "Care provision, integration and continuity", "Partnerships and communities"
PATHWAYS, SAFEGUARDING = "Safe pathways, systems and transitions", "Safeguarding"
GOVERNANCE, LEARNING = (
    "Governance, management and sustainability",
    "Learning, improvement and innovation",
)
GOOD, RI = "Good", "Requires improvement"
NINE = (NEEDS, SUPPORT, EQUITY, CARE, PARTNERS, PATHWAYS, SAFEGUARDING, GOVERNANCE, LEARNING)


def nine(*scores: int) -> dict[str, int]:
    return dict(zip(NINE, scores, strict=True))


@dataclass(frozen=True)
class Stated:
    """What a council's pages state."""

    folder: Path
    gss: str
    published: str  # as precise as the pages say: a day, or the month the address encodes
    rating: str | None = None
    scores: dict[str, int] = field(default_factory=dict)
    percentage: int | None = None  # stated, or computed by CQC's rule when all nine are given
    given_date: str | None = None  # what the user must pass as --published


COUNCILS = [
    Stated(sources_dir() / "westminster-2024", "E09000033", "2024-11-08", GOOD, nine(*[3] * 9), 75),
    Stated(
        sources_dir() / "birmingham",
        "E08000025",
        "2023-11-17",
        GOOD,
        {NEEDS: 2, EQUITY: 3, SAFEGUARDING: 2},
    ),
    Stated(
        sources_dir() / "camden",
        "E09000007",
        "2025-02-28",
        None,
        {NEEDS: 3, SUPPORT: 3, PARTNERS: 4},
    ),
    Stated(
        sources_dir() / "hammersmith-and-fulham",
        "E09000013",
        "2025-05-09",
        RI,
        nine(2, 2, 2, 2, 2, 3, 2, 2, 2),
        53,  # 19 of 36 is 52.78, shown rounded up
    ),
    Stated(EXCERPTS2 / "barnet", "E09000003", "2025-01", None, {SUPPORT: 2}),
    Stated(EXCERPTS2 / "bath-and-north-east-somerset", "E06000022", "2025-01-30"),
    Stated(EXCERPTS2 / "brent", "E09000005", "2024-08-16"),
    Stated(
        EXCERPTS2 / "croydon",
        "E09000008",
        "2025-10-03",
        GOOD,
        nine(2, 2, 3, 2, 3, 2, 3, 3, 3),
        64,
    ),
    Stated(EXCERPTS2 / "derby", "E06000015", "2024-08-16"),
    Stated(
        EXCERPTS2 / "halton", "E06000006", "2025-07-04", GOOD, nine(2, 3, 3, 2, 2, 3, 3, 2, 3), 64
    ),
    Stated(
        EXCERPTS2 / "haringey",
        "E09000014",
        "2025-02",
        RI,
        nine(2, 2, 2, 2, 3, 2, 3, 2, 2),
        56,  # 20 of 36 is 55.56
    ),
    Stated(
        EXCERPTS2 / "medway",
        "E06000035",
        "2025-03",
        RI,
        nine(2, 3, 2, 2, 3, 3, 2, 2, 2),
        59,  # 21 of 36 is 58.33
        given_date="2025-03",
    ),
    Stated(EXCERPTS2 / "north-tyneside", "E08000022", "2025-07", None, {CARE: 3, GOVERNANCE: 3}),
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
