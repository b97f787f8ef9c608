"""Partner organisations on the real corpus; expected values are typed from reading the reports."""

from __future__ import annotations

from functools import cache

import pytest

from cqckg.core.authorities import AuthorityRegistry
from cqckg.core.paths import sources_dir
from cqckg.core.vocabulary import load_vocabulary
from cqckg.extract.partners import extract_partners, find_partner_names, merge_partners
from cqckg.extract.records import PartnerOrganisationRecord
from cqckg.read import read_document
from cqckg.read.model import Document

WESTMINSTER = "westminster-2024/full-report.md"


@cache
def document(path: str) -> Document:
    return read_document(sources_dir() / path)


@cache
def partners(path: str) -> tuple[PartnerOrganisationRecord, ...]:
    return tuple(extract_partners(document(path), load_vocabulary(), AuthorityRegistry.load()))


def find(path: str, name: str) -> PartnerOrganisationRecord:
    hits = [r for r in partners(path) if name in (r.name, *r.alt_names)]
    assert len(hits) == 1, (name, [r.name for r in partners(path)])
    return hits[0]


@pytest.mark.parametrize(
    ("name", "partner_type"),
    [
        ("Central and Northwest London NHS Foundation Trust", "nhs-trust"),
        ("Northwest London Integrated Care Board", "integrated-care-board"),
        ("NHS Northwest London integrated care system", "integrated-care-system"),
        ("Royal Borough of Kensington and Chelsea", "council"),
        ("London Borough of Hammersmith and Fulham", "council"),
        ("Alcohol Change UK", "other"),
        ("Healthwatch", "healthwatch"),
        ("Local Account Group", "board-or-forum"),
        ("Safeguarding Adults Executive Board", "board-or-forum"),
        ("Joint Health and Wellbeing Board", "board-or-forum"),
        ("Homelessness Strategic Partnership Group", "board-or-forum"),
        ("Suicide Prevention Steering Group", "board-or-forum"),
        ("Black and Minority Ethnic forum", "board-or-forum"),
        ("Enhanced Vulnerability Forum", "board-or-forum"),
        ("Local Safeguarding Children Partnership", "board-or-forum"),
        ("Overview and Scrutiny Committee", "board-or-forum"),
        ("Local Government Association", "government"),
        ("Association of Directors of Adult Social Services", "government"),
        ("Care Quality Commission", "regulator"),
        # the head noun types the name, not the longest cue inside it
        ("Local Government Social Care Ombudsman", "regulator"),
        ("Housing Complex Case Panel", "board-or-forum"),
        ("Safeguarding Adults Review Subgroup", "board-or-forum"),
        ("Police", "police-fire-and-emergency"),
        ("fire brigade", "police-fire-and-emergency"),
        ("Home First Team", "other"),
        ("Making Research Count", "education-and-research"),
        ("Research in Practice", "education-and-research"),
        ("Advocacy Project", "advocacy"),
        ("Make it Happen", "other"),
        ("Pursuing Independent Paths", "other"),
        ("Full of Life", "other"),
        ("Community Catalysts", "other"),
        ("Community Champions", "other"),
        ("Safeguarding Ambassadors", "other"),
    ],
)
def test_westminster_partners(name: str, partner_type: str) -> None:
    assert find(WESTMINSTER, name).partner_type == partner_type


def test_councils_get_their_gss_code_and_the_assessed_council_is_not_a_partner() -> None:
    assert find(WESTMINSTER, "RBKC").authority_gss == "E09000020"
    assert find(WESTMINSTER, "London Borough of Hammersmith and Fulham").authority_gss == (
        "E09000013"
    )
    assert not any(r.authority_gss == "E09000033" for r in partners(WESTMINSTER))


def test_acronyms_join_their_partner() -> None:
    doc = document(WESTMINSTER)
    icb = find(WESTMINSTER, "ICB")
    assert icb.name == "Northwest London Integrated Care Board"
    quotes = [doc.text[a.start : a.end] for a in icb.anchors]
    assert any("challenges with partnership working with the ICB" in q for q in quotes)
    lag = find(WESTMINSTER, "LAG")
    assert len(lag.anchors) >= 8
    assert find(WESTMINSTER, "CNWL") is find(
        WESTMINSTER, "Central and Northwest London NHS Foundation Trust"
    )


