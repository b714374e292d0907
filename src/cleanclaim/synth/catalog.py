"""Curated reference facts the synthetic world is built from.

Everything here is small, hand-kept and public-domain in kind: ICD-10-CM codes (billable ones,
checked against the FY release in the tests), CPT/HCPCS code *numbers* only (never AMA
descriptors; the ``family`` labels are our own words), provider taxonomies, place-of-service and
revenue codes, names and places. Charges, unit limits and the edit pairs are the world's own
values, shaped like the CMS tables but not copied from them.

The encounter recipes say which services are billed together and which diagnoses support them;
:mod:`cleanclaim.synth.population` expands them into concrete claim templates.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = [
    "AGE_EDGES",
    "AUTH_CANDIDATES",
    "CITIES",
    "DELETED_PREDECESSOR",
    "DIAGNOSES",
    "ENCOUNTERS",
    "EXCLUDABLE_FAMILIES",
    "FEMALE_NAMES",
    "LAST_NAMES",
    "LIMITED_FAMILY",
    "MALE_NAMES",
    "NEUTRAL_DX",
    "ORG_WORDS",
    "PAYER_PROFILES",
    "PREVENTIVE_BANDS",
    "PROCEDURES",
    "PTP_PAIRS",
    "STREETS",
    "DxInfo",
    "Encounter",
    "LineRecipe",
    "PayerProfile",
    "ProcInfo",
]


@dataclass(frozen=True, slots=True)
class DxInfo:
    """A billable ICD-10-CM code (no dot) and the patients it fits."""

    code: str
    sex: str = ""
    min_age: int = 0
    max_age: int = 200


@dataclass(frozen=True, slots=True)
class ProcInfo:
    """A procedure code with the world's unit limit, typical charge and restrictions.

    ``support`` lists the diagnoses that make the service medically necessary; ``None`` means
    any diagnosis does (evaluation and management, pharmacy, room and board).
    """

    code: str
    family: str
    mue: int
    charge: float
    support: tuple[str, ...] | None = None
    sex: str = ""
    min_age: int = 0
    max_age: int = 200


def _dx(*codes: str, sex: str = "", min_age: int = 0, max_age: int = 200) -> list[DxInfo]:
    return [DxInfo(c, sex, min_age, max_age) for c in codes]


DIAGNOSES: tuple[DxInfo, ...] = tuple(
    _dx(
        "I10", "E119", "E1165", "E782", "E785", "J069", "J209", "J189", "J449", "J45909",
        "K219", "M5450", "M5416", "M5126", "M1711", "M1712", "M25561", "S83241A", "S93401A",
        "R079", "R0789", "R002", "I4891", "I2510", "I5022", "R0602", "R059", "F329", "F419",
        "G4733", "R519", "G43909", "N390", "R7303", "E039", "D649", "Z23", "A419", "N179",
        "K8020", "R1031", "R109", "L03115", "H5213", "H524", "M9903", "G8929", "Z1211",
        "K635", "Z302",
    )
    + _dx("Z0000", "Z0001", min_age=18)
    + _dx("Z00129", "Z00121", max_age=17)
    + _dx("Z1231", sex="F", min_age=40)
    + _dx("Z124", sex="F", min_age=21)
    + _dx("Z3400", "Z3490", sex="F", min_age=12, max_age=55)
    + _dx("Z30430", sex="F", min_age=12, max_age=55)
    + _dx("N400", "R9720", sex="M", min_age=40)
    + _dx("Z125", sex="M", min_age=40)
)
"""Every diagnosis a clean claim may carry; all are billable in the FY2026 code set."""

NEUTRAL_DX: tuple[str, ...] = ("J069", "S93401A", "K219", "L03115", "F419", "D649")
"""Codes that fit any patient, used to bill a service with a diagnosis that does not support it."""

_BACK = ("M5450", "M5416", "M5126", "G8929")
_KNEE = ("M1711", "M1712", "M25561", "S83241A")
_CHEST = ("R079", "R0789", "R002", "I4891", "I2510", "I10")
_LUNG = ("J189", "R059", "R0602", "J449", "J209", "R079")
_ABD = ("R1031", "R109", "K8020")


def _p(
    code: str,
    family: str,
    mue: int,
    charge: float,
    support: tuple[str, ...] | None = None,
    sex: str = "",
    ages: tuple[int, int] = (0, 200),
) -> ProcInfo:
    return ProcInfo(code, family, mue, charge, support, sex, ages[0], ages[1])


PREVENTIVE_BANDS: tuple[tuple[int, int, str, str], ...] = (
    (0, 0, "99381", "99391"),
    (1, 4, "99382", "99392"),
    (5, 11, "99383", "99393"),
    (12, 17, "99384", "99394"),
    (18, 39, "99385", "99395"),
    (40, 64, "99386", "99396"),
    (65, 200, "99387", "99397"),
)
"""Preventive-visit code pairs (new patient, established) by inclusive age band."""

_PREVENTIVE: list[ProcInfo] = []
for _lo, _hi, _new, _est in PREVENTIVE_BANDS:
    _PREVENTIVE.append(_p(_new, "preventive", 1, 260.0, ages=(_lo, _hi)))
    _PREVENTIVE.append(_p(_est, "preventive", 1, 220.0, ages=(_lo, _hi)))

PROCEDURES: tuple[ProcInfo, ...] = (
    # Evaluation and management: any diagnosis supports a visit.
    _p("99202", "office_visit", 1, 120.0),
    _p("99203", "office_visit", 1, 180.0),
    _p("99204", "office_visit", 1, 270.0),
    _p("99212", "office_visit", 1, 90.0),
    _p("99213", "office_visit", 1, 140.0),
    _p("99214", "office_visit", 1, 210.0),
    _p("99215", "office_visit", 1, 290.0),
    _p("99283", "emergency_visit", 1, 380.0),
    _p("99284", "emergency_visit", 1, 620.0),
    _p("99285", "emergency_visit", 1, 950.0),
    *_PREVENTIVE,
    # Laboratory.
    _p("36415", "specimen_collection", 2, 18.0),
    _p("80053", "lab", 1, 45.0, ("I10", "E119", "E1165", "N179", "A419", "R109", "D649",
                                "Z0000", "Z0001", "I5022", "N390")),
    _p("85025", "lab", 1, 32.0, ("D649", "A419", "J189", "N390", "R1031", "Z0000", "Z0001",
                                "I5022")),
    _p("83036", "lab", 1, 40.0, ("E119", "E1165", "R7303")),
    _p("80061", "lab", 1, 55.0, ("E782", "E785", "I2510", "E119", "Z0000", "Z0001")),
    _p("84443", "lab", 1, 50.0, ("E039", "R002", "F329")),
    _p("G0103", "lab", 1, 60.0, ("Z125", "R9720", "N400"), sex="M", ages=(40, 200)),
    _p("G0101", "screening_exam", 1, 70.0, ("Z124",), sex="F", ages=(21, 200)),
    # Immunization.
    _p("90471", "immunization_admin", 2, 35.0, ("Z23",)),
    _p("90686", "vaccine", 1, 40.0, ("Z23",), ages=(3, 200)),
    # Cardiology and sleep.
    _p("93000", "ecg", 1, 75.0, (*_CHEST, "R0602")),
    _p("93005", "ecg", 1, 55.0, (*_CHEST, "R0602")),
    _p("93306", "echocardiography", 1, 1400.0, ("I5022", "I4891", "R0602", "R002", "I10")),
    _p("95810", "sleep_study", 1, 2600.0, ("G4733",)),
    # Imaging.
    _p("71046", "radiography", 1, 160.0, (*_LUNG, "R0789")),
    _p("73562", "radiography", 1, 150.0, _KNEE),
    _p("72148", "mri", 1, 1900.0, _BACK),
    _p("73721", "mri", 1, 1800.0, _KNEE),
    _p("70553", "mri", 1, 2700.0, ("G43909", "R519")),
    _p("74177", "ct", 1, 2100.0, (*_ABD, "N390")),
    _p("77067", "mammography", 1, 280.0, ("Z1231",), sex="F", ages=(40, 200)),
    _p("76805", "obstetric_ultrasound", 1, 420.0, ("Z3400", "Z3490"), sex="F", ages=(12, 55)),
    # Musculoskeletal and rehabilitation.
    _p("20610", "joint_injection", 2, 260.0, _KNEE),
    _p("J3301", "drug", 8, 12.0, _KNEE),
    _p("97161", "pt_evaluation", 1, 190.0, _BACK + _KNEE + ("S93401A",)),
    _p("97110", "physical_therapy", 12, 55.0, _BACK + _KNEE + ("S93401A",)),
    _p("97112", "physical_therapy", 12, 60.0, _BACK + _KNEE + ("S93401A",)),
    _p("97140", "physical_therapy", 12, 58.0, _BACK + _KNEE + ("S93401A",)),
    _p("97530", "physical_therapy", 12, 62.0, _BACK + _KNEE + ("S93401A",)),
    _p("98940", "chiropractic", 1, 65.0, ("M9903", *_BACK)),
    _p("98941", "chiropractic", 1, 85.0, ("M9903", *_BACK)),
    _p("97810", "acupuncture", 1, 80.0, (*_BACK, "G43909")),
    _p("97811", "acupuncture", 2, 60.0, (*_BACK, "G43909")),
    _p("92004", "vision_exam", 1, 210.0, ("H5213", "H524", "E119")),
    _p("92014", "vision_exam", 1, 160.0, ("H5213", "H524", "E119")),
    _p("92015", "vision_exam", 1, 55.0, ("H5213", "H524")),
    # Surgery and procedures.
    _p("29881", "arthroscopy", 1, 5200.0, ("S83241A", "M1711", "M1712")),
    _p("45378", "colonoscopy", 1, 2400.0, ("Z1211", "K635", "D649")),
    _p("47562", "cholecystectomy", 1, 9800.0, ("K8020",)),
    _p("58300", "contraception", 1, 310.0, ("Z30430",), sex="F", ages=(12, 55)),
    _p("55250", "sterilization", 1, 900.0, ("Z302",), sex="M", ages=(18, 200)),
    _p("55700", "prostate_biopsy", 1, 1100.0, ("R9720", "N400"), sex="M", ages=(40, 200)),
)
"""The procedure codes of the world, keyed by code number; values are the world's own."""

