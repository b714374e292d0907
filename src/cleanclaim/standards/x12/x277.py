"""277CA claim acknowledgment (005010X214) and 277 claim status response (005010X212).

Both answer about claims with STC status segments, so one reader turns either into
:class:`~cleanclaim.standards.x12.records.ClaimStatusReport` records, one per claim status
tracking loop (the TRN that starts 2200D in a 277CA, 2200D/2200E in a 277), and one writer
writes them.

Mapping choices worth knowing:

- In a 277CA the claim loop's TRN02 is the patient control number (CLM01): it becomes
  ``claim_id``. In a 277 it is the trace number of the 276 being answered (``trace_number``)
  and the patient control number is REF*EJ.
- ``payer_*`` come from NM1*PR (2100A), ``provider_*`` from NM1*85 (277CA 2100C) or NM1*1P
  (277 2100C), ``member_id`` and the patient's name from NM1*QC (277CA 2100D, 277 2100E) or
  NM1*IL (277 2100D): the innermost one read wins.
- Segments of the service line loops (SVC and what follows it) are skipped: the records are
  claim level. So are the summary TRN/STC/QTY/AMT of the receiver and provider levels.
- Every STC of the claim loop is kept, with up to three status composites (STC01, STC10,
  STC11), its dates and amounts.
"""

from __future__ import annotations

import io
from collections.abc import Iterable
from typing import Any, Final, TextIO

from .handling import Origins, RecordHandler, pad
from .records import ClaimStatusReport, StatusEntry
from .writer import WriteOptions, _d8, _Envelope, _num, _Out

__all__ = [
    "ACKNOWLEDGMENT_VERSION",
    "STATUS_VERSION",
    "ClaimStatus277Handler",
    "format_277",
    "write_277",
]

ACKNOWLEDGMENT_VERSION: Final = "005010X214"
STATUS_VERSION: Final = "005010X212"
_CLAIM_LEVELS: Final = ("PT", "22", "23")
_PROVIDER_ENTITIES: Final = ("85", "1P")
_PATIENT_ENTITIES: Final = ("QC", "IL")
_STC_DATES: Final = {2: "date", 6: "adjudication_date", 8: "check_date"}
_STC_AMOUNTS: Final = {4: "charge", 5: "paid"}


class ClaimStatus277Handler(RecordHandler):
    """Turns the claim loops of a 277CA or 277 transaction set into ClaimStatusReport."""

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
        }
        self.reset()

    def reset(self) -> None:
        self.level = ""
        self.context: dict[str, Any] = {}
        self.claim: dict[str, Any] | None = None
        self.origins: Origins = {}
        self.start = 0
        self.in_line = False

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

    def _nm1(self, pos: int, el: list[str]) -> None:
        if self.claim is not None:
            return
        el = pad(el, 10)
        entity = el[1]
        if entity == "PR":
            self._party(pos, {"payer_id": (el[9], 9), "payer_name": (el[3], 3)})
        elif entity in _PROVIDER_ENTITIES:
            self._party(pos, {"provider_npi": (el[9], 9), "provider_name": (el[3], 3)})
        elif entity in _PATIENT_ENTITIES:
            values = {"patient_last_name": (el[3], 3), "patient_first_name": (el[4], 4)}
            if el[9] or entity == "IL":
                values["member_id"] = (el[9], 9)
            self._party(pos, values)

    def _party(self, pos: int, values: dict[str, tuple[str, int]]) -> None:
        for name, (value, element) in values.items():
            self.context[name] = value or None
            self.context["@" + name] = ("NM1", pos, element)

    # -- the claim loop -----------------------------------------------------------------------

    def _trn(self, pos: int, el: list[str]) -> None:
        if self.level not in _CLAIM_LEVELS:
            return  # batch and provider traces of the summary levels
        self.flush()
        self.broken = False
        el = pad(el, 3)
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
        claim = self.claim
        if claim is None or self.in_line:
            return
        el = pad(el, 12)
        statuses = claim["statuses"]
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
        statuses.append(entry)

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
        if claim is None:
            return
        if self.broken:
            self.broken = False
            return
        built = self.build(ClaimStatusReport, claim, self.origins, ("TRN", self.start, None))
        if built is not None:
            self.out.append(built)


