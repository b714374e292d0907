"""835 into canonical claim payments, and the balancing checks."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from cleanclaim.domain import ClaimStatus, GroupCode
from cleanclaim.standards.x12 import ProblemKind, balance_problems, parse_payments, validate

from .samples import REMITTANCE, interchange, render, sample


def _remit(body: list[str]) -> str:
    return render(interchange([("HP", "005010X221A1", [body])]))


def test_payment_fields() -> None:
    paid, denied = parse_payments(sample("835"))
    assert (paid.payment_id, paid.claim_id, paid.payer_id) == ("CHK12345-1", "PCLM001", "60054")
    assert (paid.status, paid.total_charge, paid.paid) == (
        ClaimStatus.PRIMARY,
        Decimal("180.5"),
        Decimal(150),
    )
    assert (paid.patient_responsibility, paid.filing_indicator) == (Decimal(10), "12")
    assert paid.payer_claim_control_number == "ICN0001"
    assert (paid.payment_date, paid.trace_number) == (dt.date(2024, 12, 15), "CHK12345")
    assert paid.rarcs == ["MA01", "N130"] and paid.adjustments == []
    first, second = paid.lines
    assert (first.line_number, first.procedure_code, first.modifiers) == (1, "99214", ["25"])
    assert (first.charge, first.paid, first.units_paid) == (
        Decimal("150.5"),
        Decimal(130),
        Decimal(1),
    )
    assert first.service_date == dt.date(2024, 11, 20)
    assert [(a.group_code, a.carc, a.amount) for a in first.adjustments] == [
        (GroupCode.CONTRACTUAL, "45", Decimal("10.5")),
        (GroupCode.PATIENT_RESPONSIBILITY, "1", Decimal(10)),
    ]
    assert [(a.carc, a.amount, a.quantity) for a in second.adjustments] == [
        ("45", Decimal(10), Decimal(1)),
        ("97", Decimal(0), None),
    ]
    assert second.rarcs == ["N20", "M15"]
    assert denied.status is ClaimStatus.DENIED and denied.payment_id == "CHK12345-2"
    assert denied.rarcs == ["N1", "N2", "N3"]
    assert [(a.group_code, a.carc) for a in denied.adjustments] == [(GroupCode.CONTRACTUAL, "29")]


def test_six_triplets_in_one_cas() -> None:
    body = [
        *REMITTANCE[:9],
        "CLP*X*4*60*0**12",
        "CAS*CO*1*10**2*10**3*10**4*10**5*10**6*10*2",
        *REMITTANCE[-1:],
    ]
    (payment,) = parse_payments(_remit(body))
    assert [a.carc for a in payment.adjustments] == ["1", "2", "3", "4", "5", "6"]
    assert payment.adjustments[-1].quantity == Decimal(2)


def test_payer_id_falls_back_to_trn03_and_lines_to_svc_order() -> None:
    body = [s for s in REMITTANCE if not s.startswith(("REF*2U", "REF*6R"))]
    payments = list(parse_payments(_remit(body)))
    assert {p.payer_id for p in payments} == {"1512345678"}
    body = [s.replace("REF*6R*1", "REF*6R*7").replace("REF*6R*2", "REF*6R*3") for s in REMITTANCE]
    lines = next(parse_payments(_remit(body))).lines
    assert {line.line_number: line.procedure_code for line in lines} == {7: "99214", 3: "81002"}


def test_balanced_sample_validates_clean() -> None:
    assert validate(sample("835")) == []


def test_unbalanced_claim_line_and_payment() -> None:
    body = [s.replace("SVC*HC:81002*30*20", "SVC*HC:81002*30*25") for s in REMITTANCE]
    problems = validate(_remit(body))
    assert all(p.kind is ProblemKind.BALANCING for p in problems)
    assert [(p.segment, p.segment_id, p.element) for p in problems] == [(21, "SVC", 3)]
    assert "line 2 does not balance" in problems[0].cause
    body = [s.replace("CLP*PCLM001*1*180.5*150", "CLP*PCLM001*1*180.5*140") for s in body]
    assert [p.segment_id for p in validate(_remit(body))] == ["CLP", "SVC", "BPR"]
    body = [s.replace("BPR*I*200", "BPR*I*210") for s in REMITTANCE]
    (problem,) = validate(_remit(body))
    assert (problem.segment_id, problem.element) == ("BPR", 2)


def test_balance_problems_function() -> None:
    paid, denied = parse_payments(sample("835"))
    assert balance_problems(paid) == [] and balance_problems(denied) == []
    shifted = paid.model_copy(update={"paid": Decimal(149)})
    assert [line for line, _ in balance_problems(shifted)] == [None]


def test_payee_npi() -> None:
    paid, denied = parse_payments(sample("835"))
    assert paid.payee_npi == denied.payee_npi == "1234567893"


def test_payer_payee_and_patient_names() -> None:
    paid, denied = parse_payments(sample("835"))
    assert (paid.payer_name, paid.payer_tax_id) == ("ACME HEALTH", "512345678")
    assert (paid.payer_address_line, paid.payer_city) == ("1 PAYER PLAZA", "HARTFORD")
    assert (paid.payer_state, paid.payer_postal_code) == ("CT", "06101")
    assert paid.payee_name == denied.payee_name == "FAMILY CLINIC"
    assert (paid.patient_last_name, paid.patient_first_name, paid.member_id) == (
        "DOE",
        "JANE",
        "MEM0001",
    )
    # The denied claim has no NM1*QC in the sample: nothing is borrowed from the first claim.
    assert (denied.patient_last_name, denied.member_id) == (None, None)
    assert denied.payer_city == "HARTFORD"


def test_trn03_that_is_not_an_ein_is_not_taken_for_one() -> None:
    body = [s.replace("TRN*1*CHK12345*1512345678", "TRN*1*CHK12345*60054") for s in REMITTANCE]
    assert {p.payer_tax_id for p in parse_payments(_remit(body))} == {None}
    body = [
        s.replace("NM1*QC*1*DOE*JANE****MI*MEM0001", "NM1*QC*1*DOE*JANE****34*123456789")
        for s in REMITTANCE
    ]
    assert next(parse_payments(_remit(body))).member_id is None
