"""Which council a command-line argument, a report's link text or its slug names."""

from __future__ import annotations

from cqckg.core.authorities import Authority, AuthorityRegistry
from cqckg.fetch.site import SiteLayout


def slug_authority(slug: str, registry: AuthorityRegistry, layout: SiteLayout) -> Authority | None:
    """The council a report's slug names (``{name}-0225``, names run together,
    ``{name}-cc``), or ``None``: the registry reads names run together as slugs write them."""
    name = layout.slug_name(slug.lower())
    return registry.match(name.replace("-", " ")) or registry.match(name, cutoff=100.0)


def report_authority(
    slug: str, title: str, registry: AuthorityRegistry, layout: SiteLayout
) -> Authority | None:
    """The council of a report in the list: from its link text, else from its slug."""
    name = layout.authority_in_title(title)
    found = registry.match(name) if name else None
    return found or slug_authority(slug, registry, layout)
