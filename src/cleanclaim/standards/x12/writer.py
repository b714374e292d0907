"""Writing canonical records as X12: 837P/837I from claims, 835 from claim payments.

The segment output (:class:`_Out`: delimiters, counting, refusing values that hold a
delimiter) and the envelopes (:class:`_Envelope`) are shared with the writers of the other
transactions (``x834``, ``x270``, ``x276``, ``x277``, ``x999``), which live beside their readers.

Output streams to a text file as the records come (no whole-file buffering): envelopes get
their control numbers and counts (SE01, GE01, IEA01) right, the 837 gets its HL hierarchy
(one billing provider HL per run of claims from the same billing provider, one subscriber HL
per claim, a patient HL when the patient is not the subscriber). Reading the output back with
:func:`~cleanclaim.standards.x12.api.parse` gives records equal to the ones written, with two
documented exceptions: a claim without ``submitted_on`` comes back with the interchange date
(BHT04 is required), one without ``filing_indicator`` with ``WriteOptions.filing_indicator``
(SBR09 is required), and an 835 ``payment_id`` comes back as ``{trace}-{n}``.

Names and addresses the records carry are written where the guides put them: the billing
provider's address (2010AA N3/N4), the patient's (2010BA N3/N4 when the patient is the
subscriber, 2010CA N3/N4 otherwise), the referring, rendering and service facility providers
(837P 2310A/B/C, 837I 2310F/D/E, the facility with its N3/N4) and a line's rendering provider
(2420A/2420C); on the 835 the payer's name, address and EIN (1000A N1/N3/N4, TRN03 = "1" + EIN),
the payee's name (1000B) and the patient's name and member ID (2100 NM1*QC). The payer's
technical contact (1000A PER*BL) is the sender's contact of :class:`WriteOptions`: the writer of
an 835 is the payer.

A value the guide requires and the record lacks is deliberately not refused and not invented:
a name is written empty, an address segment is left out, TRN03 falls back to the payer id. The
writer must be able to send the claims it is given, defective ones included (a rejection is
the receiver's answer to make, and the scrubber flags missing data before sending); a receiver
that enforces the guide to the letter will flag those segments. Subscriber names of a claim
whose patient is the subscriber are not written (the patient name stands for both), nor is the
statement period of a professional claim (DTP*434 is an 837I segment): such a claim comes back
without ``statement_from``/``statement_to``.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TextIO

from ...domain import Adjustment, Claim, ClaimPayment, ClaimType, Diagnosis, ServiceLine
from .tokenizer import Delimiters

__all__ = ["WriteOptions", "format_835", "format_837", "write_835", "write_837"]

MAX_CLAIMS_PER_SET = 5000
"""Claims (or payments) per transaction set: the implementation guides' recommended limit."""


@dataclass(frozen=True, slots=True)
class WriteOptions:
    """Envelope identities and format of the output."""

    sender_id: str = "CLEANCLAIM"
    receiver_id: str = "RECEIVER"
    submitter_name: str = "CLEANCLAIM"
    receiver_name: str = "RECEIVER"
    contact_name: str = "CLAIMS"
    contact_phone: str = "8005550100"
    interchange_control: int = 1
    group_control: int = 1
    created: dt.datetime = field(
        default_factory=lambda: dt.datetime.now(dt.UTC).replace(second=0, microsecond=0)
    )
    usage: str = "P"
    filing_indicator: str = "CI"
    delimiters: Delimiters = field(default_factory=Delimiters)
    line_breaks: bool = True