PTP_PAIRS: tuple[tuple[str, str, str], ...] = (
    ("20610", "99213", "25"),
    ("20610", "99214", "25"),
    ("97530", "97140", "59"),
)
"""Procedure-to-procedure edits (column 1, column 2, modifier that allows the pair).

Both codes may be billed on the same claim only when the column-2 line carries the modifier.
"""

AUTH_CANDIDATES: tuple[str, ...] = ("72148", "73721", "70553", "93306", "95810", "29881")
"""Codes a plan may put on its prior-authorization list (the first three are on every list)."""

EXCLUDABLE_FAMILIES: tuple[str, ...] = ("acupuncture", "chiropractic", "vision_exam")
"""Families a plan may exclude outright; a clean claim never bills an excluded code."""

LIMITED_FAMILY = "physical_therapy"
"""The family a plan may cap per visit (``BenefitLimit`` with period ``per_visit``)."""

DELETED_PREDECESSOR: dict[str, str] = {
    "99202": "99201",
    "99203": "99201",
    "99204": "99201",
    "97161": "97001",
    "77067": "77057",
}
"""Codes deleted from CPT (before the world's dates) that an outdated system still bills."""


@dataclass(frozen=True, slots=True)
class LineRecipe:
    """One line of an encounter: candidate codes (one is picked), units, probability, modifier."""

    codes: tuple[str, ...]
    units: tuple[int, int] = (1, 1)
    probability: float = 1.0
    revenue: str | None = None


