"""277CA claim acknowledgment (005010X214) and 277 claim status response (005010X212).

Both answer about claims with STC status segments, so one reader turns either into
:class:`~cleanclaim.standards.x12.records.ClaimStatusReport` records, one per claim status
tracking loop (the TRN that starts 2200D in a 277CA, 2200D/2200E in a 277), and one writer
writes them. The 277CA also judges the batch as a whole (2200B, under the information
receiver) and each billing provider's share of it (2200C): those verdicts, with their counts
and amounts of accepted and rejected claims, are
:class:`~cleanclaim.standards.x12.records.StatusSummary` records, read in file order before
the claims they sum up.

The 277CA hierarchy written: 2000A information source (HL 20: payer, TRN*1, receipt and
process dates) > 2000B information receiver (HL 21: NM1*41, 2200B TRN*2, STC, QTY*90/AA,
AMT*YU/YY) > 2000C billing provider (HL 19: NM1*85, 2200C TRN*1, STC, QTY*QA/QC, AMT*YU/YY)
> 2000D patient (HL PT: NM1*QC, 2200D TRN*2, STC, REF*1K, DTP*472). Summaries given to the
writer are written as they are; where none is given the writer makes it from the claims below
(STC A1:19 "received", STC04 their total charge, WQ unless every claim is rejected, counts and
amounts split by :attr:`ClaimStatusReport.rejected`, written only when above zero), which is
what reading the output back returns.

Mapping choices worth knowing:

- In a 277CA the claim loop's TRN02 is the patient control number (CLM01): it becomes
  ``claim_id``. In a 277 it is the trace number of the 276 being answered (``trace_number``)
  and the patient control number is REF*EJ.
- ``payer_*`` come from NM1*PR (2100A), ``provider_*`` from NM1*85 (277CA 2100C) or NM1*1P
  (277 2100C), ``member_id`` and the patient's name from NM1*QC (277CA 2100D, 277 2100E) or
  NM1*IL (277 2100D): the innermost one read wins.
- Segments of the service line loops (SVC and what follows it) are skipped: the records are
  claim level.
- Every STC of the claim loop is kept, with up to three status composites (STC01, STC10,
  STC11), its dates and amounts. A 2200B/2200C loop without an STC (which the guide requires)
  gives no summary record.
"""

from __future__ import annotations

import io
from collections.abc import Iterable
from decimal import Decimal
from typing import Any, Final, TextIO

from .handling import Origins, RecordHandler, pad
from .records import ClaimStatusReport, StatusCode, StatusEntry, StatusSummary, SummaryLevel
from .writer import MAX_CLAIMS_PER_SET, WriteOptions, _d8, _Envelope, _num, _Out

__all__ = [
    "ACKNOWLEDGMENT_VERSION",
    "STATUS_VERSION",
    "ClaimStatus277Handler",
    "StatusRecord",
    "format_277",
    "summarize",
    "write_277",
]

ACKNOWLEDGMENT_VERSION: Final = "005010X214"
STATUS_VERSION: Final = "005010X212"
_CLAIM_LEVELS: Final = ("PT", "22", "23")
_SUMMARY_LEVELS: Final = {"21": SummaryLevel.RECEIVER, "19": SummaryLevel.PROVIDER}
_PROVIDER_ENTITIES: Final = ("85", "1P")
_PATIENT_ENTITIES: Final = ("QC", "IL")
_STC_DATES: Final = {2: "date", 6: "adjudication_date", 8: "check_date"}
_STC_AMOUNTS: Final = {4: "charge", 5: "paid"}
# QTY01 of the accepted and rejected counts, by level; AMT01 of the amounts (both levels).
_QUANTITIES: Final = {
    SummaryLevel.RECEIVER: ("90", "AA"),
    SummaryLevel.PROVIDER: ("QA", "QC"),
}
_AMOUNTS: Final = {"YU": "accepted_amount", "YY": "rejected_amount"}
_RECEIVED: Final = StatusCode(category="A1", code="19", entity="PR")

StatusRecord = ClaimStatusReport | StatusSummary
"""What the 277 reader yields and its writer takes."""


