"""276 claim status request (005010X212): from canonical claims, written and read.

:func:`status_inquiry_for` makes the question about one canonical claim;
:func:`write_276` writes questions (or claims, asked about as they are) and
:class:`ClaimStatus276Handler` reads them back into the same
:class:`~cleanclaim.standards.x12.records.ClaimStatusInquiry` records. The answer, a 277, is
read by :class:`~cleanclaim.standards.x12.x277.ClaimStatus277Handler`.

Layout: one claim status tracking loop per claim: the payer (2100A), the submitter as
information receiver (2100B), the billing provider (2100C), the subscriber (2000D/2100D) and,
for a dependent patient, the dependent (2000E/2100E); then TRN (the trace number the 277
echoes), REF*1K (the payer's claim number, when known), REF*EJ (CLM01), AMT*T3 (total charge)
and DTP*472 (the claim's dates of service). DMG is the patient's, at the patient's level.
"""

from __future__ import annotations

import io
from collections.abc import Iterable
from typing import Any, Final, TextIO

from ...domain import Claim
from .handling import Origins, RecordHandler, pad
from .records import ClaimStatusInquiry
from .writer import WriteOptions, _d8, _Envelope, _num, _Out

__all__ = [
    "STATUS_REQUEST_VERSION",
    "ClaimStatus276Handler",
    "format_276",
    "status_inquiry_for",
    "write_276",
]

STATUS_REQUEST_VERSION: Final = "005010X212"


def status_inquiry_for(
    claim: Claim,
    *,
    trace_number: str | None = None,
    payer_claim_number: str | None = None,
) -> ClaimStatusInquiry:
    """The 276 question about ``claim`` (trace number: the claim id unless given)."""
    dependent = claim.patient_relationship != "18"
    start = claim.statement_from or claim.service_from
    end = claim.statement_to or max(line.service_to or line.service_from for line in claim.lines)
    return ClaimStatusInquiry(
        trace_number=trace_number or claim.claim_id,
        payer_id=claim.payer_id,
        payer_name=claim.payer_name,
        provider_npi=claim.billing_npi,
        provider_name=claim.billing_name,
        member_id=claim.member_id,
        subscriber_last_name=claim.subscriber_last_name if dependent else claim.patient_last_name,
        subscriber_first_name=(
            claim.subscriber_first_name if dependent else claim.patient_first_name
        ),
        dependent=dependent,
        patient_last_name=claim.patient_last_name if dependent else None,
        patient_first_name=claim.patient_first_name if dependent else None,
        birth_date=claim.patient_birth_date,
        sex=claim.patient_sex,
        claim_id=claim.claim_id,
        payer_claim_control_number=payer_claim_number,
        total_charge=claim.total_charge,
        service_from=start,
        service_to=end if end != start else None,
    )


# -- writing ------------------------------------------------------------------------------------


