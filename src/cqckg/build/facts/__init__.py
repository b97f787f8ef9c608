"""The kinds of fact cqc-kg reads, in the order they are extracted, merged and built: a kind
comes after the kinds it ``needs`` (findings read statistics; links read findings and strategies).
"""

from __future__ import annotations

from cqckg.build.fact_kind import AnyFactKind
from cqckg.build.facts.figures import FIGURES
from cqckg.build.facts.findings import FINDINGS
from cqckg.build.facts.framework_statements import FRAMEWORK_STATEMENTS
from cqckg.build.facts.links import LINKS
from cqckg.build.facts.partners import PARTNERS
from cqckg.build.facts.percentage import PERCENTAGE
from cqckg.build.facts.rating import RATING
from cqckg.build.facts.scores import SCORES
from cqckg.build.facts.sections import SECTIONS
from cqckg.build.facts.statistics import STATISTICS
from cqckg.build.facts.strategies import STRATEGIES

FACT_KINDS: tuple[AnyFactKind, ...] = (
    SCORES,
    RATING,
    PERCENTAGE,
    FRAMEWORK_STATEMENTS,
    SECTIONS,
    STATISTICS,
    FIGURES,
    FINDINGS,
    PARTNERS,
    STRATEGIES,
    LINKS,
)