class ClaimStatus277Handler(RecordHandler):
    """Turns a 277CA or 277 transaction set into ClaimStatusReport (and StatusSummary)."""

    def __init__(self, guide: str) -> None:
        super().__init__()
        self.guide = guide
        self.acknowledgment = guide.startswith(ACKNOWLEDGMENT_VERSION)
        self.table = {
            "HL": self._hl,
            "NM1": self._nm1,
            "TRN": self._trn,
            "STC": self._stc,
            "REF": self._ref,
            "DTP": self._dtp,
            "SVC": self._svc,
            "QTY": self._qty,
            "AMT": self._amt,
        }
        self.reset()

    def reset(self) -> None:
        self.level = ""
        self.context: dict[str, Any] = {}
        self.claim: dict[str, Any] | None = None
        self.summary: dict[str, Any] | None = None
        self.origins: Origins = {}
        self.start = 0
        self.in_line = False

    def _record(self) -> dict[str, Any] | None:
        """The claim or summary being read, if any."""
        return self.claim if self.claim is not None else self.summary

    # -- hierarchy and parties ----------------------------------------------------------------

    def _hl(self, pos: int, el: list[str]) -> None:
        self.flush()
        self.level = pad(el, 4)[3]
        if self.level == "20":
            self.context = {}
        elif self.level == "19":
            for name in ("provider_npi", "provider_name"):
                self.context.pop(name, None)
        if self.level in _CLAIM_LEVELS and self.level != "23":
            for name in ("member_id", "patient_last_name", "patient_first_name"):
                self.context.pop(name, None)
        level = _SUMMARY_LEVELS.get(self.level)
        if level is not None and self.acknowledgment:
            self.start = pos
            self.summary = {
                "guide": self.guide,
                "level": level,
                "payer_id": self.context.get("payer_id"),
                "payer_name": self.context.get("payer_name"),
                "statuses": [],
            }
            self.origins = {("level",): ("HL", pos, 3)}
            for name in ("payer_id", "payer_name"):
                if "@" + name in self.context:
                    self.origins[(name,)] = self.context["@" + name]

    def _nm1(self, pos: int, el: list[str]) -> None:
        if self.claim is not None:
            return
        el = pad(el, 10)
        entity = el[1]
        if entity == "PR":
            self._party(pos, {"payer_id": (el[9], 9), "payer_name": (el[3], 3)})
        elif entity in _PROVIDER_ENTITIES:
            self._party(pos, {"provider_npi": (el[9], 9), "provider_name": (el[3], 3)})
            self._entity(pos, el)
        elif entity in _PATIENT_ENTITIES:
            values = {"patient_last_name": (el[3], 3), "patient_first_name": (el[4], 4)}
            if el[9] or entity == "IL":
                values["member_id"] = (el[9], 9)
            self._party(pos, values)
        elif entity == "41":
            self._entity(pos, el)

    def _party(self, pos: int, values: dict[str, tuple[str, int]]) -> None:
        for name, (value, element) in values.items():
            self.context[name] = value or None
            self.context["@" + name] = ("NM1", pos, element)

    def _entity(self, pos: int, el: list[str]) -> None:
        summary = self.summary
        if summary is not None:
            summary["entity_id"] = el[9] or None
            summary["entity_name"] = el[3] or None
            self.origins[("entity_id",)] = ("NM1", pos, 9)
            self.origins[("entity_name",)] = ("NM1", pos, 3)

    # -- the claim and summary loops ----------------------------------------------------------

    def _trn(self, pos: int, el: list[str]) -> None:
        el = pad(el, 3)
        if self.level not in _CLAIM_LEVELS:
            if self.summary is not None:
                self.summary["trace_number"] = el[2] or None
                self.origins[("trace_number",)] = ("TRN", pos, 2)
            return
        self.flush()
        self.broken = False
        self.start = pos
        self.in_line = False
        claim = {k: v for k, v in self.context.items() if not k.startswith("@")}
        self.origins = {(k[1:],): v for k, v in self.context.items() if k.startswith("@")}
        claim["guide"] = self.guide
        claim["statuses"] = []
        key = "claim_id" if self.acknowledgment else "trace_number"
        claim[key] = el[2] or None
        self.origins[(key,)] = ("TRN", pos, 2)
        self.origins[("statuses",)] = ("TRN", pos, None)
        self.claim = claim

    def _stc(self, pos: int, el: list[str]) -> None:
        record = self._record()
        if record is None or self.in_line:
            return
        el = pad(el, 12)
        statuses = record["statuses"]
        path = ("statuses", len(statuses))
        codes = []
        for index in (1, 10, 11):
            if not el[index]:
                continue
            parts = [*self.components(el[index]), "", "", ""]
            codes.append({"category": parts[0], "code": parts[1], "entity": parts[2] or None})
            self.origins[(*path, "codes", len(codes) - 1)] = ("STC", pos, index)
        entry: dict[str, Any] = {
            "codes": codes,
            "action_code": el[3] or None,
            "check_number": el[9] or None,
        }
        for index, name in _STC_DATES.items():
            entry[name] = self.date(el[index], pos, "STC", index)
        for index, name in _STC_AMOUNTS.items():
            entry[name] = self.amount(el[index], pos, "STC", index)
            self.origins[(*path, name)] = ("STC", pos, index)
        self.origins[path] = ("STC", pos, None)
        self.origins[(*path, "codes")] = ("STC", pos, 1)
        self.origins.setdefault(("statuses",), ("STC", pos, None))
        statuses.append(entry)

    def _qty(self, pos: int, el: list[str]) -> None:
        summary = self.summary
        if summary is None:
            return
        el = pad(el, 3)
        accepted, rejected = _QUANTITIES[summary["level"]]
        name = {accepted: "accepted_quantity", rejected: "rejected_quantity"}.get(el[1])
        if name is not None:
            summary[name] = self.integer(el[2], pos, "QTY", 2)
            self.origins[(name,)] = ("QTY", pos, 2)

    def _amt(self, pos: int, el: list[str]) -> None:
        summary = self.summary
        if summary is None:
            return
        el = pad(el, 3)
        name = _AMOUNTS.get(el[1])
        if name is not None:
            summary[name] = self.amount(el[2], pos, "AMT", 2)
            self.origins[(name,)] = ("AMT", pos, 2)

    def _ref(self, pos: int, el: list[str]) -> None:
        claim = self.claim
        if claim is None or self.in_line or len(el) < 3:
            return
        if el[1] == "1K":
            claim["payer_claim_control_number"] = el[2] or None
            self.origins[("payer_claim_control_number",)] = ("REF", pos, 2)
        elif el[1] == "EJ" and not self.acknowledgment:
            claim["claim_id"] = el[2] or None
            self.origins[("claim_id",)] = ("REF", pos, 2)

    def _dtp(self, pos: int, el: list[str]) -> None:
        claim = self.claim
        if claim is None or self.in_line:
            return
        el = pad(el, 4)
        if el[1] == "472":
            start, end = self.period(el[2], el[3], pos, "DTP", 3)
            claim["service_from"] = start
            claim["service_to"] = end
            self.origins[("service_from",)] = self.origins[("service_to",)] = ("DTP", pos, 3)

    def _svc(self, pos: int, el: list[str]) -> None:
        self.in_line = True

    def flush(self) -> None:
        claim, self.claim = self.claim, None
        summary, self.summary = self.summary, None
        broken, self.broken = self.broken, False
        if broken:
            return
        if claim is not None:
            built = self.build(ClaimStatusReport, claim, self.origins, ("TRN", self.start, None))
            if built is not None:
                self.out.append(built)
        elif summary is not None and summary["statuses"]:
            done = self.build(StatusSummary, summary, self.origins, ("HL", self.start, None))
            if done is not None:
                self.out.append(done)


