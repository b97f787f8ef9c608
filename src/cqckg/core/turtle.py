"""Sorted, deterministic Turtle, so that a change to the graph shows as a readable diff.

rdflib's own serialiser does not promise a stable order; this one sorts subjects, puts
``rdf:type`` first, sorts the other predicates and the objects, and writes every IRI the same way
every time. Blank nodes are refused: the graph names everything it says.

>>> from rdflib import Graph, Literal, URIRef
>>> from rdflib.namespace import RDF, RDFS
>>> g = Graph()
>>> _ = g.add((URIRef("https://w3id.org/cqc-kg/id/x"), RDFS.label, Literal("x")))
>>> _ = g.add((URIRef("https://w3id.org/cqc-kg/id/x"), RDF.type, RDFS.Resource))
>>> print(serialize_sorted(g, {"rdfs": str(RDFS)}), end="")
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
<BLANKLINE>
<https://w3id.org/cqc-kg/id/x> a rdfs:Resource ;
    rdfs:label "x" .
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Mapping

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import RDF, XSD, NamespaceManager

from cqckg.core.namespaces import PREFIXES

_LOCAL = re.compile(r"^[A-Za-z_][A-Za-z0-9_-]*$")
_INTEGER = re.compile(r"^[+-]?\d+$")
_DECIMAL = re.compile(r"^[+-]?\d*\.\d+$")


def _iri(term: URIRef, prefixes: Mapping[str, str]) -> str:
    text = str(term)
    if term == RDF.type:
        return "a"
    best: tuple[int, str] | None = None
    for prefix, ns in prefixes.items():
        if (
            text.startswith(ns)
            and _LOCAL.match(text[len(ns) :])
            and (best is None or len(ns) > best[0])
        ):
            best = (len(ns), f"{prefix}:{text[len(ns) :]}")
    if best is not None:
        return best[1]
    return "<" + text.replace(">", "%3E") + ">"


def _literal(term: Literal, prefixes: Mapping[str, str], nm: NamespaceManager) -> str:
    lexical = str(term)
    if term.datatype == XSD.integer and _INTEGER.match(lexical):
        return lexical
    if term.datatype == XSD.decimal and _DECIMAL.match(lexical):
        return lexical
    if term.datatype == XSD.boolean and lexical in ("true", "false"):
        return lexical
    if term.datatype is not None and term.language is None:
        plain = Literal(lexical)
        return f"{plain.n3()}^^{_iri(URIRef(term.datatype), prefixes)}"
    return term.n3(nm)


def _term(term: object, prefixes: Mapping[str, str], nm: NamespaceManager) -> str:
    if isinstance(term, BNode):
        raise ValueError("blank nodes are not written by serialize_sorted; name the resource")
    if isinstance(term, URIRef):
        return _iri(term, prefixes)
    if isinstance(term, Literal):
        return _literal(term, prefixes, nm)
    raise TypeError(f"cannot write {term!r}")


def _sort_key(term: object) -> tuple[int, str, str]:
    if isinstance(term, URIRef):
        return (0, str(term), "")
    if isinstance(term, Literal):
        return (1, str(term), f"{term.datatype or ''}@{term.language or ''}")
    return (2, str(term), "")


def serialize_sorted(
    triples: Graph | Iterable[tuple[object, object, object]],
    prefixes: Mapping[str, str] | None = None,
) -> str:
    """Write triples as Turtle in a canonical order; only prefixes actually used are declared."""
    prefixes = dict(PREFIXES if prefixes is None else prefixes)
    nm = NamespaceManager(Graph(), bind_namespaces="none")
    for prefix, ns in prefixes.items():
        nm.bind(prefix, ns, override=True, replace=True)
    by_subject: dict[object, dict[object, list[object]]] = defaultdict(lambda: defaultdict(list))
    for s, p, o in triples:
        by_subject[s][p].append(o)
    blocks: list[str] = []
    for s in sorted(by_subject, key=_sort_key):
        preds = by_subject[s]
        order = sorted(preds, key=lambda p: (p != RDF.type, _sort_key(p)))
        lines = []
        for p in order:
            objs = sorted(set(preds[p]), key=_sort_key)
            rendered = " , ".join(_term(o, prefixes, nm) for o in objs)
            lines.append(f"{_term(p, prefixes, nm)} {rendered}")
        blocks.append(f"{_term(s, prefixes, nm)} " + " ;\n    ".join(lines) + " .\n")
    body = "\n".join(blocks)
    used = [
        (prefix, ns)
        for prefix, ns in sorted(prefixes.items())
        if re.search(rf"(?:^|[\s,;(\[]|\^\^){re.escape(prefix)}:", body, re.MULTILINE)
    ]
    head = "".join(f"@prefix {prefix}: <{ns}> .\n" for prefix, ns in used)
    return head + ("\n" if head and body else "") + body