def test_anchors_are_exact_sentences() -> None:
    doc = document(WESTMINSTER)
    r = find(WESTMINSTER, "Enhanced Vulnerability Forum")
    (a,) = r.anchors
    assert doc.text[a.start : a.end] == a.exact
    assert a.exact.startswith("Similarly, the Enhanced Vulnerability Forum was a problem-solving")


@pytest.mark.parametrize(
    "internal",
    [
        "Information and Advice Team",
        "Brokerage Team",
        "Public Health",
        "Sensory Impairment Team",
        "Integrated Commissioning Department",
        "Voluntary and Community Sector",
        "GP",
        "Community Hub",
    ],
)
def test_council_units_and_generic_nouns_are_not_partners(internal: str) -> None:
    names = {n for r in partners(WESTMINSTER) for n in (r.name, *r.alt_names)}
    assert internal not in names


@pytest.mark.parametrize(
    "sentence",
    [
        "Partners told us the local authority had been supportive.",
        "We received positive feedback from providers who shared their views.",
        "A safer neighbourhood Police officer was allocated to each team.",
        "The county had 7 NHS trusts and 2 specialist care providers.",
        "Where appropriate, staff were invited to attend NHS training sessions too.",
        "The Care Quality Commission (CQC), has rated the council as good.",
        "In Westminster, 100% of services were rated Good by the Care Quality Commission (CQC).",
        "Partners told CQC mental health provision and support was good.",
        "The Brokerage Team was responsive and worked well with frontline staff.",
        "This project had allowed for funding to the Voluntary and Community Sector (VCS).",
        "Neighbourhood Network schemes, each led by a single voluntary sector organisation.",
    ],
)
def test_generic_sentences_name_no_partner(sentence: str) -> None:
    assert find_partner_names(sentence) == []


@pytest.mark.parametrize(
    ("sentence", "names"),
    [
        # the area's emergency services after "with the" / "with local"
        ("Teams had planned meetings with local Police and partners.", ["Police"]),
        ("The safeguarding leads worked closely with the fire brigade.", ["fire brigade"]),
        # a name listed beside an organisation or "the local authority"
        (
            "Work had begun; the Integrated Care Board (ICB), Central London Community Health "
            "and the local authority had jointly appointed a managing director.",
            ["Integrated Care Board", "Central London Community Health"],
        ),
        # the owner of a publication
        (
            "Council members scrutinised the Safeguarding Adults Board Annual Report each year.",
            ["Safeguarding Adults Board"],
        ),
        # an acronym inside the name, "of the" after it
        (
            "The Safeguarding Adults Review (SAR) Subgroup of the Safeguarding Adults Executive "
            "Board (SAEB) managed all SARs.",
            ["Safeguarding Adults Review Subgroup", "Safeguarding Adults Executive Board"],
        ),
        # teams that are not the council's alone
        (
            "The integrated Early Intervention Community Team had been established for some time.",
            ["Early Intervention Community Team"],
        ),
        (
            "The team had formed good working relationships with the Home First Team who "
            "provided a responsive service from health colleagues.",
            ["Home First Team"],
        ),
        # the regulator as the object of "with"
        (
            "Regular meetings were being held with partners and the Care Quality Commission.",
            ["Care Quality Commission"],
        ),
    ],
)
def test_rules_on_sentences(sentence: str, names: list[str]) -> None:
    assert [n for n, *_ in find_partner_names(sentence)] == names


def test_the_assessor_is_no_partner_in_a_press_release() -> None:
    for path in ("westminster-2024/press-release.txt", "hammersmith-and-fulham/press-release.txt"):
        assert not [r.name for r in partners(path)]


def test_a_one_word_body_as_a_modifier_is_no_mention() -> None:
    hf = "hammersmith-and-fulham/hammersmithfulham-0525.txt"
    assert "NHS" not in {r.name for r in partners(hf)}
    assert find(WESTMINSTER, "NHS").partner_type == "nhs-other"  # "in partnership with the NHS"