# -- writing ------------------------------------------------------------------------------------


def summarize(
    claims: Iterable[ClaimStatusReport],
    level: SummaryLevel,
    options: WriteOptions | None = None,
    *,
    trace_number: str | None = None,
) -> StatusSummary:
    """The summary :func:`write_277` writes above ``claims`` when it is given none.

    One STC A1:19 (received): dated ``options.created`` at the receiver level (the guide does
    not use the date at the provider level), action WQ (U when every claim is rejected), STC04
    the claims' total charge. Counts and charges of the accepted and rejected claims (None
    where there are none). The receiver level names the submitter of ``options``
    (``receiver_*``, the party the 277CA goes back to), the provider level the claims' billing
    provider; ``trace_number`` defaults to ``0`` at the provider level.
    """
    options = options or WriteOptions()
    claims = list(claims)
    accepted = [c for c in claims if not c.rejected]
    rejected = [c for c in claims if c.rejected]

    def total(reports: list[ClaimStatusReport]) -> Decimal:
        return sum((c.statuses[0].charge or Decimal(0) for c in reports), Decimal(0))

    first = claims[0] if claims else None
    receiver = level is SummaryLevel.RECEIVER
    entity_id: str | None = options.receiver_id
    entity_name: str | None = options.receiver_name
    if not receiver:
        entity_id = first.provider_npi if first else None
        entity_name = first.provider_name if first else None
    return StatusSummary(
        guide=ACKNOWLEDGMENT_VERSION,
        level=level,
        trace_number=trace_number if trace_number or receiver else "0",
        payer_id=first.payer_id if first else None,
        payer_name=first.payer_name if first else None,
        entity_id=entity_id or None,
        entity_name=entity_name or None,
        statuses=[
            StatusEntry(
                codes=[_RECEIVED],
                date=options.created.date() if receiver else None,
                action_code="WQ" if accepted or not claims else "U",
                charge=total(claims),
            )
        ],
        accepted_quantity=len(accepted) or None,
        rejected_quantity=len(rejected) or None,
        accepted_amount=total(accepted) if accepted else None,
        rejected_amount=total(rejected) if rejected else None,
    )


