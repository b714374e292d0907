"""270/271 eligibility inquiry and response (005010X279A1): read and write both.

A 270 asks, per subscriber (2000C) or dependent (2000D), whether the member is covered; the
271 answers with EB benefit segments (EB01 1 active coverage, 6 inactive, ...) and their
dates, or with AAA rejections. :func:`inquiry_for` makes the question from canonical
``Member``/``Coverage`` records; :func:`write_270`/:func:`write_271` write
:class:`EligibilityInquiry`/:class:`EligibilityResponse` records and the two handlers read them.

Mapping choices worth knowing:

- One record per subscriber or dependent level (HL 22/23); a dependent's record keeps the
  subscriber's member id and takes its own name and demographics (NM1*03).
- ``trace_number`` is TRN02 of the level (TRN*1 in a 270, echoed as TRN*2 in a 271).
- 271 plan dates: DTP*346/347 (plan begin/end) or DTP*291 (plan, D8 or RD8) of the
  subscriber level; a benefit's dates: DTP*291/346/348 begin, 347/349 end, in its 2110 loop.
- EB03 service types are the repetitions of the element (ISA11); EB08 percent is a fraction.
- AAA03 reject reasons go to ``rejections`` of the record they sit in; a payer or provider
  level AAA goes to every record under that payer or provider.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterable
from typing import Any, Final, TextIO

from ...domain import Coverage, Member
from .handling import Origins, RecordHandler, pad
from .records import EligibilityInquiry, EligibilityResponse
from .writer import WriteOptions, _d8, _Envelope, _num, _Out

__all__ = [
    "ELIGIBILITY_VERSION",
    "Eligibility270Handler",
    "Eligibility271Handler",
    "format_270",
    "format_271",
    "inquiry_for",
    "write_270",
    "write_271",
]

ELIGIBILITY_VERSION: Final = "005010X279A1"
_PERSON_LEVELS: Final = ("22", "23")
_BEGIN: Final = ("291", "346", "348", "356")
_END: Final = ("347", "349", "357")


def inquiry_for(
    member: Member,
    coverage: Coverage,
    provider_npi: str,
    service_date: dt.date | None = None,
    *,
    trace_number: str | None = None,
    provider_name: str | None = None,
    payer_name: str | None = None,
    service_types: list[str] | None = None,
) -> EligibilityInquiry:
    """The 270 question for ``member`` under ``coverage``, asked by ``provider_npi``."""
    return EligibilityInquiry(
        trace_number=trace_number or f"{coverage.coverage_id}-{member.member_id}"[:50],
        payer_id=coverage.payer_id,
        payer_name=payer_name,
        provider_npi=provider_npi,
        provider_name=provider_name,
        member_id=coverage.subscriber_id,
        first_name=member.first_name,
        last_name=member.last_name,
        birth_date=member.birth_date,
        sex=member.sex,
        service_date=service_date,
        service_types=service_types or ["30"],
    )


class _Eligibility(RecordHandler):
    """What the 270 and 271 readers share: the hierarchy, the parties, the person."""

    model: type[EligibilityInquiry] | type[EligibilityResponse]

    def __init__(self) -> None:
        super().__init__()
        self.table = {"HL": self._hl, "NM1": self._nm1, "TRN": self._trn, "DMG": self._dmg}
        self.reset()

    def reset(self) -> None:
        self.context: dict[str, Any] = {}
        self.context_origins: Origins = {}
        self.row: dict[str, Any] | None = None
        self.origins: Origins = {}
        self.start = 0

    def _hl(self, pos: int, el: list[str]) -> None:
        self.flush()
        self.broken = False
        level = pad(el, 4)[3]
        if level == "20":
            # A new information source: nothing of the previous payer's levels holds.
            self.context.clear()
            self.context_origins.clear()
        elif level == "21":
            for name in ("provider_npi", "provider_name", "member_id"):
                self.context.pop(name, None)
        self.enter(level)
        if level not in _PERSON_LEVELS:
            return
        self.start = pos
        self.row = {k: v for k, v in self.context.items() if not k.startswith("_")}
        self.origins = dict(self.context_origins)
        self.begin_person(level)

    def enter(self, level: str) -> None:
        """An HL of ``level`` starts (the context of the levels above is up to date)."""

    def begin_person(self, level: str) -> None:
        """A subscriber (22) or dependent (23) level starts: ``self.row`` is ready."""

    def note(self, name: str, value: Any, seg: str, pos: int, element: int | None) -> None:
        target = self.row if self.row is not None else self.context
        origins = self.origins if self.row is not None else self.context_origins
        target[name] = value
        origins[(name,)] = (seg, pos, element)

    def _nm1(self, pos: int, el: list[str]) -> None:
        el = pad(el, 10)
        entity = el[1]
        if entity == "PR" and self.row is None:
            self.note("payer_id", el[9] or None, "NM1", pos, 9)
            self.note("payer_name", el[3] or None, "NM1", pos, 3)
        elif entity == "1P" and self.row is None:
            self.note("provider_npi", el[9] or None, "NM1", pos, 9)
            if self.model is EligibilityInquiry:
                self.note("provider_name", el[3] or None, "NM1", pos, 3)
        elif entity in ("IL", "03") and self.row is not None:
            self.note("last_name", el[3] or None, "NM1", pos, 3)
            self.note("first_name", el[4] or None, "NM1", pos, 4)
            if entity == "IL":
                self.note("member_id", el[9] or None, "NM1", pos, 9)
                # A dependent level inherits the subscriber's id.
                self.context["member_id"] = el[9] or None
                self.context_origins[("member_id",)] = ("NM1", pos, 9)

    def _trn(self, pos: int, el: list[str]) -> None:
        if self.row is not None:
            self.note("trace_number", pad(el, 3)[2] or None, "TRN", pos, 2)

    def _dmg(self, pos: int, el: list[str]) -> None:
        if self.row is None:
            return
        el = pad(el, 4)
        if el[2] and el[1] != "D8":
            self.advise(pos, "DMG", 1, "date format qualifier is not D8", el[1])
        self.note("birth_date", self.date(el[2], pos, "DMG", 2), "DMG", pos, 2)
        self.note("sex", el[3] or None, "DMG", pos, 3)

    def flush(self) -> None:
        row, self.row = self.row, None
        if row is None:
            return
        if self.broken:
            self.broken = False
            return
        built = self.build(self.model, row, self.origins, ("HL", self.start, None))
        if built is not None:
            self.out.append(built)


class Eligibility270Handler(_Eligibility):
    """Turns each subscriber or dependent level of a 270 into an EligibilityInquiry."""

    model = EligibilityInquiry

    def __init__(self) -> None:
        super().__init__()
        self.table.update({"DTP": self._dtp, "EQ": self._eq})

    def _dtp(self, pos: int, el: list[str]) -> None:
        el = pad(el, 4)
        if self.row is not None and el[1] == "291":
            start, _ = self.period(el[2], el[3], pos, "DTP", 3)
            self.note("service_date", start, "DTP", pos, 3)

    def _eq(self, pos: int, el: list[str]) -> None:
        if self.row is None:
            return
        types = self.row.setdefault("service_types", [])
        types.extend(self.repetitions(pad(el, 2)[1]))
        self.origins[("service_types",)] = ("EQ", pos, 1)


class Eligibility271Handler(_Eligibility):
    """Turns each subscriber or dependent level of a 271 into an EligibilityResponse."""

    model = EligibilityResponse

    def __init__(self) -> None:
        super().__init__()
        self.table.update(
            {"REF": self._ref, "DTP": self._dtp, "AAA": self._aaa, "EB": self._eb, "MSG": self._msg}
        )

    def reset(self) -> None:
        super().reset()
        self.benefit: dict[str, Any] | None = None

    def enter(self, level: str) -> None:
        # AAA of the payer level holds for all its providers, of a provider for its people.
        if level == "20":
            self.context["_payer_rejections"] = []
        if level in ("20", "21"):
            self.context["_rejections"] = list(self.context.get("_payer_rejections", []))

    def begin_person(self, level: str) -> None:
        assert self.row is not None
        self.row["rejections"] = list(self.context.get("_rejections", []))
        self.row["benefits"] = []
        self.benefit = None

    def _ref(self, pos: int, el: list[str]) -> None:
        if self.row is not None and self.benefit is None and len(el) > 2 and el[1] == "6P":
            self.note("group_number", el[2] or None, "REF", pos, 2)

    def _dtp(self, pos: int, el: list[str]) -> None:
        if self.row is None:
            return
        el = pad(el, 4)
        qualifier = el[1]
        if qualifier not in _BEGIN and qualifier not in _END:
            return
        start, end = self.period(el[2], el[3], pos, "DTP", 3)
        if self.benefit is not None:
            target, begin_name, end_name = self.benefit, "begin", "end"
            path: tuple[str | int, ...] = ("benefits", len(self.row["benefits"]) - 1)
        else:
            target, begin_name, end_name, path = self.row, "plan_begin", "plan_end", ()
        if qualifier in _END:
            target[end_name] = start
            self.origins[(*path, end_name)] = ("DTP", pos, 3)
            return
        target[begin_name] = start
        self.origins[(*path, begin_name)] = ("DTP", pos, 3)
        if end is not None:
            target[end_name] = end
            self.origins[(*path, end_name)] = ("DTP", pos, 3)

    def _aaa(self, pos: int, el: list[str]) -> None:
        el = pad(el, 4)
        if not el[3]:
            return
        if self.row is None:
            self.context.setdefault("_rejections", []).append(el[3])
            if "provider_npi" not in self.context:
                self.context.setdefault("_payer_rejections", []).append(el[3])
        else:
            self.row["rejections"].append(el[3])
            self.origins[("rejections",)] = ("AAA", pos, 3)

    def _eb(self, pos: int, el: list[str]) -> None:
        if self.row is None:
            raise self.error("EB outside a subscriber or dependent level", pos, "EB")
        el = pad(el, 13)
        benefits = self.row["benefits"]
        path = ("benefits", len(benefits))
        percent = self.amount(el[8], pos, "EB", 8)
        self.benefit = {
            "code": el[1],
            "coverage_level": el[2] or None,
            "service_types": self.repetitions(el[3]),
            "insurance_type": el[4] or None,
            "plan_description": el[5] or None,
            "time_period": el[6] or None,
            "amount": self.amount(el[7], pos, "EB", 7),
            "percent": None if percent is None else float(percent),
            "in_network": el[12] or None,
            "messages": [],
        }
        benefits.append(self.benefit)
        self.origins[path] = ("EB", pos, None)
        for index, name in enumerate(
            ("code", "coverage_level", "service_types", "insurance_type", "plan_description",
             "time_period", "amount", "percent"),
            1,
        ):
            self.origins[(*path, name)] = ("EB", pos, index)
        self.origins[(*path, "in_network")] = ("EB", pos, 12)

    def _msg(self, pos: int, el: list[str]) -> None:
        if self.benefit is not None and len(el) > 1 and el[1]:
            self.benefit["messages"].append(el[1])


# -- writing ------------------------------------------------------------------------------------


class _Writer:
    """The envelope, BHT and the payer / provider levels both writers share."""

    def __init__(self, out: _Out, env: _Envelope, options: WriteOptions, set_id: str) -> None:
        self.out = out
        self.env = env
        self.options = options
        self.set_id = set_id
        self.key: tuple[Any, ...] | None = None
        self.control = ""
        self.hl = 0
        self.provider_hl = 0

    def parties(self, payer: tuple[str | None, str | None], provider: tuple[Any, Any]) -> None:
        key = (payer, provider)
        if key == self.key:
            return
        self.finish()
        self.key = key
        o, out = self.options, self.out
        inquiry = self.set_id == "270"
        self.env.group("HS" if inquiry else "HB", ELIGIBILITY_VERSION)
        self.control = self.env.start_set(self.set_id, ELIGIBILITY_VERSION)
        out.value(
            "BHT",
            "0022",
            "13" if inquiry else "11",
            f"{self.env.set_control:04d}",
            o.created.strftime("%Y%m%d"),
            o.created.strftime("%H%M"),
        )
        out.seg("HL", "1", None, "20", "1")
        out.value("NM1", "PR", "2", payer[1], None, None, None, None, "PI", payer[0])
        out.seg("HL", "2", "1", "21", "1")
        out.value("NM1", "1P", "2", provider[1], None, None, None, None, "XX", provider[0])
        self.hl = self.provider_hl = 2

    def person(self, trace: str | None, record: EligibilityInquiry | EligibilityResponse) -> None:
        out = self.out
        self.hl += 1
        out.seg("HL", str(self.hl), str(self.provider_hl), "22", "0")
        out.value("TRN", "1" if self.set_id == "270" else "2", trace, self.options.sender_id)
        out.value(
            "NM1",
            "IL",
            "1",
            record.last_name,
            record.first_name,
            None,
            None,
            None,
            "MI" if record.member_id else None,
            record.member_id,
        )

    def demographics(self, birth: dt.date | None, sex: Any) -> None:
        if birth is not None or sex is not None:
            self.out.value(
                "DMG", "D8" if birth else None, _d8(birth) if birth else None,
                sex.value if sex is not None else None,
            )

    def finish(self) -> None:
        if self.key is not None:
            self.env.end_set(self.control)
            self.key = None


def _write(
    set_id: str,
    records: Iterable[EligibilityInquiry] | Iterable[EligibilityResponse],
    stream: TextIO,
    options: WriteOptions | None,
) -> int:
    options = options or WriteOptions()
    out = _Out(stream, options)
    env = _Envelope(out, options)
    env.open()
    writer = _Writer(out, env, options, set_id)
    for record in records:
        if isinstance(record, EligibilityInquiry):
            _inquiry(writer, record)
        else:
            _response(writer, record)
    writer.finish()
    env.close()
    return out.count


def _inquiry(writer: _Writer, inquiry: EligibilityInquiry) -> None:
    writer.parties(
        (inquiry.payer_id, inquiry.payer_name), (inquiry.provider_npi, inquiry.provider_name)
    )
    writer.person(inquiry.trace_number, inquiry)
    writer.demographics(inquiry.birth_date, inquiry.sex)
    if inquiry.service_date is not None:
        writer.out.seg("DTP", "291", "D8", _d8(inquiry.service_date))
    for service_type in inquiry.service_types:
        writer.out.value("EQ", service_type)


def _response(writer: _Writer, response: EligibilityResponse) -> None:
    out = writer.out
    writer.parties((response.payer_id, response.payer_name), (response.provider_npi, None))
    writer.person(response.trace_number, response)
    if response.group_number:
        out.value("REF", "6P", response.group_number)
    writer.demographics(response.birth_date, response.sex)
    if response.plan_begin is not None:
        out.seg("DTP", "346", "D8", _d8(response.plan_begin))
    if response.plan_end is not None:
        out.seg("DTP", "347", "D8", _d8(response.plan_end))
    for reason in response.rejections:
        out.value("AAA", "N", None, reason, "C")
    rep = writer.options.delimiters.repetition or ""
    for benefit in response.benefits:
        types = [out.check(t) for t in benefit.service_types]
        if len(types) > 1 and not rep:
            raise ValueError("EB03 repeats need a repetition separator (ISA11)")
        out.seg(
            "EB",
            out.check(benefit.code),
            out.check(benefit.coverage_level or ""),
            rep.join(types),
            out.check(benefit.insurance_type or ""),
            out.check(benefit.plan_description or ""),
            out.check(benefit.time_period or ""),
            None if benefit.amount is None else _num(benefit.amount),
            None if benefit.percent is None else format(benefit.percent, "g"),
            None,
            None,
            None,
            out.check(benefit.in_network or ""),
        )
        if benefit.begin is not None and benefit.end is not None:
            out.seg("DTP", "291", "RD8", f"{_d8(benefit.begin)}-{_d8(benefit.end)}")
        elif benefit.begin is not None:
            out.seg("DTP", "291", "D8", _d8(benefit.begin))
        elif benefit.end is not None:
            out.seg("DTP", "349", "D8", _d8(benefit.end))
        for message in benefit.messages:
            out.value("MSG", message)


def write_270(
    inquiries: Iterable[EligibilityInquiry], stream: TextIO, options: WriteOptions | None = None
) -> int:
    """Write ``inquiries`` as one 270 interchange; returns the segments written.

    Consecutive inquiries to one payer from one provider share a transaction set.
    """
    return _write("270", inquiries, stream, options)


def format_270(
    inquiries: Iterable[EligibilityInquiry], options: WriteOptions | None = None
) -> str:
    """``inquiries`` as the text of one 270 interchange."""
    buffer = io.StringIO()
    write_270(inquiries, buffer, options)
    return buffer.getvalue()


def write_271(
    responses: Iterable[EligibilityResponse], stream: TextIO, options: WriteOptions | None = None
) -> int:
    """Write ``responses`` as one 271 interchange (the payer side, e.g. of a simulator)."""
    return _write("271", responses, stream, options)


def format_271(
    responses: Iterable[EligibilityResponse], options: WriteOptions | None = None
) -> str:
    """``responses`` as the text of one 271 interchange."""
    buffer = io.StringIO()
    write_271(responses, buffer, options)
    return buffer.getvalue()