@dataclass(frozen=True, slots=True)
class Encounter:
    """A kind of visit: who bills it, where, which lines and which diagnoses."""

    name: str
    weight: float
    claim_type: str
    billing_taxonomy: str
    rendering_taxonomy: str
    place: str
    lines: tuple[LineRecipe, ...]
    extra_dx: tuple[str, ...] = ()
    inpatient: bool = False
    preventive: bool = False
    excludable: str | None = None


_FAM = "207Q00000X"
_IM = "207R00000X"
_ORTHO = "207X00000X"
_PT = "225100000X"
_RAD = "2085R0202X"
_CARD = "207RC0000X"
_EM = "207P00000X"
_HOSP = "282N00000X"
_HOSPITALIST = "208M00001X"
_LAB = "291U00000X"
_OBGYN = "207V00000X"
_URO = "208800000X"
_SLEEP = "207RS0012X"
_GI = "207RG0100X"
_SURG = "208600000X"

L = LineRecipe

ENCOUNTERS: tuple[Encounter, ...] = (
    Encounter("office_established", 30, "professional", _FAM, _FAM, "11", (
        L(("99212", "99213", "99213", "99214", "99214", "99215")),
        L(("36415",), probability=0.3),
        L(("80053", "85025", "83036", "80061", "84443"), probability=0.3),
        L(("93000",), probability=0.08),
    ), extra_dx=("I10", "E119", "E782", "K219", "F419", "J069", "M5450", "R7303")),
    Encounter("office_new", 8, "professional", _IM, _IM, "11", (
        L(("99202", "99203", "99203", "99204")),
        L(("80061", "83036", "84443"), probability=0.3),
    ), extra_dx=("I10", "E785", "F329", "R519", "J209", "E039")),
    Encounter("joint_injection", 4, "professional", _ORTHO, _ORTHO, "11", (
        L(("99213", "99214")),
        L(("20610",)),
        L(("J3301",), units=(2, 4)),
        L(("73562",), probability=0.3),
    )),
    Encounter("preventive", 9, "professional", _FAM, _FAM, "11", (
        L(("preventive",)),
        L(("90686",), probability=0.35),
    ), preventive=True),
    Encounter("physical_therapy", 8, "professional", _PT, _PT, "11", (
        L(("97110",), units=(1, 2)),
        L(("97530",), units=(1, 2), probability=0.6),
        L(("97140",), units=(1, 2), probability=0.5),
        L(("97161",), probability=0.15),
    )),
    Encounter("chiropractic", 2, "professional", "111N00000X", "111N00000X", "11", (
        L(("98940", "98940", "98941")),
    ), excludable="chiropractic"),
    Encounter("acupuncture", 1.5, "professional", "171100000X", "171100000X", "11", (
        L(("97810",)),
        L(("97811",), probability=0.5),
    ), excludable="acupuncture"),
    Encounter("vision", 2, "professional", "152W00000X", "152W00000X", "11", (
        L(("92004", "92014", "92014")),
        L(("92015",), probability=0.6),
    ), excludable="vision_exam"),
    Encounter("imaging_mri", 4, "professional", _RAD, _RAD, "11", (
        L(("72148", "73721", "70553")),
    )),
    Encounter("imaging_xray", 4, "professional", _RAD, _RAD, "11", (
        L(("71046", "73562")),
    )),
    Encounter("cardiology", 4, "professional", _CARD, _CARD, "11", (
        L(("99213", "99214")),
        L(("93000",), probability=0.6),
        L(("93306",), probability=0.4),
    ), extra_dx=("I10", "E782")),
    Encounter("sleep_study", 1, "professional", _SLEEP, _SLEEP, "11", (L(("95810",)),)),
    Encounter("emergency_professional", 5, "professional", _EM, _EM, "23", (
        L(("99283", "99284", "99284", "99285")),
        L(("93000",), probability=0.15),
    ), extra_dx=("J069", "R079", "S93401A", "R1031", "N390", "R519", "L03115")),
    Encounter("independent_lab", 6, "professional", _LAB, _LAB, "81", (
        L(("36415",)),
        L(("80053", "85025", "83036", "80061", "84443")),
        L(("85025", "80061", "84443"), probability=0.4),
    )),
    Encounter("mammography", 2, "professional", _RAD, _RAD, "22", (L(("77067",)),)),
    Encounter("obstetric_ultrasound", 1.2, "professional", _OBGYN, _OBGYN, "11", (
        L(("76805",)),
    )),
    Encounter("gynecology", 1.2, "professional", _OBGYN, _OBGYN, "11", (
        L(("G0101", "58300")),
    )),
    Encounter("urology", 1.2, "professional", _URO, _URO, "11", (
        L(("55700", "55250", "G0103")),
    )),
    Encounter("emergency_facility", 6, "institutional", _HOSP, _EM, "0131", (
        L(("99283", "99284", "99285"), revenue="0450"),
        L(("80053", "85025"), revenue="0300", probability=0.6),
        L(("71046",), revenue="0320", probability=0.3),
        L(("74177",), revenue="0350", probability=0.15),
        L(("93005",), revenue="0730", probability=0.2),
        L(("",), units=(1, 3), revenue="0250", probability=0.5),
    ), extra_dx=("J069", "R079", "R1031", "N390", "R519", "L03115", "I10")),
    Encounter("outpatient_surgery", 2.5, "institutional", _HOSP, _SURG, "0131", (
        L(("29881", "45378", "47562"), revenue="0360"),
        L(("",), revenue="0710"),
        L(("",), units=(1, 4), revenue="0250"),
    )),
    Encounter("outpatient_imaging", 2.5, "institutional", _HOSP, _RAD, "0131", (
        L(("72148", "73721", "74177", "71046"), revenue="0610"),
    )),
    Encounter("inpatient", 2.5, "institutional", _HOSP, _HOSPITALIST, "0111", (
        L(("",), revenue="0120"),
        L(("",), units=(3, 12), revenue="0250"),
        L(("85025", "80053"), revenue="0300"),
        L(("71046",), revenue="0320", probability=0.5),
    ), extra_dx=("I10", "E119", "N179", "J449", "D649"), inpatient=True),
)
"""The kinds of visit, weighted by how often they occur in an ordinary claims stream."""