def _stc(out: _Out, entry: StatusEntry) -> None:
    composites = [out.composite(c.category, c.code, c.entity) for c in entry.codes]
    composites += [""] * (3 - len(composites))

    def day(value: Any) -> str | None:
        return _d8(value) if value is not None else None

    def money(value: Any) -> str | None:
        return _num(value) if value is not None else None

    out.seg(
        "STC",
        composites[0],
        day(entry.date),
        out.check(entry.action_code or ""),
        money(entry.charge),
        money(entry.paid),
        day(entry.adjudication_date),
        None,
        day(entry.check_date),
        out.check(entry.check_number or ""),
        composites[1],
        composites[2],
    )


def _guide(record: StatusRecord) -> str:
    if record.guide.startswith(STATUS_VERSION):
        if isinstance(record, StatusSummary):
            raise ValueError("a 277 claim status response (005010X212) has no summary loops")
        return STATUS_VERSION
    return ACKNOWLEDGMENT_VERSION


def _provider_runs(
    records: list[StatusRecord],
) -> list[tuple[StatusSummary | None, list[ClaimStatusReport]]]:
    """The records below one receiver cut into billing provider loops."""
    runs: list[tuple[StatusSummary | None, list[ClaimStatusReport]]] = []
    provider: tuple[str | None, str | None] | None = None
    for record in records:
        if isinstance(record, StatusSummary):
            if record.level is SummaryLevel.RECEIVER:
                raise ValueError("a receiver summary after the claims of its source loop")
            runs.append((record, []))
            provider = (record.entity_id, record.entity_name)
            continue
        this = (record.provider_npi, record.provider_name)
        if not runs or this != provider:
            runs.append((None, []))
            provider = this
        runs[-1][1].append(record)
    return runs