def test_an_acronym_alone_joins_the_name_it_abbreviates() -> None:
    cqc = find(WESTMINSTER, "CQC")
    assert cqc.name == "Care Quality Commission"


def test_other_councils() -> None:
    camden = "camden/camden-0225.txt"
    icb = find(camden, "North Central London NHS Integrated Care Board")
    assert (icb.partner_type, icb.alt_names) == ("integrated-care-board", ("NCL",))
    bham = "birmingham/birmingham-cc-1-how-local-authority-works-people-assessing-needs.txt"
    assert {r.name for r in partners(bham)} == {"Carers Hub", "Forward Carers"}
    hf = "hammersmith-and-fulham/hammersmithfulham-0525-theme2-partnerships.txt"
    ics = find(hf, "Northwest London Integrated Care System")
    assert ics.partner_type == "integrated-care-system"
    assert find(hf, "Integrated Care System") is ics
    assert find(hf, "ICB").partner_type == "integrated-care-board"


def test_merge_partners_across_documents() -> None:
    a = PartnerOrganisationRecord("Local Account Group", "board-or-forum", (), ("LAG",))
    b = PartnerOrganisationRecord("LAG", "other", ())
    c = PartnerOrganisationRecord(
        "Royal Borough of Kensington and Chelsea", "council", (), (), "E09000020"
    )
    d = PartnerOrganisationRecord("Kensington and Chelsea", "council", (), ("RBKC",), "E09000020")
    merged = merge_partners([a, b, c, d])
    assert [(r.name, r.alt_names) for r in merged] == [
        ("Local Account Group", ("LAG",)),
        ("Royal Borough of Kensington and Chelsea", ("Kensington and Chelsea", "RBKC")),
    ]


HELD_OUT = sources_dir().parent.parent / "tests" / "data" / "sources"


def _held_out(path: str) -> tuple[PartnerOrganisationRecord, ...]:
    doc = read_document(HELD_OUT / path)
    return tuple(extract_partners(doc, load_vocabulary(), AuthorityRegistry.load()))


@pytest.mark.parametrize(
    "path",
    [
        # "Liberal Democrats currently hold B&NES ...", "B&NES Council was created ...",
        # "The Integrated Care System (ICS) covers B&NES, Swindon and Wiltshire (BSW)."
        "bath-and-north-east-somerset/bathandnortheastsomerset-0125.txt",
        # "... a minority Labour led local authority ..., a minority Conservative led Council.",
        # "... the NHS Integrated Care Board (ICB) which works across Derby and Derbyshire."
        "derby/derby-0824_mirror-gl-cqc-axis12.txt",
        # "The London Borough of Brent is a Labour-led council, with a large majority."
        "brent/brent-0824.txt",
    ],
)
def test_landing_pages_name_no_party_no_area_and_not_the_council_itself(path: str) -> None:
    names = {p.name for p in _held_out(path)}
    assert names  # each names a real partner (an ICS, an ICB, an alliance)
    for bad in (
        "Liberal Democrats",
        "Labour",
        "Conservative",
        "B&NES Council",
        "Swindon",
        "Wiltshire",
        "Somerset",
        "Derbyshire",
        "Derby",
    ):
        assert not any(bad in n for n in names), (bad, names)


@pytest.mark.parametrize(
    "name", ["Labour Group", "Labour and Independent Group", "Conservative Group", "Green Party"]
)
def test_party_groups_are_not_partners(name: str) -> None:
    from cqckg.extract.partners import _political

    assert _political(name, load_vocabulary())
    assert not _political("Independent Living Assessors", load_vocabulary())
    assert not _political("Joint Health and Wellbeing Board", load_vocabulary())


def test_an_acronym_takes_in_the_word_the_name_left_out() -> None:
    # Bath and North East Somerset's landing page
    sentence = (
        "When the ICB was formed B&NES integrated Care Alliance Group (ICA) became the strategic "
        "focus group for B&NES."
    )
    assert ("integrated Care Alliance Group", 30, 60, "ICA") in find_partner_names(sentence)
    # a name the acronym already spells is left as it is
    assert find_partner_names("It worked with the Integrated Care Board (ICB) on discharge.")[0][
        0
    ] == ("Integrated Care Board")