INPATIENT_DX: tuple[str, ...] = ("J189", "A419", "N390", "I5022", "N179")
"""Principal diagnoses of an inpatient stay (present on admission)."""

AGE_EDGES: tuple[int, ...] = (0, 1, 3, 5, 12, 18, 21, 40, 56, 65)
"""Lower edges of the age bands; every age restriction above falls on one of them."""


@dataclass(frozen=True, slots=True)
class PayerProfile:
    """A payer the world may contain, with its rules and plan names."""

    payer_id: str
    name: str
    product_line: str
    timely_filing_days: int
    appeal_window_days: int
    corrected_claim_days: int
    member_id_pattern: str
    id_prefixes: tuple[str, ...]
    id_digits: int
    id_suffix: str = ""
    plans: tuple[str, ...] = ()
    weight: float = 1.0
    tax_id: str = ""
    remit_address: tuple[str, str, str, str] = ("", "", "", "")
    """Street, city, state and ZIP+4 the payer's remittances (835) come from."""


PAYER_PROFILES: tuple[PayerProfile, ...] = (
    PayerProfile("NWHP1", "Northwind Health Plan", "commercial", 90, 180, 180,
                 r"^[A-Z]{3}[0-9]{9}$", ("NWH", "NWP", "NWX"), 9,
                 plans=("Choice PPO", "Select HMO", "Core EPO"), weight=3.0, tax_id="416183402",
                 remit_address=("PO Box 24120", "Portland", "OR", "972084120")),
    PayerProfile("EVSA2", "Evergreen Senior Advantage", "medicare_advantage", 365, 65, 365,
                 r"^EV[0-9]{9}$", ("EV",), 9, plans=("Plus HMO", "Freedom PPO"), weight=2.0,
                 tax_id="911843377", remit_address=("PO Box 3401", "Nashville", "TN",
                                                    "372193401")),
    PayerProfile("LCMC3", "Lakeshore Community Medicaid", "medicaid", 365, 60, 365,
                 r"^[0-9]{11}$", ("",), 11, plans=("Family Care", "Kids Care"), weight=2.0,
                 tax_id="366210548", remit_address=("PO Box 9020", "Lansing", "MI", "489099020")),
    PayerProfile("HBMK4", "Harbor Marketplace Health", "aca_marketplace", 180, 180, 180,
                 r"^H[A-Z][0-9]{8}$", ("HB", "HM"), 8, plans=("Silver 2000", "Bronze 6500"),
                 weight=1.5, tax_id="593127706",
                 remit_address=("PO Box 61500", "Tallahassee", "FL", "323141500")),
    PayerProfile("BSMT5", "Bluestone Mutual", "commercial", 120, 180, 120,
                 r"^B[0-9]{10}$", ("B",), 10, plans=("Open Access", "Value HMO"), weight=2.0,
                 tax_id="231957284", remit_address=("PO Box 7780", "Harrisburg", "PA",
                                                    "171067780")),
    PayerProfile("SMCH6", "Summit Choice Health", "commercial", 180, 180, 180,
                 r"^S[A-Z][0-9]{7}-0[0-9]$", ("SC", "SX"), 7, id_suffix="-01",
                 plans=("Premier PPO", "Basic HMO"), weight=1.5, tax_id="840772915",
                 remit_address=("PO Box 11820", "Denver", "CO", "802111820")),
)
"""Payers in the order they join a world: the first four cover every product line."""

