"""Generate graph/authorities.ttl from graph/reference/england-councils-with-adult-social-care.csv.

Run from the repository root: ``python tools/make_authorities.py``. The output is sorted and
deterministic, so regenerating it gives the same bytes.
"""

from __future__ import annotations

import csv
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from rdflib import Graph, Literal, URIRef  # noqa: E402
from rdflib.namespace import DCAT, DCTERMS, RDF, RDFS, SKOS, XSD  # noqa: E402

from cqckg.core.namespaces import AUTHORITIES_GRAPH, CQC, area_iri, authority_iri, concept_iri  # noqa: E402
from cqckg.core.turtle import serialize_sorted  # noqa: E402

SOURCE = URIRef("https://github.com/mysociety/uk_local_authority_names_and_codes")
TYPE_SLUGS = {
    "LBO": "london-borough",
    "MD": "metropolitan-district",
    "UA": "unitary-authority",
    "CTY": "county-council",
    "CC": "city-corporation",
}


def main() -> None:
    src = ROOT / "graph" / "reference" / "england-councils-with-adult-social-care.csv"
    g = Graph()
    ds = AUTHORITIES_GRAPH
    g.add((ds, RDF.type, DCAT.Dataset))
    g.add(
        (
            ds,
            DCTERMS.title,
            Literal("English councils with adult social services responsibilities", lang="en"),
        )
    )
    g.add(
        (
            ds,
            DCTERMS.description,
            Literal(
                "The 153 English councils with adult social services duties under the Care Act "
                "2014, keyed "
                "by the ONS GSS code of their area, with official, short and alternative names.",
                lang="en",
            ),
        )
    )
    g.add((ds, DCTERMS.source, SOURCE))
    g.add((ds, DCTERMS.license, URIRef("https://opensource.org/licenses/MIT")))
    g.add((ds, DCTERMS.rightsHolder, Literal("mySociety")))
    g.add(
        (
            ds,
            DCTERMS.bibliographicCitation,
            Literal(
                "Derived from mySociety's uk_local_authority_names_and_codes (MIT licence, "
                "copyright 2021 mySociety), filtered to England's current UA/MD/LBO/CTY/CC "
                "authorities; Lincolnshire's region corrected to East Midlands. Names and codes "
                "are facts from the ONS and GOV.UK registers."
            ),
        )
    )
    with src.open(newline="", encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            gss = row["gss-code"].strip()
            a = authority_iri(gss)
            official = row["official-name"].strip()
            short = row["nice-name"].strip()
            g.add((a, RDF.type, CQC.LocalAuthority))
            g.add((a, SKOS.prefLabel, Literal(official, lang="en")))
            g.add((a, RDFS.label, Literal(official, lang="en")))
            g.add((a, CQC.shortName, Literal(short, lang="en")))
            g.add((a, CQC.gssCode, Literal(gss)))
            g.add((a, CQC.localAuthorityCode, Literal(row["local-authority-code"].strip())))
            g.add(
                (
                    a,
                    CQC.authorityType,
                    concept_iri("authority-type", TYPE_SLUGS[row["local-authority-type"].strip()]),
                )
            )
            g.add((a, CQC.region, Literal(row["region"].strip())))
            g.add((a, DCTERMS.spatial, area_iri(gss)))
            g.add((a, DCTERMS.source, SOURCE))
            if row["start-date"].strip():
                g.add((a, DCTERMS.created, Literal(row["start-date"].strip(), datatype=XSD.date)))
            for former in filter(None, (c.strip() for c in row["former-gss-codes"].split(","))):
                g.add((a, CQC.formerGssCode, Literal(former)))
            seen = {official.casefold(), short.casefold()}
            for alt in (n.strip() for n in re.split(r",(?! )", row["alt-names"])):
                if alt and alt.casefold() not in seen:
                    seen.add(alt.casefold())
                    g.add((a, SKOS.altLabel, Literal(alt, lang="en")))
    out = ROOT / "graph" / "authorities.ttl"
    out.write_text(serialize_sorted(g), encoding="utf-8")
    print(f"wrote {out.relative_to(ROOT)}: {len(g)} triples")


if __name__ == "__main__":
    main()