def _num(value: Decimal) -> str:
    text = format(value, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("", "-0") else text


def _d8(value: dt.date) -> str:
    return value.strftime("%Y%m%d")


class _Out:
    """Joins elements with the delimiters, counts segments, refuses values holding one."""

    def __init__(self, stream: TextIO, options: WriteOptions) -> None:
        d = options.delimiters
        self.stream = stream
        self.sep = d.element
        self.comp = d.component
        self.end = d.segment + ("\n" if options.line_breaks and d.segment != "\n" else "")
        self.reserved = {d.element, d.component, d.segment} | (
            {d.repetition} if d.repetition else set()
        )
        self.count = 0

    def address(
        self, line: str | None, city: str | None, state: str | None, postal: str | None
    ) -> None:
        """N3/N4 of what is known of an address; nothing when nothing is."""
        if line:
            self.value("N3", line)
        if city or state or postal:
            self.value("N4", city, state, postal)

    def name(
        self,
        entity: str,
        kind: str,
        last: str | None,
        first: str | None,
        qualifier: str | None,
        ident: str | None,
    ) -> None:
        """NM1 of a person (``kind`` 1) or organization (2), with its id when known."""
        self.value(
            "NM1",
            entity,
            kind,
            last,
            first,
            None,
            None,
            None,
            qualifier if ident else None,
            ident,
        )

    def check(self, value: str) -> str:
        if any(ch in value for ch in self.reserved):
            raise ValueError(f"value {value!r} holds an X12 delimiter and cannot be written")
        return value

    def composite(self, *parts: str | None) -> str:
        items = [self.check(p or "") for p in parts]
        while items and not items[-1]:
            items.pop()
        return self.comp.join(items)

    def seg(self, *elements: str | None) -> None:
        items = [e or "" for e in elements]
        while items and not items[-1]:
            items.pop()
        self.stream.write(self.sep.join(items) + self.end)
        self.count += 1

    def value(self, *elements: str | None) -> None:
        """A segment of plain values: each is checked for delimiters."""
        self.seg(*(None if e is None else self.check(e) for e in elements))


class _Envelope:
    """ISA/GS/ST and their trailers with the right counts and control numbers."""

    def __init__(self, out: _Out, options: WriteOptions) -> None:
        self.out = out
        self.options = options
        self.groups = 0
        self.sets = 0
        self.set_start = 0
        self.set_control = 0
        self.group_open = False
        self.version = ""

    def open(self) -> None:
        o = self.options
        d = o.delimiters
        created = o.created
        isa = [
            "ISA",
            "00",
            " " * 10,
            "00",
            " " * 10,
            "ZZ",
            o.sender_id.ljust(15)[:15],
            "ZZ",
            o.receiver_id.ljust(15)[:15],
            created.strftime("%y%m%d"),
            created.strftime("%H%M"),
            d.repetition or "U",
            "00501",
            f"{o.interchange_control:09d}",
            "0",
            o.usage,
            d.component,
        ]
        self.out.stream.write(d.element.join(isa) + self.out.end)
        self.out.count += 1

    def group(self, functional_id: str, version: str) -> None:
        if self.group_open and version == self.version:
            return
        self.close_group()
        o = self.options
        self.version = version
        self.group_open = True
        self.sets = 0
        self.out.value(
            "GS",
            functional_id,
            o.sender_id,
            o.receiver_id,
            o.created.strftime("%Y%m%d"),
            o.created.strftime("%H%M"),
            str(o.group_control + self.groups),
            "X",
            version,
        )

    def start_set(self, set_id: str, version: str | None) -> str:
        self.set_control += 1
        control = f"{self.set_control:04d}"
        self.set_start = self.out.count
        self.out.value("ST", set_id, control, version)
        return control

    def end_set(self, control: str) -> None:
        self.out.seg("SE", str(self.out.count - self.set_start + 1), control)
        self.sets += 1

    def close_group(self) -> None:
        if self.group_open:
            self.out.seg("GE", str(self.sets), str(self.options.group_control + self.groups))
            self.groups += 1
            self.group_open = False

    def close(self) -> None:
        self.close_group()
        self.out.seg("IEA", str(self.groups), f"{self.options.interchange_control:09d}")


# -- 837 ------------------------------------------------------------------------------------

_VERSION_837 = {
    ClaimType.PROFESSIONAL: "005010X222A1",
    ClaimType.INSTITUTIONAL: "005010X223A2",
}


class _Claims837:
    def __init__(self, out: _Out, env: _Envelope, options: WriteOptions) -> None:
        self.out = out
        self.env = env
        self.options = options
        self.key: tuple[object, ...] | None = None
        self.control = ""
        self.claims_in_set = 0
        self.hl = 0
        self.billing_hl = 0
        self.billing_key: tuple[str | None, ...] | None = None

    def add(self, claim: Claim) -> None:
        submitted = claim.submitted_on or self.options.created.date()
        key = (claim.claim_type, submitted)
        if key != self.key or self.claims_in_set >= MAX_CLAIMS_PER_SET:
            self.finish()
            self._start(claim.claim_type, submitted)
            self.key = key
        billing = (
            claim.billing_npi,
            claim.billing_name,
            claim.billing_tax_id,
            claim.billing_taxonomy,
            claim.billing_address_line,
            claim.billing_city,
            claim.billing_state,
            claim.billing_postal_code,
        )
        if billing != self.billing_key:
            self._billing(claim)
            self.billing_key = billing
        self._subscriber(claim)
        self._claim(claim)
        self.claims_in_set += 1

    def finish(self) -> None:
        if self.key is not None:
            self.env.end_set(self.control)
            self.key = None

    def _start(self, claim_type: ClaimType, submitted: dt.date) -> None:
        o, out = self.options, self.out
        version = _VERSION_837[claim_type]
        self.env.group("HC", version)
        self.control = self.env.start_set("837", version)
        self.claims_in_set = self.hl = 0
        self.billing_key = None
        out.value(
            "BHT",
            "0019",
            "00",
            f"{self.env.set_control:04d}",
            _d8(submitted),
            o.created.strftime("%H%M"),
            "CH",
        )
        out.value("NM1", "41", "2", o.submitter_name, None, None, None, None, "46", o.sender_id)
        out.value("PER", "IC", o.contact_name, "TE", o.contact_phone)
        out.value("NM1", "40", "2", o.receiver_name, None, None, None, None, "46", o.receiver_id)

    def _billing(self, claim: Claim) -> None:
        out = self.out
        self.hl += 1
        self.billing_hl = self.hl
        out.seg("HL", str(self.hl), None, "20", "1")
        if claim.billing_taxonomy:
            out.value("PRV", "BI", "PXC", claim.billing_taxonomy)
        out.name("85", "2", claim.billing_name, None, "XX", claim.billing_npi)
        out.address(
            claim.billing_address_line,
            claim.billing_city,
            claim.billing_state,
            claim.billing_postal_code,
        )
        if claim.billing_tax_id:
            out.value("REF", "EI", claim.billing_tax_id)

    def _subscriber(self, claim: Claim) -> None:
        out = self.out
        self.hl += 1
        subscriber_hl = self.hl
        is_patient = claim.patient_relationship == "18"
        out.seg("HL", str(self.hl), str(self.billing_hl), "22", "0" if is_patient else "1")
        out.value(
            "SBR",
            "P",
            "18" if is_patient else None,
            None,
            None,
            None,
            None,
            None,
            None,
            claim.filing_indicator or self.options.filing_indicator,
        )
        if is_patient:
            self._person("IL", claim, "MI", claim.member_id)
        else:
            out.name(
                "IL",
                "1",
                claim.subscriber_last_name,
                claim.subscriber_first_name,
                "MI",
                claim.member_id,
            )
        out.name("PR", "2", claim.payer_name, None, "PI", claim.payer_id)
        if not is_patient:
            self.hl += 1
            out.seg("HL", str(self.hl), str(subscriber_hl), "23", "0")
            out.value("PAT", claim.patient_relationship)
            self._person("QC", claim, None, None)

    def _person(self, entity: str, claim: Claim, qualifier: str | None, ident: str | None) -> None:
        self.out.name(
            entity, "1", claim.patient_last_name, claim.patient_first_name, qualifier, ident
        )
        self.out.address(
            claim.patient_address_line,
            claim.patient_city,
            claim.patient_state,
            claim.patient_postal_code,
        )
        if claim.patient_birth_date or claim.patient_sex:
            birth = _d8(claim.patient_birth_date) if claim.patient_birth_date else None
            sex = claim.patient_sex.value if claim.patient_sex else None
            self.out.value("DMG", "D8" if birth else None, birth, sex)

    def _claim(self, claim: Claim) -> None:
        out = self.out
        institutional = claim.claim_type is ClaimType.INSTITUTIONAL
        frequency = claim.frequency_code.value
        if institutional:
            bill = claim.type_of_bill or ""
            facility = bill[1:3] if len(bill) == 4 else bill[:2]
            out.seg(
                "CLM",
                out.check(claim.claim_id),
                _num(claim.total_charge),
                None,
                None,
                out.composite(facility, "A", frequency),
                None,
                "A",
                "Y",
                "Y",
            )
        else:
            out.seg(
                "CLM",
                out.check(claim.claim_id),
                _num(claim.total_charge),
                None,
                None,
                out.composite(claim.place_of_service, "B", frequency),
                "Y",
                "A",
                "Y",
                "Y",
            )
        self._claim_dates(claim)
        for qualifier, value in (
            ("9F", claim.referral_number),
            ("G1", claim.prior_auth_number),
            ("F8", claim.original_claim_ref),
        ):
            if value:
                out.value("REF", qualifier, value)
        self._diagnoses(claim.diagnoses, institutional)
        self._providers(claim, institutional)
        for line in claim.lines:
            self._line(line, institutional)

    def _providers(self, claim: Claim, institutional: bool) -> None:
        """2310 loops in the guide's order: 837P referring, rendering, service facility;
        837I rendering (2310D), service facility (2310E), referring (2310F)."""
        out = self.out
        referring = ("DN", claim.referring_npi, claim.referring_name, claim.referring_first_name)
        rendering = ("82", claim.rendering_npi, claim.rendering_name, claim.rendering_first_name)
        facility = ("77", claim.facility_npi, claim.facility_name, None)
        order = (
            (rendering, facility, referring) if institutional else (referring, rendering, facility)
        )
        for entity, npi, last, first in order:
            if not (npi or last):
                continue
            out.name(entity, "2" if entity == "77" else "1", last, first, "XX", npi)
            if entity == "77":
                out.address(
                    claim.facility_address_line,
                    claim.facility_city,
                    claim.facility_state,
                    claim.facility_postal_code,
                )

    def _claim_dates(self, claim: Claim) -> None:
        out = self.out
        if claim.statement_from and claim.claim_type is ClaimType.INSTITUTIONAL:
            end = claim.statement_to or claim.statement_from
            out.seg("DTP", "434", "RD8", f"{_d8(claim.statement_from)}-{_d8(end)}")
        if claim.admission_date:
            out.seg("DTP", "435", "D8", _d8(claim.admission_date))
        if claim.discharge_status:
            out.value("CL1", None, None, claim.discharge_status)

    def _diagnoses(self, diagnoses: list[Diagnosis], institutional: bool) -> None:
        elements: list[str] = []
        previous = ""
        for diagnosis in diagnoses:
            qualifier = diagnosis.qualifier.value
            # 837I puts each kind of diagnosis in its own HI; 837P packs up to 12 in one.
            kind = qualifier if institutional else "any"
            if elements and (kind != previous or len(elements) == 12):
                self.out.seg("HI", *elements)
                elements = []
            previous = kind
            poa = diagnosis.present_on_admission
            parts = [qualifier, diagnosis.code, *([""] * 6 + [poa] if poa else [])]
            elements.append(self.out.composite(*parts))
        if elements:
            self.out.seg("HI", *elements)

    def _line(self, line: ServiceLine, institutional: bool) -> None:
        out = self.out
        out.seg("LX", str(line.line_number))
        procedure = (
            out.composite("HC", line.procedure_code, *line.modifiers)
            if line.procedure_code
            else None
        )
        if institutional:
            out.seg(
                "SV2",
                out.check(line.revenue_code or ""),
                procedure,
                _num(line.charge),
                "UN",
                _num(line.units),
            )
        else:
            pointers = out.composite(*(str(p) for p in line.diagnosis_pointers))
            out.seg(
                "SV1",
                procedure,
                _num(line.charge),
                "UN",
                _num(line.units),
                out.check(line.place_of_service or ""),
                None,
                pointers,
            )
        if line.service_to is not None:
            out.seg("DTP", "472", "RD8", f"{_d8(line.service_from)}-{_d8(line.service_to)}")
        else:
            out.seg("DTP", "472", "D8", _d8(line.service_from))
        # The 837I service line (2400) has no prior authorization REF (the 837P's does): the
        # claim-level one (2300 REF*G1) carries it there.
        if line.prior_auth_number and not institutional:
            out.value("REF", "G1", line.prior_auth_number)
        if line.ndc:
            out.value("LIN", None, "N4", line.ndc)
            out.seg("CTP", None, None, None, _num(line.units), "UN")
        if line.rendering_npi or line.rendering_name:
            out.name(
                "82", "1", line.rendering_name, line.rendering_first_name, "XX", line.rendering_npi
            )


def write_837(claims: Iterable[Claim], stream: TextIO, options: WriteOptions | None = None) -> int:
    """Write ``claims`` as one 837 interchange on ``stream``; returns the segments written.

    Professional and institutional claims go to separate functional groups; a transaction set
    holds consecutive claims of one type and submission date, at most 5000.
    """
    options = options or WriteOptions()
    out = _Out(stream, options)
    env = _Envelope(out, options)
    env.open()
    writer = _Claims837(out, env, options)
    for claim in claims:
        writer.add(claim)
    writer.finish()
    env.close()
    return out.count


def format_837(claims: Iterable[Claim], options: WriteOptions | None = None) -> str:
    """``claims`` as the text of one 837 interchange."""
    buffer = io.StringIO()
    write_837(claims, buffer, options)
    return buffer.getvalue()


# -- 835 ------------------------------------------------------------------------------------


def _cas(out: _Out, adjustments: list[Adjustment]) -> None:
    # Runs of one group code, at most six triplets a CAS, in the order given: reading back
    # keeps the order, so the records compare equal.
    run: list[Adjustment] = []
    for adjustment in [*adjustments, None]:
        if run and (
            adjustment is None or adjustment.group_code is not run[0].group_code or len(run) == 6
        ):
            elements: list[str | None] = ["CAS", run[0].group_code.value]
            for a in run:
                quantity = None if a.quantity is None else _num(a.quantity)
                elements += [out.check(a.carc), _num(a.amount), quantity]
            out.seg(*elements)
            run = []
        if adjustment is not None:
            run.append(adjustment)


def _runs(payments: Iterable[ClaimPayment]) -> Iterator[list[ClaimPayment]]:
    run: list[ClaimPayment] = []
    key: tuple[object, ...] | None = None
    for payment in payments:
        this = (
            payment.payer_id,
            payment.trace_number,
            payment.payment_date,
            payment.payee_npi,
            payment.payee_name,
            payment.payer_name,
            payment.payer_tax_id,
            payment.payer_address_line,
            payment.payer_city,
            payment.payer_state,
            payment.payer_postal_code,
        )
        if run and (this != key or len(run) >= MAX_CLAIMS_PER_SET):
            yield run
            run = []
        key = this
        run.append(payment)
    if run:
        yield run


def _payment_set(out: _Out, env: _Envelope, run: list[ClaimPayment], options: WriteOptions) -> None:
    first = run[0]
    env.group("HP", "005010X221A1")
    control = env.start_set("835", "005010X221A1")
    total = sum((p.paid for p in run), Decimal(0))
    paid_on = _d8(first.payment_date) if first.payment_date else None
    out.seg(
        "BPR",
        "I" if total > 0 else "H",
        _num(total),
        "C",
        "CHK" if total > 0 else "NON",
        *([None] * 11),
        paid_on,
    )
    # TRN03 is "1" + the payer's EIN; without one, the payer id is all there is to send.
    originator = "1" + first.payer_tax_id if first.payer_tax_id else first.payer_id
    out.value("TRN", "1", first.trace_number or control, originator)
    out.value("N1", "PR", first.payer_name)
    out.address(
        first.payer_address_line, first.payer_city, first.payer_state, first.payer_postal_code
    )
    out.value("REF", "2U", first.payer_id)
    out.value("PER", "BL", options.contact_name, "TE", options.contact_phone)
    out.value("N1", "PE", first.payee_name, "XX" if first.payee_npi else None, first.payee_npi)
    out.seg("LX", "1")
    for payment in run:
        _clp(out, payment)
    env.end_set(control)


def _clp(out: _Out, payment: ClaimPayment) -> None:
    responsibility = payment.patient_responsibility
    out.seg(
        "CLP",
        out.check(payment.claim_id),
        payment.status.value,
        _num(payment.total_charge),
        _num(payment.paid),
        None if responsibility is None else _num(responsibility),
        out.check(payment.filing_indicator or ""),
        out.check(payment.payer_claim_control_number or ""),
    )
    _cas(out, payment.adjustments)
    out.name(
        "QC", "1", payment.patient_last_name, payment.patient_first_name, "MI", payment.member_id
    )
    if payment.rarcs:
        if len(payment.rarcs) > 5:
            raise ValueError(f"{payment.payment_id}: MOA holds at most 5 remark codes")
        out.value("MOA", None, None, *payment.rarcs)
    for line in payment.lines:
        if line.procedure_code:
            composite = out.composite("HC", line.procedure_code, *line.modifiers)
            revenue = line.revenue_code
        else:
            composite, revenue = out.composite("NU", line.revenue_code), None
        units = None if line.units_paid is None else _num(line.units_paid)
        out.seg(
            "SVC", composite, _num(line.charge), _num(line.paid), out.check(revenue or ""), units
        )
        if line.service_date:
            out.seg("DTM", "472", _d8(line.service_date))
        _cas(out, line.adjustments)
        out.seg("REF", "6R", str(line.line_number))
        for rarc in line.rarcs:
            out.value("LQ", "HE", rarc)


def write_835(
    payments: Iterable[ClaimPayment], stream: TextIO, options: WriteOptions | None = None
) -> int:
    """Write ``payments`` as one 835 interchange; returns the segments written.

    Consecutive payments with the same payer, trace number, payment date and payee form one
    transaction set (one payment, BPR02 = the sum of their paid amounts).
    """
    options = options or WriteOptions()
    out = _Out(stream, options)
    env = _Envelope(out, options)
    env.open()
    for run in _runs(payments):
        _payment_set(out, env, run, options)
    env.close()
    return out.count


def format_835(payments: Iterable[ClaimPayment], options: WriteOptions | None = None) -> str:
    """``payments`` as the text of one 835 interchange."""
    buffer = io.StringIO()
    write_835(payments, buffer, options)
    return buffer.getvalue()
