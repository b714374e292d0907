"""Canonical claims and payments made up for the X12 tests and the parse benchmark."""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

from cleanclaim.domain import (
    Adjustment,
    Claim,
    ClaimPayment,
    ClaimStatus,
    ClaimType,
    Diagnosis,
    DiagnosisQualifier,
    FrequencyCode,
    GroupCode,
    LinePayment,
    ServiceLine,
    Sex,
)

__all__ = ["make_claim", "make_claims", "make_payment"]

_CODES = ["99213", "99214", "81002", "36415", "85025", "93000", "71046", "J3420"]
_DX = ["E119", "I10", "Z0000", "J069", "M545", "R51", "K219", "E785"]
_NAMES = ["SMITH", "JOHNSON", "WILLIAMS", "BROWN", "JONES", "GARCIA", "MILLER", "DAVIS"]
_PAYERS = {"60054": "ACME HEALTH", "87726": "UNITED PLANS", "SX109": "SOUTHERN MUTUAL"}
_BILLING = {"1234567893": "FAMILY CLINIC", "1245319599": "GENERAL HOSPITAL"}
_FIRST = ["MARY", "JAMES", "LINDA", "ROBERT", "ANA", "WEI", "FATIMA", "JOSE"]
# Where the made-up parties are: (street, city, state, ZIP). Billing providers and facilities
# have 9-digit ZIP codes, as the guides want for them.
_BILLING_ADDRESS = {
    "1234567893": ("100 MAIN ST", "SPRINGFIELD", "IL", "627011234"),
    "1245319599": ("2500 HOSPITAL DR", "COLUMBUS", "OH", "432151000"),
}
_FACILITY = ("1497758544", "NORTHSIDE SURGERY CENTER", "77 LAKE DR", "MADISON", "WI", "537031212")
_PEOPLE = {  # NPI -> (last, first) of the clinicians
    "1992753880": ("WELBY", "MARCUS"),
    "1003000126": ("HOUSE", "GREGORY"),
}
_STREETS = ["MAPLE ST", "OAK AVE", "PINE RD", "CEDAR LN", "ELM ST", "RIVER RD"]
_TOWNS = [("AUSTIN", "TX", "78701"), ("DENVER", "CO", "80203"), ("ALBANY", "NY", "12207")]
_PAYER_ADDRESS = {  # payer id -> (EIN, street, city, state, ZIP)
    "87726": ("411289245", "PO BOX 30555", "SALT LAKE CITY", "UT", "841300555"),
}


def _unless(drop: bool, value: str | None) -> str | None:
    return None if drop else value


def _person(npi: str | None) -> tuple[str | None, str | None]:
    return _PEOPLE[npi] if npi else (None, None)


def _home(index: int) -> dict[str, str]:
    """A patient's address, from the claim's index (no draw: the sequence of draws stays)."""
    city, state, postal = _TOWNS[index % len(_TOWNS)]
    street = f"{100 + index * 37 % 9000} {_STREETS[index % len(_STREETS)]}"
    return {
        "patient_address_line": street,
        "patient_city": city,
        "patient_state": state,
        "patient_postal_code": postal,
    }