# -- writing ------------------------------------------------------------------------------------


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


class _Writer277:
    def __init__(self, out: _Out, env: _Envelope, options: WriteOptions) -> None:
        self.out = out
        self.env = env
        self.options = options
        self.guide = ""
        self.control = ""
        self.hl = 0
        self.payer: tuple[str | None, str | None] | None = None
        self.provider: tuple[str | None, str | None] | None = None
        self.payer_hl = self.receiver_hl = self.provider_hl = 0

    def add(self, report: ClaimStatusReport) -> None:
        guide = STATUS_VERSION if report.guide.startswith(STATUS_VERSION) else (
            ACKNOWLEDGMENT_VERSION
        )
        if guide != self.guide:
            self.finish()
            self._start(guide)
        payer = (report.payer_id, report.payer_name)
        if payer != self.payer:
            self._payer(report)
            self.payer, self.provider = payer, None
        provider = (report.provider_npi, report.provider_name)
        if provider != self.provider:
            self._provider(report)
            self.provider = provider
        self._claim(report)

    def _start(self, guide: str) -> None:
        o = self.options
        self.guide = guide
        self.hl = 0
        self.payer = self.provider = None
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
        if self.guide:
            self.env.end_set(self.control)
            self.guide = ""

    def _next(self, parent: int, level: str) -> int:
        self.hl += 1
        self.out.seg("HL", str(self.hl), str(parent) if parent else None, level, "1")
        return self.hl

    def _payer(self, report: ClaimStatusReport) -> None:
        o, out = self.options, self.out
        self.payer_hl = self._next(0, "20")
        out.value("NM1", "PR", "2", report.payer_name, None, None, None, None, "PI",
                  report.payer_id)
        if self.guide == ACKNOWLEDGMENT_VERSION:
            out.value("TRN", "1", f"{self.env.set_control:04d}")
            out.seg("DTP", "050", "D8", o.created.strftime("%Y%m%d"))
            out.seg("DTP", "009", "D8", o.created.strftime("%Y%m%d"))
        self.receiver_hl = self._next(self.payer_hl, "21")
        out.value("NM1", "41", "2", o.receiver_name, None, None, None, None, "46", o.receiver_id)
        if self.guide == ACKNOWLEDGMENT_VERSION:
            out.value("TRN", "2", f"{self.env.set_control:04d}")

    def _provider(self, report: ClaimStatusReport) -> None:
        entity = "85" if self.guide == ACKNOWLEDGMENT_VERSION else "1P"
        self.provider_hl = self._next(self.receiver_hl, "19")
        self.out.value("NM1", entity, "2", report.provider_name, None, None, None, None, "XX",
                       report.provider_npi)

    def _claim(self, report: ClaimStatusReport) -> None:
        out = self.out
        acknowledgment = self.guide == ACKNOWLEDGMENT_VERSION
        self.hl += 1
        # The 277CA's patient level (2000D) has no HL04 (its usage is Not Used); the 277's
        # subscriber level (2000D) requires it.
        level = ("PT",) if acknowledgment else ("22", "0")
        out.seg("HL", str(self.hl), str(self.provider_hl), *level)
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
    reports: Iterable[ClaimStatusReport], stream: TextIO, options: WriteOptions | None = None
) -> int:
    """Write ``reports`` as one interchange of 277CA and/or 277 sets; returns the segments.

    Each report's ``guide`` picks its kind; consecutive reports of one kind share a set, of
    one payer an information source loop, of one provider a provider loop.
    """
    options = options or WriteOptions()
    out = _Out(stream, options)
    env = _Envelope(out, options)
    env.open()
    writer = _Writer277(out, env, options)
    for report in reports:
        writer.add(report)
    writer.finish()
    env.close()
    return out.count


def format_277(reports: Iterable[ClaimStatusReport], options: WriteOptions | None = None) -> str:
    """``reports`` as the text of one 277CA/277 interchange."""
    buffer = io.StringIO()
    write_277(reports, buffer, options)
    return buffer.getvalue()
