"""Which council a command-line argument, a report's link text or its slug names."""

from __future__ import annotations

import re

from cqckg.authorities import Authority, AuthorityRegistry, normalise
from cqckg.fetch.site import SiteLayout


def _squeezed(name: str) -> str:
    """A name as slugs write it: no spaces, no "and" (``hammersmithfulham``)."""
    return re.sub(r"\W+|\band\b", "", normalise(name.replace("-", " ")))


def slug_council(slug: str, registry: AuthorityRegistry, layout: SiteLayout) -> Authority | None:
    """The council a report's slug names (``camden-0225``, ``hammersmithfulham-0525``,
    ``birmingham-cc``), or ``None``."""
    name = layout.slug_name(slug.lower())
    found = registry.match(name.replace("-", " "))
    if found is not None:
        return found
    key = _squeezed(name)
    hits = {a for a in registry.authorities for n in a.names if _squeezed(n) == key}
    return hits.pop() if len(hits) == 1 else None


def report_council(
    slug: str, title: str, registry: AuthorityRegistry, layout: SiteLayout
) -> Authority | None:
    """The council of a report in the list: from its link text, else from its slug."""
    name = layout.council_in_title(title)
    found = registry.match(name) if name else None
    return found or slug_council(slug, registry, layout)