def make_claim(rng: random.Random, index: int, claim_type: ClaimType) -> Claim:
    """One plausible claim; every optional field is filled now and then."""
    institutional = claim_type is ClaimType.INSTITUTIONAL
    start = dt.date(2024, 1, 1) + dt.timedelta(days=rng.randrange(300))
    n_dx = rng.randint(1, 6)
    diagnoses = [
        Diagnosis(
            sequence=i + 1,
            code=rng.choice(_DX),
            qualifier=DiagnosisQualifier.PRINCIPAL if i == 0 else DiagnosisQualifier.OTHER,
            present_on_admission=rng.choice(["Y", "N", None]) if institutional else None,
        )
        for i in range(n_dx)
    ]
    lines = []
    for n in range(1, rng.randint(1, 4) + 1):
        charge = Decimal(rng.randint(2000, 50000)) / 100
        line_rendering = rng.choice([None, "1992753880"])
        lines.append(
            ServiceLine(
                line_number=n,
                procedure_code=rng.choice(_CODES),
                modifiers=rng.sample(["25", "59", "LT", "RT", "GT"], rng.randint(0, 2)),
                revenue_code=rng.choice(["0450", "0300", "0250"]) if institutional else None,
                units=Decimal(rng.randint(1, 3)),
                charge=charge,
                service_from=start,
                service_to=start + dt.timedelta(days=1) if rng.random() < 0.2 else None,
                diagnosis_pointers=[] if institutional else list(range(1, min(n_dx, 4) + 1)),
                place_of_service=None if institutional else rng.choice([None, "11"]),
                rendering_npi=line_rendering,
                rendering_name=_person(line_rendering)[0],
                rendering_first_name=_person(line_rendering)[1],
                ndc=rng.choice([None, None, "00002143380"]),
                # Drawn on both kinds to keep the sequence of draws, kept on 837P only: the
                # 837I service line has no prior authorization.
                prior_auth_number=_unless(institutional, rng.choice([None, None, f"LA{index}"])),
            )
        )
    frequency = rng.choice(
        [FrequencyCode.ORIGINAL] * 8 + [FrequencyCode.REPLACEMENT, FrequencyCode.VOID]
    )
    relationship = rng.choice(["18", "18", "18", "19", "01"])
    dependent = relationship != "18"
    payer_id = rng.choice(["60054", "87726", "SX109"])
    billing_npi = rng.choice(["1234567893", "1245319599"])
    street, city, state, postal = _BILLING_ADDRESS[billing_npi]
    rendering = rng.choice([None, "1992753880"])
    referring = rng.choice([None, "1003000126"])
    facility = rng.choice([None, _FACILITY[0]])
    return Claim(
        claim_id=f"CLM{index:07d}",
        claim_type=claim_type,
        frequency_code=frequency,
        original_claim_ref=None if frequency is FrequencyCode.ORIGINAL else f"ORIG{index}",
        payer_id=payer_id,
        payer_name=_PAYERS[payer_id],
        filing_indicator=rng.choice(["CI", "CI", "MB", "MC", "BL"]),
        member_id=f"M{rng.randrange(10**9):09d}",
        subscriber_first_name=rng.choice(_FIRST) if dependent else None,
        subscriber_last_name=rng.choice(_NAMES) if dependent else None,
        patient_first_name=rng.choice(_FIRST),
        patient_last_name=rng.choice(_NAMES),
        patient_birth_date=dt.date(1940, 1, 1) + dt.timedelta(days=rng.randrange(25000)),
        patient_sex=rng.choice([Sex.FEMALE, Sex.MALE]),
        patient_relationship=relationship,
        billing_npi=billing_npi,
        billing_name=_BILLING[billing_npi],
        billing_tax_id="123456789",
        billing_taxonomy="207Q00000X",
        billing_address_line=street,
        billing_city=city,
        billing_state=state,
        billing_postal_code=postal,
        rendering_npi=rendering,
        rendering_name=_person(rendering)[0],
        rendering_first_name=_person(rendering)[1],
        referring_npi=referring,
        referring_name=_person(referring)[0],
        referring_first_name=_person(referring)[1],
        facility_npi=facility,
        facility_name=_FACILITY[1] if facility else None,
        facility_address_line=_FACILITY[2] if facility else None,
        facility_city=_FACILITY[3] if facility else None,
        facility_state=_FACILITY[4] if facility else None,
        facility_postal_code=_FACILITY[5] if facility else None,
        place_of_service=None if institutional else "11",
        type_of_bill=f"013{frequency.value}" if institutional else None,
        statement_from=start if institutional else None,
        statement_to=start + dt.timedelta(days=1) if institutional else None,
        admission_date=start if institutional and rng.random() < 0.5 else None,
        discharge_status="01" if institutional else None,
        total_charge=sum((line.charge for line in lines), Decimal(0)),
        prior_auth_number=rng.choice([None, f"PA{index}"]),
        referral_number=rng.choice([None, None, f"RF{index}"]),
        submitted_on=dt.date(2024, 12, 1),
        diagnoses=diagnoses,
        lines=lines,
        **_home(index),
    )


def make_claims(
    count: int, seed: int = 7, claim_type: ClaimType = ClaimType.PROFESSIONAL
) -> list[Claim]:
    """``count`` claims of one type, reproducible from ``seed``."""
    rng = random.Random(seed)
    return [make_claim(rng, i, claim_type) for i in range(1, count + 1)]


def make_payment(rng: random.Random, index: int, trace: str = "TRACE1") -> ClaimPayment:
    """One balanced claim payment whose id follows the reader's ``{trace}-{n}`` rule."""
    lines = []
    for n in range(1, rng.randint(1, 3) + 1):
        charge = Decimal(rng.randint(5000, 30000)) / 100
        contractual = (charge * Decimal("0.2")).quantize(Decimal("0.01"))
        copay = Decimal("10.00")
        lines.append(
            LinePayment(
                line_number=n,
                procedure_code="99213",
                modifiers=["25"] if n == 1 else [],
                charge=charge,
                paid=charge - contractual - copay,
                units_paid=Decimal(1),
                service_date=dt.date(2024, 3, 1),
                rarcs=["N130"] if n == 2 else [],
                adjustments=[
                    Adjustment(group_code=GroupCode.CONTRACTUAL, carc="45", amount=contractual),
                    Adjustment(group_code=GroupCode.PATIENT_RESPONSIBILITY, carc="3", amount=copay),
                ],
            )
        )
    total = sum((line.charge for line in lines), Decimal(0))
    paid = sum((line.paid for line in lines), Decimal(0))
    ein, street, city, state, postal = _PAYER_ADDRESS["87726"]
    return ClaimPayment(
        payment_id=f"{trace}-{index}",
        claim_id=f"CLM{index:07d}",
        payer_id="87726",
        payer_name=_PAYERS["87726"],
        payer_tax_id=ein,
        payer_address_line=street,
        payer_city=city,
        payer_state=state,
        payer_postal_code=postal,
        payer_claim_control_number=f"PCN{index}",
        payee_npi="1234567893" if trace != "NOPAYEE" else None,
        payee_name=_BILLING["1234567893"],
        patient_first_name=_FIRST[index % len(_FIRST)],
        patient_last_name=_NAMES[index % len(_NAMES)],
        member_id=f"M{index:09d}",
        status=ClaimStatus.PRIMARY,
        total_charge=total,
        paid=paid,
        patient_responsibility=Decimal("10.00") * len(lines),
        filing_indicator="12",
        payment_date=dt.date(2024, 3, 15),
        trace_number=trace,
        rarcs=["MA01"] if index % 3 == 0 else [],
        lines=lines,
    )
