"""The 153 councils and matching the many ways documents write their names.

Names come from ``graph/authorities.ttl`` (official, short and alternative names); matching is
on a normalised form (case, '&'/'and', punctuation, 'the', council-type words) with rapidfuzz
for near misses.

>>> reg = AuthorityRegistry.load()
>>> reg.match("London Borough of Barking & Dagenham").gss
'E09000002'
>>> reg.match("Leeds City Council").gss
'E08000035'
>>> [a.gss for a, _, _ in reg.find_in_text("CQC rates Leeds City Council's provision")]
['E08000035']
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from rapidfuzz import fuzz, process
from rdflib import Graph
from rdflib.namespace import RDF, SKOS

from cqckg.errors import AuthorityNotFound
from cqckg.namespaces import CQC
from cqckg.paths import graph_dir

# Words that name the kind of council rather than the place: "X City Council" is "X".
_KIND_WORDS = re.compile(
    r"\b(?:london borough of|royal borough of|metropolitan borough council|"
    r"metropolitan district council|"
    r"city of (?=\w)|borough council|county council|city council|district council|council|"
    r"metropolitan borough|london boro|borough|district|ua|mdc)\b"
)


def normalise(name: str) -> str:
    """Fold a council name to a comparable key.

    >>> normalise("The Royal Borough of Windsor & Maidenhead")
    'windsor and maidenhead'
    >>> normalise("Barking and Dagenham")
    'barking and dagenham'
    """
    text = unicodedata.normalize("NFKC", name).casefold()
    text = text.replace("&", " and ").replace("’", "'")
    text = re.sub(r"'s\b", "", text)
    text = re.sub(r"[^\w\s]", " ", text)
    text = re.sub(r"\bthe\b", " ", text)
    stripped = _KIND_WORDS.sub(" ", text)
    stripped = re.sub(r"\s+", " ", stripped).strip()
    return stripped or re.sub(r"\s+", " ", text).strip()


@dataclass(frozen=True)
class Authority:
    gss: str
    name: str
    short_name: str
    region: str
    names: tuple[str, ...] = field(default=(), compare=False)


class AuthorityRegistry:
    """Look councils up by GSS code or by any spelling of their name."""

    def __init__(self, authorities: list[Authority]) -> None:
        self.authorities = sorted(authorities, key=lambda a: a.gss)
        self.by_gss = {a.gss: a for a in self.authorities}
        self._by_key: dict[str, Authority] = {}
        ambiguous: set[str] = set()
        for a in self.authorities:
            for n in a.names:
                key = normalise(n)
                other = self._by_key.get(key)
                if other is not None and other.gss != a.gss:
                    ambiguous.add(key)
                self._by_key[key] = a
        for key in ambiguous:
            del self._by_key[key]
        self._keys = sorted(self._by_key)
        variants = sorted(
            {n for a in self.authorities for n in a.names if len(normalise(n)) >= 3},
            key=len,
            reverse=True,
        )
        self._pattern = re.compile(
            r"(?<![\w-])(?:" + "|".join(_loose(v) for v in variants) + r")(?![\w-])",
            re.IGNORECASE,
        )

    @classmethod
    def load(cls, path: Path | None = None) -> AuthorityRegistry:
        """Read councils from ``graph/authorities.ttl`` (cached per path)."""
        return _load(path or graph_dir() / "authorities.ttl")

    def get(self, gss: str) -> Authority:
        try:
            return self.by_gss[gss.strip().upper()]
        except KeyError:
            raise AuthorityNotFound(f"no council has the GSS code {gss!r}") from None

    def match(self, name: str, *, cutoff: float = 92.0) -> Authority | None:
        """The council a name or GSS code denotes, or ``None`` when nothing is close enough."""
        text = name.strip()
        if re.fullmatch(r"[EWSN]\d{8}", text.upper()):
            return self.by_gss.get(text.upper())
        key = normalise(text)
        if key in self._by_key:
            return self._by_key[key]
        found = process.extractOne(key, self._keys, scorer=fuzz.ratio, score_cutoff=cutoff)
        return None if found is None else self._by_key[found[0]]

    def resolve(self, name: str) -> Authority:
        """Like :meth:`match` but raises :class:`AuthorityNotFound` naming the text."""
        found = self.match(name)
        if found is None:
            raise AuthorityNotFound(f"no council matches {name!r}")
        return found

    def find_in_text(self, text: str) -> list[tuple[Authority, int, int]]:
        """Every mention of a council in a text, with offsets, longest spelling first."""
        out = []
        for m in self._pattern.finditer(text):
            a = self.match(m.group(0), cutoff=100.0)
            if a is not None:
                out.append((a, m.start(), m.end()))
        return out


def _loose(name: str) -> str:
    """A regex for a name that tolerates '&' for 'and', curly apostrophes and spacing."""
    parts = []
    for piece in re.split(r"(\s+|&|\band\b|'|’|,)", name):
        if not piece or piece.isspace():
            parts.append(r"\s+" if piece else "")
        elif piece == "&" or piece.casefold() == "and":
            parts.append(r"(?:&|and)")
        elif piece in ("'", "’"):
            parts.append(r"['’]")
        elif piece == ",":
            parts.append(r",?")
        else:
            parts.append(re.escape(piece))
    return re.sub(r"(?:\\s\+)+", r"\\s+", "".join(parts))


@cache
def _load(path: Path) -> AuthorityRegistry:
    g = Graph().parse(path, format="turtle")
    authorities = []
    for s in g.subjects(RDF.type, CQC.LocalAuthority):
        gss = str(g.value(s, CQC.gssCode))
        name = str(g.value(s, SKOS.prefLabel))
        short = str(g.value(s, CQC.shortName))
        names = {name, short, *(str(o) for o in g.objects(s, SKOS.altLabel))}
        authorities.append(
            Authority(
                gss=gss,
                name=name,
                short_name=short,
                region=str(g.value(s, CQC.region)),
                names=tuple(sorted(names)),
            )
        )
    return AuthorityRegistry(authorities)
