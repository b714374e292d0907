"""837P and 837I into canonical claims: field mapping, hierarchy, repeated loops, limits."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from cleanclaim.domain import Claim, ClaimType, DiagnosisQualifier, FrequencyCode, Sex
from cleanclaim.standards.x12 import X12ParseError, parse, parse_claims, parse_payments

from .samples import (
    INSTITUTIONAL,
    PROFESSIONAL,
    interchange,
    largest_professional,
    render,
    sample,
)

D = dt.date


def claims(text: str) -> list[Claim]:
    return list(parse_claims(text))


def test_professional_claim_fields() -> None:
    first, second, third = claims(sample("837P"))
    assert first.claim_type is ClaimType.PROFESSIONAL
    assert (first.claim_id, first.total_charge) == ("PCLM001", Decimal("180.5"))
    assert (first.payer_id, first.member_id) == ("60054", "MEM0001")
    assert (first.patient_last_name, first.patient_first_name) == ("DOE", "JANE")
    assert (first.patient_birth_date, first.patient_sex) == (D(1980, 2, 15), Sex.FEMALE)
    assert first.patient_relationship == "18"
    assert (first.billing_npi, first.billing_tax_id, first.billing_taxonomy) == (
        "1234567893",
        "371234567",
        "207Q00000X",
    )
    assert (first.rendering_npi, first.referring_npi, first.facility_npi) == (
        "1992753880",
        "1003000126",
        "1497758544",
    )
    assert (first.place_of_service, first.type_of_bill) == ("11", None)
    assert (first.prior_auth_number, first.referral_number) == ("AUTH01", "REFER01")
    assert first.submitted_on == D(2024, 12, 1)
    assert [(d.sequence, d.code, d.qualifier) for d in first.diagnoses] == [
        (1, "E119", DiagnosisQualifier.PRINCIPAL),
        (2, "I10", DiagnosisQualifier.OTHER),
        (3, "Z794", DiagnosisQualifier.OTHER),
    ]
    line1, line2 = first.lines
    assert (line1.procedure_code, line1.modifiers, line1.charge, line1.units) == (
        "99214",
        ["25", "GT"],
        Decimal("150.5"),
        Decimal(1),
    )
    assert (line1.place_of_service, line1.diagnosis_pointers) == ("11", [1, 2, 3])
    assert (line1.service_from, line1.service_to) == (D(2024, 11, 20), None)
    assert (line1.prior_auth_number, line1.rendering_npi) == ("LINEAUTH", "1245319599")
    assert (line2.service_from, line2.service_to) == (D(2024, 11, 20), D(2024, 11, 21))
    assert (line2.units, line2.ndc, line2.rendering_npi) == (Decimal(2), "00002143380", None)
    # A replacement claim of a dependent (patient loop), with a legacy BK qualifier.
    assert second.frequency_code is FrequencyCode.REPLACEMENT
    assert second.original_claim_ref == "PAYERICN77"
    assert (second.member_id, second.patient_first_name, second.patient_last_name) == (
        "MEM0002",
        "RICKY",
        "ROE",
    )
    assert (second.patient_relationship, second.patient_sex) == ("19", Sex.MALE)
    assert second.diagnoses[0].qualifier is DiagnosisQualifier.PRINCIPAL
    # A second claim under the same patient keeps the patient, not the previous claim's data.
    assert (third.claim_id, third.place_of_service, third.prior_auth_number) == (
        "PCLM003",
        "02",
        None,
    )
    assert third.original_claim_ref is None and third.patient_first_name == "RICKY"


def test_other_payer_loops_do_not_override_the_claim() -> None:
    first = claims(sample("837P"))[0]
    assert first.payer_id == "60054" and first.member_id == "MEM0001"
    assert first.prior_auth_number == "AUTH01"


def test_institutional_claim_fields() -> None:
    (claim,) = claims(sample("837I"))
    assert claim.claim_type is ClaimType.INSTITUTIONAL
    assert (claim.type_of_bill, claim.place_of_service) == ("0111", None)
    assert (claim.statement_from, claim.statement_to) == (D(2024, 11, 10), D(2024, 11, 14))
    assert (claim.admission_date, claim.discharge_status) == (D(2024, 11, 10), "01")
    assert (claim.rendering_npi, claim.facility_npi) == ("1992753880", "1497758544")
    assert [(d.code, d.qualifier.value, d.present_on_admission) for d in claim.diagnoses] == [
        ("I214", "ABK", "Y"),
        ("R0789", "ABJ", None),
        ("R079", "APR", None),
        ("E119", "ABF", "N"),
        ("I10", "ABF", "Y"),
    ]
    room, emergency = claim.lines
    assert (room.revenue_code, room.procedure_code, room.units) == ("0120", None, Decimal(4))
    assert room.service_from == claim.statement_from  # no DTP*472: the statement start
    assert (emergency.revenue_code, emergency.procedure_code, emergency.modifiers) == (
        "0450",
        "99285",
        ["25"],
    )
    assert emergency.charge == Decimal(500)


def test_several_transactions_groups_and_interchanges() -> None:
    segments = interchange(
        [
            ("HC", "005010X222A1", [PROFESSIONAL, PROFESSIONAL]),
            ("HC", "005010X223A2", [INSTITUTIONAL]),
        ]
    ) + interchange([("HC", "005010X223A3", [INSTITUTIONAL])], control=2)
    found = claims(render(segments))
    assert [c.claim_id for c in found] == ["PCLM001", "PCLM002", "PCLM003"] * 2 + ["ICLM001"] * 2


def test_repeated_billing_providers_and_subscribers() -> None:
    second_provider = [s.replace("1234567893", "1245319599") for s in PROFESSIONAL[4:]]
    second_provider = [s.replace("HL*1**", "HL*5**") for s in second_provider]
    body = PROFESSIONAL + second_provider
    found = claims(render(interchange([("HC", "005010X222A1", [body])])))
    assert [c.billing_npi for c in found] == ["1234567893"] * 3 + ["1245319599"] * 3
    assert [c.member_id for c in found] == ["MEM0001", "MEM0002", "MEM0002"] * 2


def _professional(*changes: tuple[str, str]) -> str:
    body = list(PROFESSIONAL)
    for old, new in changes:
        index = next(i for i, s in enumerate(body) if s.startswith(old))
        if new:
            body[index] = new
        else:
            del body[index]
    return render(interchange([("HC", "005010X222A1", [body])]))


def test_maximum_lengths_and_counts() -> None:
    claim_id = "C" * 38
    body = largest_professional(claim_id)
    (claim,) = claims(render(interchange([("HC", "005010X222A1", [body])])))
    assert claim.claim_id == claim_id
    assert len(claim.lines) == 50 and len(claim.diagnoses) == 12
    assert claim.lines[-1].modifiers == ["25", "59", "LT", "RT"]
    assert claim.lines[-1].diagnosis_pointers == [1, 2, 3, 4]
    assert claim.lines[0].units == Decimal("9999.999")


@pytest.mark.parametrize(
    ("change", "element", "cause"),
    [
        (("DMG*D8*19800215", "DMG*D8*19800231*F"), 2, "CCYYMMDD"),
        (("CLM*PCLM001", "CLM*PCLM001*180.5***11:B:6*Y*A*Y*Y"), 5, "frequency_code"),
        (("SV1*HC:99214", "SV1*HC:99214*abc*UN*1*11**1"), 2, "charge"),
        (("SV1*HC:99214", "SV1*HC:99214*1*UN*1*11**1:x"), 7, "pointers"),
        (("NM1*85", ""), 9, "billing_npi"),
        (("DTP*472*D8*20241120", "DTP*472*XX*20241120"), 2, "format qualifier"),
        (("LX*1", "LX*one"), 1, "line number"),
        (("N4*SPRINGFIELD*IL*62701", "N4*SPRINGFIELD*IL*" + "9" * 51), 3, "billing_postal"),
        (("NM1*77", "NM1*77*2*" + "A" * 201 + "*****XX*1497758544"), 3, "facility_name"),
        (("NM1*82*1*LINE", "NM1*82*1*" + "L" * 201), 3, "rendering_name"),
    ],
)
def test_bad_values_raise_with_their_position(
    change: tuple[str, str], element: int, cause: str
) -> None:
    with pytest.raises(X12ParseError, match=cause) as info:
        claims(_professional(change))
    assert info.value.segment is not None and info.value.segment > 1
    assert info.value.element == element


def test_claims_only_and_payments_only() -> None:
    with pytest.raises(X12ParseError, match="unsupported transaction set 835") as info:
        list(parse_claims(sample("835")))
    assert (info.value.segment, info.value.element) == (3, 1)
    with pytest.raises(X12ParseError, match="unsupported transaction set 837"):
        list(parse_payments(sample("837P")))
    assert len(list(parse(sample("837I")))) == 1


def test_payer_billing_and_subscriber_names_and_filing_indicator() -> None:
    first, second, _ = claims(sample("837P"))
    assert (first.payer_name, first.filing_indicator, first.billing_name) == (
        "ACME HEALTH",
        "CI",
        "FAMILY CLINIC",
    )
    # The patient is the subscriber: no separate subscriber name.
    assert (first.subscriber_first_name, first.subscriber_last_name) == (None, None)
    # A dependent: the subscriber's own name is kept apart from the patient's.
    assert (second.subscriber_first_name, second.subscriber_last_name) == ("RICHARD", "ROE")
    assert (second.patient_first_name, second.patient_last_name) == ("RICKY", "ROE")
    (institutional,) = claims(sample("837I"))
    assert (institutional.payer_name, institutional.filing_indicator) == ("MEDICARE", "MB")
    assert institutional.billing_name == "GENERAL HOSPITAL"


def test_addresses_and_provider_names() -> None:
    first, second, third = claims(sample("837P"))
    # 2010AA; the pay-to address (2010AB) that follows is not the billing provider's.
    assert (first.billing_address_line, first.billing_city) == ("1 MAIN ST", "SPRINGFIELD")
    assert (first.billing_state, first.billing_postal_code) == ("IL", "62701")
    # The patient is the subscriber: the 2010BA address is the patient's.
    assert (first.patient_address_line, first.patient_city) == ("2 ELM ST", "SPRINGFIELD")
    assert (first.patient_state, first.patient_postal_code) == ("IL", "62701")
    assert (first.referring_name, first.referring_first_name) == ("REFER", "RITA")
    assert (first.rendering_name, first.rendering_first_name) == ("RENDER", "RON")
    assert first.facility_name == "ANNEX" and first.facility_address_line is None
    line = first.lines[0]
    assert (line.rendering_npi, line.rendering_name, line.rendering_first_name) == (
        "1245319599",
        "LINE",
        "LARA",
    )
    # A dependent without a patient address: the subscriber loop has none to lend either.
    assert second.patient_address_line is None and third.patient_city is None
    (institutional,) = claims(sample("837I"))
    assert institutional.billing_address_line == "9 HOSPITAL WAY"
    assert (institutional.rendering_name, institutional.rendering_first_name) == ("RENDER", "RUTH")
    assert institutional.facility_name == "CATH LAB"
    # The attending provider (2310A) is not a field of the claim.
    assert institutional.referring_npi is None and institutional.referring_name is None


def _inserted(*after: tuple[str, list[str]]) -> str:
    """The professional sample with segments inserted after the first one starting so."""
    body = list(PROFESSIONAL)
    for prefix, segments in after:
        index = next(i for i, s in enumerate(body) if s.startswith(prefix))
        body[index + 1 : index + 1] = segments
    return render(interchange([("HC", "005010X222A1", [body])]))


def test_patient_address_comes_from_the_patient_loop() -> None:
    text = _inserted(
        ("NM1*IL*1*ROE", ["N3*5 OAK ST", "N4*AUSTIN*TX*78701"]),
        ("NM1*QC*1*ROE", ["N3*7 PINE RD*UNIT B", "N4*DENVER*CO*802031234"]),
    )
    _, second, third = claims(text)
    assert (second.patient_address_line, second.patient_city) == ("7 PINE RD, UNIT B", "DENVER")
    assert (second.patient_state, second.patient_postal_code) == ("CO", "802031234")
    assert third.patient_address_line == "7 PINE RD, UNIT B"


def test_facility_address_is_read_and_other_addresses_of_the_claim_are_not() -> None:
    text = _inserted(
        ("NM1*77", ["N3*3 ANNEX RD", "N4*SPRINGFIELD*IL*627039999"]),
        ("NM1*PR*2*OTHER PAYER", ["N3*9 OTHER ST", "N4*ELSEWHERE*NY*10001"]),
        ("NM1*82*1*LINE", ["NM1*77*2*LINE SITE", "N3*4 X ST", "N4*AMES*IA*50010"]),
    )
    first = claims(text)[0]
    assert (first.facility_address_line, first.facility_postal_code) == ("3 ANNEX RD", "627039999")
    assert (first.facility_name, first.facility_city) == ("ANNEX", "SPRINGFIELD")
    assert first.lines[0].rendering_name == "LINE"