class _Writer276:
    def __init__(self, out: _Out, env: _Envelope, options: WriteOptions) -> None:
        self.out = out
        self.env = env
        self.options = options
        self.payer: tuple[str, str | None] | None = None
        self.provider: tuple[str, str | None] | None = None
        self.control = ""
        self.hl = self.receiver_hl = self.provider_hl = 0

    def add(self, inquiry: ClaimStatusInquiry) -> None:
        payer = (inquiry.payer_id, inquiry.payer_name)
        if payer != self.payer:
            self.finish()
            self._start(inquiry)
            self.payer = payer
        provider = (inquiry.provider_npi, inquiry.provider_name)
        if provider != self.provider:
            self.hl += 1
            self.provider_hl = self.hl
            self.out.seg("HL", str(self.hl), str(self.receiver_hl), "19", "1")
            self.out.value("NM1", "1P", "2", inquiry.provider_name, None, None, None, None, "XX",
                           inquiry.provider_npi)
            self.provider = provider
        self._claim(inquiry)

    def _start(self, inquiry: ClaimStatusInquiry) -> None:
        o, out = self.options, self.out
        self.env.group("HR", STATUS_REQUEST_VERSION)
        self.control = self.env.start_set("276", STATUS_REQUEST_VERSION)
        out.value(
            "BHT",
            "0010",
            "13",
            f"{self.env.set_control:04d}",
            o.created.strftime("%Y%m%d"),
            o.created.strftime("%H%M"),
        )
        out.seg("HL", "1", None, "20", "1")
        out.value("NM1", "PR", "2", inquiry.payer_name, None, None, None, None, "PI",
                  inquiry.payer_id)
        out.seg("HL", "2", "1", "21", "1")
        out.value("NM1", "41", "2", o.submitter_name, None, None, None, None, "46",
                  o.sender_id)
        self.hl = self.receiver_hl = 2
        self.provider = None

    def _claim(self, inquiry: ClaimStatusInquiry) -> None:
        out = self.out
        self.hl += 1
        subscriber_hl = self.hl
        out.seg("HL", str(self.hl), str(self.provider_hl), "22", "1" if inquiry.dependent else "0")
        if not inquiry.dependent:
            self._dmg(inquiry)
        out.value("NM1", "IL", "1", inquiry.subscriber_last_name, inquiry.subscriber_first_name,
                  None, None, None, "MI", inquiry.member_id)
        if inquiry.dependent:
            self.hl += 1
            out.seg("HL", str(self.hl), str(subscriber_hl), "23", "0")
            self._dmg(inquiry)
            out.value("NM1", "QC", "1", inquiry.patient_last_name, inquiry.patient_first_name)
        out.value("TRN", "1", inquiry.trace_number)
        if inquiry.payer_claim_control_number:
            out.value("REF", "1K", inquiry.payer_claim_control_number)
        out.value("REF", "EJ", inquiry.claim_id)
        if inquiry.total_charge is not None:
            out.seg("AMT", "T3", _num(inquiry.total_charge))
        start, end = inquiry.service_from, inquiry.service_to
        if start is not None and end is not None:
            out.seg("DTP", "472", "RD8", f"{_d8(start)}-{_d8(end)}")
        elif start is not None:
            out.seg("DTP", "472", "D8", _d8(start))

    def _dmg(self, inquiry: ClaimStatusInquiry) -> None:
        birth, sex = inquiry.birth_date, inquiry.sex
        if birth is None and sex is None:
            return
        self.out.value(
            "DMG", "D8" if birth else None, _d8(birth) if birth else None,
            sex.value if sex is not None else None,
        )

    def finish(self) -> None:
        if self.payer is not None:
            self.env.end_set(self.control)
            self.payer = None


def write_276(
    inquiries: Iterable[ClaimStatusInquiry | Claim],
    stream: TextIO,
    options: WriteOptions | None = None,
) -> int:
    """Write a status request for each inquiry (a claim: ``status_inquiry_for`` it) as one 276
    interchange; returns the segments written. Consecutive inquiries to one payer share a
    transaction set."""
    options = options or WriteOptions()
    out = _Out(stream, options)
    env = _Envelope(out, options)
    env.open()
    writer = _Writer276(out, env, options)
    for item in inquiries:
        writer.add(status_inquiry_for(item) if isinstance(item, Claim) else item)
    writer.finish()
    env.close()
    return out.count


def format_276(
    inquiries: Iterable[ClaimStatusInquiry | Claim], options: WriteOptions | None = None
) -> str:
    """``inquiries`` as the text of one 276 interchange."""
    buffer = io.StringIO()
    write_276(inquiries, buffer, options)
    return buffer.getvalue()


# -- reading ------------------------------------------------------------------------------------


