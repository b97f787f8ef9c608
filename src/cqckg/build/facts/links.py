"""A strategy addressing a gap: stated by the report, or inferred (same passage, shared topic),
with its basis and confidence."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from decimal import ROUND_HALF_UP, Decimal

from rdflib import Literal

from cqckg.build.builder import Builder, normalise_text, short_hash
from cqckg.build.fact_kind import FactKind, Merged, Stated
from cqckg.build.terms import CQC, RDF, XSD, concept_iri
from cqckg.extract.links import extract_links
from cqckg.extract.records import AddressingLinkRecord, Extraction


def merge(
    stated: Sequence[Stated[AddressingLinkRecord]], merged: Extraction
) -> Merged[AddressingLinkRecord]:
    """Each document's links, pointed at the merged strategy and gap; one link per pair (the
    most confident, with every anchor)."""
    titles: dict[str, str] = {}
    for st in merged.strategies:
        for t in (st.title, *st.alt_titles):
            titles[normalise_text(t)] = st.title
    # a link names its gap by the sentence it was found in: the merged finding holding that
    # sentence among its anchors is the gap it now points at
    gaps = {normalise_text(a.exact): f.text for f in merged.findings for a in f.anchors}
    gaps.update((normalise_text(f.text), f.text) for f in merged.findings)
    links = []
    for s in stated:
        for ln in s.records:
            title = titles.get(normalise_text(ln.strategy))
            if title is not None:
                gap = gaps.get(normalise_text(ln.gap), ln.gap)
                links.append(dataclasses.replace(ln, strategy=title, gap=gap))
    best: dict[tuple[str, str], AddressingLinkRecord] = {}
    for ln in links:
        k = (ln.strategy, normalise_text(ln.gap))
        if k not in best or ln.confidence > best[k].confidence:
            old = best.get(k)
            anchors = tuple(sorted(set(ln.anchors) | (set(old.anchors) if old else set())))
            best[k] = dataclasses.replace(ln, anchors=anchors)
    return Merged(list(best.values()))


def triples(b: Builder, links: Sequence[AddressingLinkRecord]) -> None:
    for ln in links:
        strategy = b.named("strategies", ln.strategy)
        gap = b.named("findings", ln.gap)
        if strategy is None or gap is None:
            b.a.warnings.append(
                f"link dropped: {ln.strategy!r} -> {ln.gap[:60]!r} (unknown strategy or gap)"
            )
            continue
        s = b.iri("link", short_hash(str(strategy), str(gap)))
        b.add(strategy, CQC.addresses, gap)
        b.add(strategy, CQC.qualifiedAddressing, s)
        b.add(s, RDF.type, CQC.AddressingLink)
        b.add(s, CQC.linkedStrategy, strategy)
        b.add(s, CQC.linkedGap, gap)
        b.add(s, CQC.basis, concept_iri("link-basis", ln.basis.value))
        conf = Decimal(str(ln.confidence)).quantize(Decimal("0.01"), ROUND_HALF_UP)
        b.add(s, CQC.confidence, Literal(conf, datatype=XSD.decimal))
        b.add(s, CQC.inferred, Literal(ln.basis.value != "stated"))
        b.fact(s, ln.anchors)


LINKS = FactKind(
    name="links",
    record=AddressingLinkRecord,
    extract=lambda found: extract_links(
        found.document, found.vocab, found.earlier.findings, found.earlier.strategies
    ),
    merge=merge,
    triples=triples,
    term="cqc:AddressingLink",
    shapes=(
        "AddressingLink",
        "AddressesIsQualified",
        "LinkMatchesAddresses",
        "InferredUnlessStated",
    ),
    questions=("strategies-addressing-gaps", "unaddressed-gaps"),
    needs=("findings", "strategies"),
)
