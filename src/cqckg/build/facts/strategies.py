"""A named strategy, plan, programme, project or fund of the authority."""

from __future__ import annotations

from collections.abc import Sequence

from rdflib import Literal

from cqckg.build.builder import Builder, slugify
from cqckg.build.fact_kind import FactKind, merge_all
from cqckg.build.terms import CQC, DCTERMS, RDF, SKOS, XSD, authority_iri, concept_iri
from cqckg.extract.records import StrategyRecord
from cqckg.extract.strategies import extract_strategies, merge_strategies


def triples(b: Builder, strategies: Sequence[StrategyRecord]) -> None:
    for st in strategies:
        s = b.iri("strategy", slugify(st.title))
        for t in (st.title, *st.alt_titles):
            b.name("strategies", t, s)
        b.add(s, RDF.type, CQC.Strategy)
        b.add(s, DCTERMS.title, Literal(st.title))
        for alt in st.alt_titles:
            b.add(s, SKOS.altLabel, Literal(alt))
        b.add(s, CQC.strategyKind, concept_iri("strategy-kind", st.kind))
        if st.start_year is not None:
            b.add(s, CQC.startYear, Literal(str(st.start_year), datatype=XSD.gYear))
        if st.end_year is not None:
            b.add(s, CQC.endYear, Literal(str(st.end_year), datatype=XSD.gYear))
        b.add(s, DCTERMS.publisher, authority_iri(b.a.gss))
        for cp in st.co_producers:
            named = b.named("partners", cp)
            if named is not None:
                b.add(s, CQC.coProducedWith, named)
            else:
                b.add(s, CQC.coProducer, Literal(cp))
        for t in st.topics:
            b.add(s, DCTERMS.subject, concept_iri("topic", t))
        b.fact(s, st.anchors)


STRATEGIES = FactKind(
    name="strategies",
    record=StrategyRecord,
    extract=lambda found: extract_strategies(found.document, found.vocab, found.earlier.partners),
    merge=merge_all(merge_strategies),
    triples=triples,
    term="cqc:Strategy",
    shapes=("Strategy", "StrategyYearsInOrder"),
    questions=("strategies", "strategies-by-topic", "strategies-addressing-gaps"),
    needs=("partners",),
)