class ClaimStatus276Handler(RecordHandler):
    """Turns each claim status tracking loop of a 276 into a ClaimStatusInquiry."""

    def __init__(self) -> None:
        super().__init__()
        self.table = {
            "HL": self._hl,
            "NM1": self._nm1,
            "DMG": self._dmg,
            "TRN": self._trn,
            "REF": self._ref,
            "AMT": self._amt,
            "DTP": self._dtp,
        }
        self.reset()

    def reset(self) -> None:
        self.context: dict[str, Any] = {}
        self.context_origins: Origins = {}
        self.row: dict[str, Any] | None = None
        self.origins: Origins = {}
        self.start = 0

    def _note(self, name: str, value: Any, seg: str, pos: int, element: int | None) -> None:
        if self.row is not None:
            self.row[name] = value
            self.origins[(name,)] = (seg, pos, element)
        else:
            self.context[name] = value
            self.context_origins[(name,)] = (seg, pos, element)

    def _hl(self, pos: int, el: list[str]) -> None:
        self.flush()
        self.broken = False
        level = pad(el, 4)[3]
        drop = {
            "20": ("payer_id", "payer_name"),
            "19": ("provider_npi", "provider_name"),
            "22": ("member_id", "subscriber_last_name", "subscriber_first_name", "birth_date",
                   "sex", "dependent", "patient_last_name", "patient_first_name"),
            "23": ("birth_date", "sex", "patient_last_name", "patient_first_name"),
        }.get(level, ())
        for name in drop:
            self.context.pop(name, None)
            self.context_origins.pop((name,), None)
        if level == "23":
            self.context["dependent"] = True
        self.start = pos

    def _nm1(self, pos: int, el: list[str]) -> None:
        el = pad(el, 10)
        names = {
            "PR": (("payer_name", 3), ("payer_id", 9)),
            "1P": (("provider_name", 3), ("provider_npi", 9)),
            "IL": (("subscriber_last_name", 3), ("subscriber_first_name", 4), ("member_id", 9)),
            "QC": (("patient_last_name", 3), ("patient_first_name", 4)),
        }.get(el[1], ())
        for name, index in names:
            self._note(name, el[index] or None, "NM1", pos, index)

    def _dmg(self, pos: int, el: list[str]) -> None:
        el = pad(el, 4)
        if el[2] and el[1] != "D8":
            self.advise(pos, "DMG", 1, "date format qualifier is not D8", el[1])
        self._note("birth_date", self.date(el[2], pos, "DMG", 2), "DMG", pos, 2)
        self._note("sex", el[3] or None, "DMG", pos, 3)

    def _trn(self, pos: int, el: list[str]) -> None:
        self.flush()
        self.broken = False
        self.start = pos
        self.row = {k: v for k, v in self.context.items()}
        self.origins = dict(self.context_origins)
        self._note("trace_number", pad(el, 3)[2] or None, "TRN", pos, 2)

    def _ref(self, pos: int, el: list[str]) -> None:
        if self.row is None or len(el) < 3:
            return
        name = {"EJ": "claim_id", "1K": "payer_claim_control_number"}.get(el[1])
        if name is not None:
            self._note(name, el[2] or None, "REF", pos, 2)

    def _amt(self, pos: int, el: list[str]) -> None:
        if self.row is not None and len(el) > 2 and el[1] == "T3":
            self._note("total_charge", self.amount(el[2], pos, "AMT", 2), "AMT", pos, 2)

    def _dtp(self, pos: int, el: list[str]) -> None:
        el = pad(el, 4)
        if self.row is not None and el[1] == "472":
            start, end = self.period(el[2], el[3], pos, "DTP", 3)
            self._note("service_from", start, "DTP", pos, 3)
            self._note("service_to", end, "DTP", pos, 3)

    def flush(self) -> None:
        row, self.row = self.row, None
        if row is None:
            return
        if self.broken:
            self.broken = False
            return
        built = self.build(ClaimStatusInquiry, row, self.origins, ("TRN", self.start, None))
        if built is not None:
            self.out.append(built)

