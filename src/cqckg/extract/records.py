"""Typed records produced by extraction: pure data, no RDF (only ``build`` makes triples).

Every fact carries at least one :class:`Anchor`: the exact quote and its offsets in the source
document, so it can be re-verified and shown highlighted.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum


@dataclass(frozen=True, order=True)
class Anchor:
    """A span of one source document (Web Annotation quote + position selectors)."""

    document_sha256: str
    start: int
    end: int
    exact: str
    prefix: str = ""
    suffix: str = ""
    section: str | None = None
    line: int | None = None


class FindingKind(StrEnum):
    STRENGTH = "strength"
    GAP = "gap"
    # cues on both sides and neither outweighs: kept, not guessed (cqc:UnknownPolarityFinding)
    UNKNOWN = "unknown"


class GapKind(StrEnum):
    """Why a finding is a gap (a concept in ``id/gap-kind/``)."""

    AREA_FOR_DEVELOPMENT = "area-for-development"
    SHORTFALL = "shortfall"
    RISK = "risk"
    WAITING = "waiting"
    BELOW_AVERAGE = "below-average"


class EvidenceCategory(StrEnum):
    """CQC's evidence categories (concepts in ``id/evidence-category/``)."""

    PEOPLE = "people-experience"
    STAFF_AND_LEADERS = "feedback-from-staff-and-leaders"
    PARTNERS = "feedback-from-partners"
    PROCESSES = "processes-and-data"


class Direction(StrEnum):
    """How a value sits against its comparator (concepts in ``id/direction/``)."""

    HIGHER = "higher"
    LOWER = "lower"
    SIMILAR = "similar"


class ComparatorArea(StrEnum):
    ENGLAND = "england"
    LONDON = "london"
    REGIONAL = "regional"
    NATIONAL = "national"


class LinkBasis(StrEnum):
    """Why a strategy is said to address a gap (concepts in ``id/link-basis/``)."""

    STATED = "stated"
    SAME_PASSAGE = "same-passage"
    SHARED_TOPIC = "shared-topic"


@dataclass(frozen=True)
class RatingRecord:
    rating: str  # rating band slug: outstanding | good | requires-improvement | inadequate
    indicative: bool
    anchors: tuple[Anchor, ...]


@dataclass(frozen=True)
class PercentageRecord:
    """The overall percentage a document states ("Overall rating for X: 64%"), as stated."""

    value: int
    anchors: tuple[Anchor, ...]


@dataclass(frozen=True)
class StatementScoreRecord:
    quality_statement: str  # framework slug
    score: int
    indicative: bool
    anchors: tuple[Anchor, ...]


@dataclass(frozen=True)
class FrameworkStatementRecord:
    """An "I" (what people expect) or "We" (the local authority commitment) statement as printed."""

    quality_statement: str
    person: str  # "I" | "We"
    text: str
    anchors: tuple[Anchor, ...]


@dataclass(frozen=True)
class ReportSectionRecord:
    """A heading of the key findings of a quality statement (or of the summary)."""

    quality_statement: str | None
    heading: str
    level: int
    parent: str | None
    anchors: tuple[Anchor, ...]


@dataclass(frozen=True)
class FigureRecord:
    """A local figure: an "About" fact (population, budget, ...), a count, percentage or duration.

    ``measure`` is a slug from the measures vocabulary when the figure is recognised
    (``population``, ``asc-actual-spend``), else ``None`` with ``label`` saying what it counts.
    """

    value: Decimal
    # unit slug: percent | count | gbp | days | weeks | months | years | hours | square-miles
    # | score | rank | per-100000
    unit: str
    label: str
    measure: str | None
    period: str | None  # "2022/23", "2023", "2022-23"
    quality_statement: str | None
    anchors: tuple[Anchor, ...]


@dataclass(frozen=True)
class StatisticRecord:
    """A statistic for the council set against a comparator (England, London, regional average)."""

    measure: str | None  # slug from the measures vocabulary, if recognised
    measure_label: str  # what is measured, in the report's words
    value: Decimal
    unit: str
    comparator: ComparatorArea | None
    comparator_value: Decimal | None
    direction: Direction | None
    source: str | None  # survey slug: ascs | sace | salt | asc-wds | ...
    source_text: str | None  # as cited: "ASCS, 2023"
    period: str | None  # "2023", "2022/23": the time the values refer to, as written
    quality_statement: str | None
    anchors: tuple[Anchor, ...]


@dataclass(frozen=True)
class FindingRecord:
    kind: FindingKind
    text: str
    quality_statement: str | None
    evidence_category: EvidenceCategory | None
    topics: tuple[str, ...]
    anchors: tuple[Anchor, ...]
    gap_kind: GapKind | None = None


@dataclass(frozen=True)
class PartnerOrganisationRecord:
    name: str
    partner_type: str  # slug from the partner-type scheme
    anchors: tuple[Anchor, ...]
    alt_names: tuple[str, ...] = ()
    authority_gss: str | None = None  # set when the partner is itself one of the councils


@dataclass(frozen=True)
class StrategyRecord:
    title: str
    kind: str  # strategy-kind slug: strategy | plan | programme | project | fund | ...
    start_year: int | None
    end_year: int | None
    anchors: tuple[Anchor, ...]
    alt_titles: tuple[str, ...] = ()
    co_producers: tuple[str, ...] = ()
    topics: tuple[str, ...] = ()


@dataclass(frozen=True)
class AddressingLinkRecord:
    """A strategy said (or inferred) to address a gap."""

    strategy: str  # StrategyRecord.title
    gap: str  # FindingRecord.text
    basis: LinkBasis
    confidence: float
    anchors: tuple[Anchor, ...]


@dataclass(frozen=True)
class Disagreement:
    """Two documents of one assessment state different values for a single-valued fact."""

    fact: str
    values: tuple[tuple[str, str], ...]  # (value, document path)


@dataclass
class Extraction:
    """Everything extracted from the documents of one assessment."""

    rating: RatingRecord | None = None
    percentage: PercentageRecord | None = None
    scores: list[StatementScoreRecord] = field(default_factory=list)
    framework_statements: list[FrameworkStatementRecord] = field(default_factory=list)
    sections: list[ReportSectionRecord] = field(default_factory=list)
    figures: list[FigureRecord] = field(default_factory=list)
    statistics: list[StatisticRecord] = field(default_factory=list)
    findings: list[FindingRecord] = field(default_factory=list)
    partners: list[PartnerOrganisationRecord] = field(default_factory=list)
    strategies: list[StrategyRecord] = field(default_factory=list)
    links: list[AddressingLinkRecord] = field(default_factory=list)
    disagreements: list[Disagreement] = field(default_factory=list)