class _Writer277:
    def __init__(self, out: _Out, env: _Envelope, options: WriteOptions) -> None:
        self.out = out
        self.env = env
        self.options = options
        self.guide = ""
        self.control = ""
        self.hl = 0
        self.payer: tuple[str | None, str | None] | None = None
        self.run: list[StatusRecord] = []
        self.claims_in_run = 0

    def add(self, record: StatusRecord) -> None:
        guide = _guide(record)
        payer = (record.payer_id, record.payer_name)
        receiver = isinstance(record, StatusSummary) and record.level is SummaryLevel.RECEIVER
        if (
            guide != self.guide
            or payer != self.payer
            or receiver
            or self.claims_in_run >= MAX_CLAIMS_PER_SET
        ):
            self._flush_run()
            self.payer = payer
        if guide != self.guide:
            self.finish()
            self._start(guide)
        self.run.append(record)
        if isinstance(record, ClaimStatusReport):
            self.claims_in_run += 1

    def _start(self, guide: str) -> None:
        o = self.options
        self.guide = guide
        self.hl = 0
        self.env.group("HN", guide)
        self.control = self.env.start_set("277", guide)
        acknowledgment = guide == ACKNOWLEDGMENT_VERSION
        self.out.value(
            "BHT",
            "0085" if acknowledgment else "0010",
            "08",
            f"{self.env.set_control:04d}",
            o.created.strftime("%Y%m%d"),
            o.created.strftime("%H%M"),
            "TH" if acknowledgment else "DG",
        )

    def finish(self) -> None:
        self._flush_run()
        if self.guide:
            self.env.end_set(self.control)
            self.guide = ""

    def _next(self, parent: int, level: str) -> int:
        self.hl += 1
        self.out.seg("HL", str(self.hl), str(parent) if parent else None, level, "1")
        return self.hl

    def _flush_run(self) -> None:
        run, self.run, self.claims_in_run = self.run, [], 0
        if not run:
            return
        acknowledgment = self.guide == ACKNOWLEDGMENT_VERSION
        given = run[0] if isinstance(run[0], StatusSummary) else None
        below = run[1:] if given is not None else run
        receiver_hl = self._source(run[0], acknowledgment)
        if acknowledgment:
            claims = [r for r in below if isinstance(r, ClaimStatusReport)]
            trace = f"{self.env.set_control:04d}"
            summary = given or summarize(
                claims, SummaryLevel.RECEIVER, self.options, trace_number=trace
            )
            self.out.value("NM1", "41", "2", summary.entity_name, None, None, None, None, "46",
                           summary.entity_id)
            self._summary(summary, "2")
        else:
            o = self.options
            self.out.value("NM1", "41", "2", o.receiver_name, None, None, None, None, "46",
                           o.receiver_id)
        for provider, claims in _provider_runs(below):
            self._provider(receiver_hl, provider, claims, acknowledgment)

    def _source(self, first: StatusRecord, acknowledgment: bool) -> int:
        """HL 20 with the payer, then HL 21 (its NM1 follows); returns the receiver's HL."""
        o, out = self.options, self.out
        payer_hl = self._next(0, "20")
        out.value("NM1", "PR", "2", first.payer_name, None, None, None, None, "PI",
                  first.payer_id)
        if acknowledgment:
            out.value("TRN", "1", f"{self.env.set_control:04d}")
            out.seg("DTP", "050", "D8", o.created.strftime("%Y%m%d"))
            out.seg("DTP", "009", "D8", o.created.strftime("%Y%m%d"))
        return self._next(payer_hl, "21")

    def _summary(self, summary: StatusSummary, trace_type: str) -> None:
        out = self.out
        out.value("TRN", trace_type, summary.trace_number)
        for entry in summary.statuses:
            _stc(out, entry)
        accepted, rejected = _QUANTITIES[summary.level]
        for code, count in ((accepted, summary.accepted_quantity),
                            (rejected, summary.rejected_quantity)):
            if count is not None:
                out.seg("QTY", code, str(count))
        for code, amount in (("YU", summary.accepted_amount), ("YY", summary.rejected_amount)):
            if amount is not None:
                out.seg("AMT", code, _num(amount))

    def _provider(
        self,
        receiver_hl: int,
        given: StatusSummary | None,
        claims: list[ClaimStatusReport],
        acknowledgment: bool,
    ) -> None:
        provider_hl = self._next(receiver_hl, "19")
        summary = None
        if acknowledgment:
            summary = given or summarize(claims, SummaryLevel.PROVIDER, self.options)
            npi, name = summary.entity_id, summary.entity_name
        else:
            npi, name = claims[0].provider_npi, claims[0].provider_name
        entity = "85" if acknowledgment else "1P"
        self.out.value("NM1", entity, "2", name, None, None, None, None, "XX", npi)
        if summary is not None:
            self._summary(summary, "1")
        for claim in claims:
            self._claim(provider_hl, claim, acknowledgment)

    def _claim(self, provider_hl: int, report: ClaimStatusReport, acknowledgment: bool) -> None:
        out = self.out
        self.hl += 1
        # The 277CA's patient level (2000D) has no HL04 (its usage is Not Used); the 277's
        # subscriber level (2000D) requires it.
        level = ("PT",) if acknowledgment else ("22", "0")
        out.seg("HL", str(self.hl), str(provider_hl), *level)
        out.value(
            "NM1",
            "QC" if acknowledgment else "IL",
            "1",
            report.patient_last_name,
            report.patient_first_name,
            None,
            None,
            None,
            "MI" if report.member_id else None,
            report.member_id,
        )
        trace = report.claim_id if acknowledgment else report.trace_number
        out.value("TRN", "2", trace)
        for entry in report.statuses:
            _stc(out, entry)
        if report.payer_claim_control_number:
            out.value("REF", "1K", report.payer_claim_control_number)
        if report.claim_id and not acknowledgment:
            out.value("REF", "EJ", report.claim_id)
        if report.service_from is not None:
            if report.service_to is not None:
                out.seg("DTP", "472", "RD8",
                        f"{_d8(report.service_from)}-{_d8(report.service_to)}")
            else:
                out.seg("DTP", "472", "D8", _d8(report.service_from))


def write_277(
    records: Iterable[StatusRecord], stream: TextIO, options: WriteOptions | None = None
) -> int:
    """Write ``records`` as one interchange of 277CA and/or 277 sets; returns the segments.

    Each record's ``guide`` picks its kind; consecutive records of one kind share a set, of
    one payer an information source loop (at most 5000 claims each), of one provider a
    provider loop. A 277CA receiver summary starts a source loop and a provider summary a
    provider loop, written as given; the loops without one get :func:`summarize`'s.
    """
    options = options or WriteOptions()
    out = _Out(stream, options)
    env = _Envelope(out, options)
    env.open()
    writer = _Writer277(out, env, options)
    for record in records:
        writer.add(record)
    writer.finish()
    env.close()
    return out.count


def format_277(records: Iterable[StatusRecord], options: WriteOptions | None = None) -> str:
    """``records`` as the text of one 277CA/277 interchange."""
    buffer = io.StringIO()
    write_277(records, buffer, options)
    return buffer.getvalue()
