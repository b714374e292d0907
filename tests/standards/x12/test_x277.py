"""277CA claim acknowledgments and 277 claim status answers, and the 276 that asks."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from cleanclaim.domain import ClaimType
from cleanclaim.standards.x12 import (
    ClaimStatusReport,
    StatusCode,
    StatusEntry,
    StatusSummary,
    SummaryLevel,
    WriteOptions,
    X12ParseError,
    format_276,
    format_277,
    parse,
    parse_claims,
    parse_status_inquiries,
    parse_statuses,
    status_inquiry_for,
    validate,
)
from cleanclaim.standards.x12.x277 import summarize

from .factories import make_claims
from .samples import CLAIM_ACK, interchange, render, sample

D = dt.date
OPTIONS = WriteOptions(created=dt.datetime(2024, 12, 2, 9, 0))


def test_claim_acknowledgment_fields() -> None:
    accepted, rejected = parse_statuses(sample("277CA"))
    assert accepted.guide == "005010X214"
    assert (accepted.claim_id, accepted.payer_claim_control_number) == ("PCLM001", "ICN0001")
    assert accepted.trace_number is None
    assert (accepted.payer_id, accepted.payer_name) == ("60054", "ACME HEALTH")
    assert (accepted.provider_npi, accepted.provider_name) == ("1234567893", "FAMILY CLINIC")
    assert (accepted.member_id, accepted.patient_last_name) == ("MEM0001", "DOE")
    assert (accepted.service_from, accepted.service_to) == (D(2024, 11, 20), D(2024, 11, 21))
    (status,) = accepted.statuses
    assert status.codes == [StatusCode(category="A2", code="20", entity="PR")]
    assert (status.date, status.action_code, status.charge) == (
        D(2024, 12, 2),
        "WQ",
        Decimal("180.5"),
    )
    assert accepted.category == "A2" and not accepted.rejected
    # Rejected, with a second composite (STC10) and a second STC; the line STC is skipped.
    assert rejected.claim_id == "PCLM002" and rejected.rejected
    first, second = rejected.statuses
    assert [c.category for c in first.codes] == ["A7", "A7"]
    assert first.codes[1] == StatusCode(category="A7", code="33", entity="QC")
    assert (second.category, second.codes[0].code) == ("A3", "116")
    assert rejected.service_from == D(2024, 11, 5) and rejected.service_to is None


def test_claim_status_fields() -> None:
    dependent, subscriber = parse_statuses(sample("277"))
    assert dependent.guide == "005010X212"
    assert (dependent.trace_number, dependent.claim_id) == ("TRACE77", "PCLM002")
    assert dependent.member_id == "MEM0002"  # the subscriber's id, the dependent's name
    assert (dependent.patient_first_name, dependent.patient_last_name) == ("RICKY", "ROE")
    (status,) = dependent.statuses
    assert (status.category, status.paid, status.check_number) == ("F1", Decimal(60), "CHK900")
    assert (status.adjudication_date, status.check_date) == (D(2024, 12, 7), D(2024, 12, 9))
    assert (subscriber.member_id, subscriber.patient_first_name) == ("MEM0001", "JANE")
    assert subscriber.category == "P1"


@pytest.mark.parametrize("kind", ["277CA", "277"])
def test_samples_round_trip(kind: str) -> None:
    reports = list(parse_statuses(sample(kind)))
    text = format_277(reports, OPTIONS)
    assert validate(text) == []
    assert list(parse_statuses(text)) == reports


def test_generated_reports_round_trip_across_payers_and_guides() -> None:
    reports = []
    for n in range(1, 9):
        reports.append(
            ClaimStatusReport(
                guide="005010X214" if n < 6 else "005010X212",
                claim_id=f"CLM{n}",
                trace_number=None if n < 6 else f"T{n}",
                payer_claim_control_number=f"ICN{n}" if n % 2 else None,
                payer_id="60054" if n < 4 else "87726",
                payer_name="ACME" if n < 4 else None,
                provider_npi="1234567893" if n % 3 else "1245319599",
                member_id=f"M{n}",
                patient_last_name="DOE",
                patient_first_name=None if n == 2 else "ANA",
                service_from=D(2024, 11, n),
                service_to=D(2024, 11, n + 1) if n % 2 else None,
                statuses=[
                    StatusEntry(
                        codes=[StatusCode(category="A3" if n == 4 else "A2", code="20")],
                        date=D(2024, 12, 1),
                        action_code="WQ",
                        charge=Decimal("12.5") * n,
                    )
                ],
            )
        )
    text = format_277(reports, OPTIONS)
    assert text.count("ST*277*") == 2 and text.count("NM1*PR*") == 3
    assert validate(text) == []
    assert list(parse_statuses(text)) == reports


def _summaries(text: str) -> list[StatusSummary]:
    return [r for r in parse(text) if isinstance(r, StatusSummary)]


def test_batch_and_provider_summaries_are_read() -> None:
    receiver, provider = _summaries(sample("277CA"))
    assert (receiver.level, receiver.trace_number) == (SummaryLevel.RECEIVER, "BATCH1")
    assert (receiver.entity_id, receiver.entity_name) == ("SUB01", "SUBMITTER INC")
    assert (receiver.payer_id, receiver.payer_name) == ("60054", "ACME HEALTH")
    (status,) = receiver.statuses
    assert (status.codes[0], status.date, status.action_code, status.charge) == (
        StatusCode(category="A1", code="19", entity="PR"),
        D(2024, 12, 2),
        "WQ",
        Decimal("255.5"),
    )
    assert (receiver.accepted_quantity, receiver.rejected_quantity) == (1, 1)
    assert (receiver.accepted_amount, receiver.rejected_amount) == (None, None)
    assert (provider.level, provider.trace_number, provider.entity_id) == (
        SummaryLevel.PROVIDER,
        "0",
        "1234567893",
    )
    assert provider.statuses[0].date is None
    assert (provider.accepted_amount, provider.rejected_amount) == (Decimal("180.5"), Decimal(75))
    # A 277 status answer has no summary loops.
    assert _summaries(sample("277")) == []


def test_every_record_round_trips() -> None:
    records = list(parse(sample("277CA")))
    assert [type(r).__name__ for r in records] == ["StatusSummary"] * 2 + ["ClaimStatusReport"] * 2
    text = format_277(records, OPTIONS)
    assert "TRN*2*BATCH1~\nSTC*A1:19:PR*20241202*WQ*255.5~\nQTY*90*1~\nQTY*AA*1~\n" in text
    assert validate(text) == []
    assert list(parse(text)) == records


def test_written_summaries_add_up_the_claims() -> None:
    reports = list(parse_statuses(sample("277CA")))
    text = format_277(reports, OPTIONS)
    receiver, provider = _summaries(text)
    assert receiver == summarize(reports, SummaryLevel.RECEIVER, OPTIONS, trace_number="0001")
    assert (receiver.entity_id, receiver.trace_number) == ("RECEIVER", "0001")
    assert (receiver.accepted_quantity, receiver.rejected_quantity) == (1, 1)
    assert (receiver.accepted_amount, receiver.rejected_amount) == (
        Decimal("180.5"),
        Decimal(75),
    )
    assert receiver.statuses[0].charge == Decimal("255.5")
    assert receiver.statuses[0].action_code == "WQ"
    assert provider == summarize(reports, SummaryLevel.PROVIDER, OPTIONS)
    assert provider.trace_number == "0" and provider.entity_id == "1234567893"
    assert "QTY*QA*1~\nQTY*QC*1~\nAMT*YU*180.5~\nAMT*YY*75~" in text
    # Every claim rejected: the batch is refused (U), no accepted count or amount is written.
    (only_rejected,) = [r for r in reports if r.rejected]
    receiver, _ = _summaries(format_277([only_rejected], OPTIONS))
    assert receiver.statuses[0].action_code == "U"
    assert (receiver.accepted_quantity, receiver.accepted_amount) == (None, None)
    assert (receiver.rejected_quantity, receiver.rejected_amount) == (1, Decimal(75))


def test_given_summaries_start_their_loops() -> None:
    claims = list(parse_statuses(sample("277CA")))
    batch = summarize(claims, SummaryLevel.RECEIVER, OPTIONS, trace_number="B1")
    one = summarize(claims[:1], SummaryLevel.PROVIDER, OPTIONS, trace_number="P1")
    two = summarize(claims[1:], SummaryLevel.PROVIDER, OPTIONS, trace_number="P2")
    records = [batch, one, claims[0], two, claims[1], batch, claims[0]]
    text = format_277(records, OPTIONS)
    assert text.count("HL*") == 10  # 2 sources, 2 receivers, 3 providers, 3 patients
    assert validate(text) == []
    back = list(parse(text))
    assert back[:5] == records[:5]
    # The second source loop has no provider summary: the one written adds up its claim.
    assert back[5:] == [batch, summarize(claims[:1], SummaryLevel.PROVIDER, OPTIONS), claims[0]]
    status = claims[0].model_copy(update={"guide": "005010X212", "trace_number": "T1"})
    with pytest.raises(ValueError, match="no summary loops"):
        format_277([status, one.model_copy(update={"guide": "005010X212"})], OPTIONS)


def test_mangled_summary_is_located() -> None:
    body = [s.replace("QTY*QC*1", "QTY*QC*1.5") for s in CLAIM_ACK]
    text = render(interchange([("HN", "005010X214", [body])]))
    (problem,) = validate(text)
    assert (problem.segment, problem.segment_id, problem.element) == (21, "QTY", 2)
    with pytest.raises(X12ParseError) as caught:
        list(parse(text))
    assert caught.value.problem == problem
    # The claims below the summary are read once it is mended.
    assert [r.claim_id for r in parse_statuses(text.replace("QTY*QC*1.5", "QTY*QC*1"))] == [
        "PCLM001",
        "PCLM002",
    ]


def test_pyx12_accepts_the_claim_acknowledgment() -> None:
    pytest.importorskip("pyx12", reason="pyx12 (optional peer) is not installed")
    from bench.x12_pyx12 import check

    claims = list(parse_statuses(sample("277CA")))
    more = [
        c.model_copy(update={"claim_id": f"{c.claim_id}{n}", "provider_npi": npi})
        for n, npi in enumerate(("1245319599", "1234567893", "1245319599"))
        for c in claims
    ]
    for text in (sample("277CA"), format_277(claims + more, OPTIONS)):
        result = check("277CA", text)
        assert result.errors == [] and result.accepted


def test_mangled_status_is_located() -> None:
    body = list(CLAIM_ACK)
    at = body.index("STC*A2:20:PR*20241202*WQ*180.5")
    body[at] = "STC*A2:20:PR*20241302*WQ*180.5"
    text = render(interchange([("HN", "005010X214", [body])]))
    (problem,) = validate(text)
    assert (problem.segment, problem.segment_id, problem.element) == (27, "STC", 2)
    body[at] = "STC**20241202*WQ*1X"
    text = render(interchange([("HN", "005010X214", [body])]))
    with pytest.raises(X12ParseError) as caught:
        list(parse_statuses(text))
    assert (caught.value.segment, caught.value.element) == (27, 4)
    body[at] = "STC**20241202*WQ*180.5"
    (problem,) = validate(render(interchange([("HN", "005010X214", [body])])))
    assert (problem.segment, problem.segment_id, problem.element) == (27, "STC", 1)
    assert problem.cause.startswith("statuses.0.codes")


def test_status_request_from_claims() -> None:
    claims = make_claims(6, seed=21)
    claims += make_claims(2, seed=22, claim_type=ClaimType.INSTITUTIONAL)
    inquiries = [status_inquiry_for(c) for c in claims]
    inquiries[0] = status_inquiry_for(claims[0], trace_number="TR1")
    inquiries[1] = status_inquiry_for(claims[1], payer_claim_number="ICN9")
    text = format_276([inquiries[0], inquiries[1], *claims[2:]], OPTIONS)
    assert "TRN*1*TR1~" in text and "REF*1K*ICN9~" in text
    for claim in claims:
        assert f"REF*EJ*{claim.claim_id}~" in text
        assert f"NM1*PR*2*{claim.payer_name}*****PI*{claim.payer_id}~" in text
    dependent = next(c for c in claims if c.patient_relationship != "18")
    assert f"NM1*QC*1*{dependent.patient_last_name}*{dependent.patient_first_name}~" in text
    assert f"NM1*IL*1*{dependent.subscriber_last_name}*" in text
    institutional = claims[-1]
    assert institutional.statement_from is not None and institutional.statement_to is not None
    span = f"{institutional.statement_from:%Y%m%d}-{institutional.statement_to:%Y%m%d}"
    assert f"DTP*472*RD8*{span}~" in text
    # Both sides are written here: the request reads back as the inquiries it was made of.
    assert validate(text) == []
    assert list(parse_status_inquiries(text)) == inquiries
    assert inquiries[2].claim_id == claims[2].claim_id == inquiries[2].trace_number
    with pytest.raises(X12ParseError, match="unsupported transaction set 276"):
        list(parse_claims(text))  # not a claim file


def test_mangled_status_request_is_located() -> None:
    text = format_276(make_claims(2, seed=3), OPTIONS).replace("AMT*T3*", "AMT*T3*X", 1)
    (problem,) = validate(text)
    assert (problem.segment_id, problem.element) == ("AMT", 2)
    with pytest.raises(X12ParseError) as caught:
        list(parse_status_inquiries(text))
    assert caught.value.problem == problem


def test_status_request_sample() -> None:
    dependent, subscriber = parse_status_inquiries(sample("276"))
    assert (dependent.trace_number, dependent.claim_id, dependent.member_id) == (
        "TRACE77",
        "PCLM002",
        "MEM0002",
    )
    assert dependent.dependent and dependent.patient_first_name == "RICKY"
    assert (dependent.subscriber_first_name, dependent.birth_date) == ("RICHARD", D(2015, 7, 4))
    assert (dependent.payer_claim_control_number, dependent.total_charge) == (
        "ICN0002",
        Decimal(75),
    )
    assert not subscriber.dependent and subscriber.patient_first_name is None
    assert (subscriber.subscriber_first_name, subscriber.birth_date) == ("JANE", D(1980, 2, 15))
    assert (subscriber.service_from, subscriber.service_to) == (D(2024, 11, 20), D(2024, 11, 21))
    text = format_276([dependent, subscriber], OPTIONS)
    assert list(parse_status_inquiries(text)) == [dependent, subscriber]