TAXONOMY_WEIGHTS: dict[str, float] = {
    _FAM: 12, _IM: 8, _ORTHO: 4, _PT: 6, "111N00000X": 2, "171100000X": 1.5,
    "152W00000X": 2, _RAD: 5, _CARD: 3, _SLEEP: 1, _EM: 4, _LAB: 2, _OBGYN: 2, _URO: 1.5,
    _HOSPITALIST: 2, _SURG: 2, _GI: 1,
}
"""Relative numbers of individual providers by NUCC taxonomy."""

HOSPITAL_TAXONOMY = _HOSP

FEMALE_NAMES: tuple[str, ...] = (
    "Mary", "Patricia", "Jennifer", "Linda", "Elizabeth", "Barbara", "Susan", "Jessica",
    "Sarah", "Karen", "Lisa", "Nancy", "Betty", "Margaret", "Sandra", "Ashley", "Kimberly",
    "Emily", "Donna", "Michelle", "Carol", "Amanda", "Dorothy", "Melissa", "Deborah",
    "Stephanie", "Rebecca", "Sharon", "Laura", "Cynthia", "Amy", "Angela", "Helen", "Anna",
    "Brenda", "Pamela", "Emma", "Nicole", "Samantha", "Katherine", "Christine", "Olivia",
    "Sophia", "Isabella", "Mia", "Ava", "Grace", "Chloe", "Lucia", "Maya", "Aaliyah", "Mei",
    "Priya", "Fatima", "Ines", "Rosa", "Yesenia", "Keiko", "Leilani", "Nadia",
)
MALE_NAMES: tuple[str, ...] = (
    "James", "Robert", "John", "Michael", "David", "William", "Richard", "Joseph", "Thomas",
    "Christopher", "Charles", "Daniel", "Matthew", "Anthony", "Mark", "Donald", "Steven",
    "Paul", "Andrew", "Joshua", "Kenneth", "Kevin", "Brian", "George", "Timothy", "Ronald",
    "Edward", "Jason", "Jeffrey", "Ryan", "Jacob", "Gary", "Nicholas", "Eric", "Jonathan",
    "Stephen", "Larry", "Justin", "Scott", "Brandon", "Liam", "Noah", "Elijah", "Lucas",
    "Mateo", "Ethan", "Aiden", "Omar", "Wei", "Raj", "Diego", "Jamal", "Hiroshi", "Kai",
    "Andre", "Luis", "Tomas", "Malik", "Arjun", "Felipe",
)
LAST_NAMES: tuple[str, ...] = (
    "Smith", "Johnson", "Williams", "Brown", "Jones", "Garcia", "Miller", "Davis",
    "Rodriguez", "Martinez", "Hernandez", "Lopez", "Gonzalez", "Wilson", "Anderson", "Thomas",
    "Taylor", "Moore", "Jackson", "Martin", "Lee", "Perez", "Thompson", "White", "Harris",
    "Sanchez", "Clark", "Ramirez", "Lewis", "Robinson", "Walker", "Young", "Allen", "King",
    "Wright", "Scott", "Torres", "Nguyen", "Hill", "Flores", "Green", "Adams", "Nelson",
    "Baker", "Hall", "Rivera", "Campbell", "Mitchell", "Carter", "Roberts", "Gomez",
    "Phillips", "Evans", "Turner", "Diaz", "Parker", "Cruz", "Edwards", "Collins", "Reyes",
    "Stewart", "Morris", "Morales", "Murphy", "Cook", "Rogers", "Gutierrez", "Ortiz",
    "Morgan", "Cooper", "Peterson", "Bailey", "Reed", "Kelly", "Howard", "Ramos", "Kim",
    "Cox", "Ward", "Richardson", "Watson", "Brooks", "Chavez", "Wood", "James", "Bennett",
    "Gray", "Mendoza", "Ruiz", "Hughes", "Price", "Alvarez", "Castillo", "Sanders", "Patel",
    "Myers", "Long", "Ross", "Foster", "Jimenez", "Okafor", "Tanaka", "Kowalski", "Singh",
    "Haddad", "Novak", "Larsen", "Fischer", "Moreau", "Rossi", "Chen", "Wang", "Ali",
)
STREETS: tuple[str, ...] = (
    "Maple St", "Oak Ave", "Pine Rd", "Cedar Ln", "Elm St", "Washington Blvd", "Lake Dr",
    "Hillcrest Rd", "Sunset Ave", "River Rd", "Park Pl", "Main St", "Church St", "Highland Ave",
    "Meadow Ln", "Forest Dr", "Spring St", "Ridge Rd", "Valley View Dr", "Willow Way",
    "Birch Ct", "Chestnut St", "Franklin Ave", "Jefferson St", "Lincoln Rd", "Madison Ave",
)
CITIES: tuple[tuple[str, str, str], ...] = (
    ("Springfield", "IL", "627"), ("Columbus", "OH", "432"), ("Madison", "WI", "537"),
    ("Austin", "TX", "787"), ("Raleigh", "NC", "276"), ("Richmond", "VA", "232"),
    ("Denver", "CO", "802"), ("Portland", "OR", "972"), ("Albany", "NY", "122"),
    ("Sacramento", "CA", "958"), ("Nashville", "TN", "372"), ("Lansing", "MI", "489"),
    ("Des Moines", "IA", "503"), ("Tallahassee", "FL", "323"), ("Phoenix", "AZ", "850"),
    ("Harrisburg", "PA", "171"),
)
"""City, state and the first three digits of its ZIP codes."""

ORG_WORDS: tuple[str, ...] = (
    "Riverside", "Lakeview", "Summit", "Valley", "Harbor", "Northgate", "Crestview", "Prairie",
    "Bayside", "Meadowbrook", "Pinecrest", "Stonebridge", "Westfield", "Eastwood", "Fairview",
    "Greenfield", "Oakridge", "Clearwater", "Brookside", "Highland",
)
