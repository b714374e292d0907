"""834 benefit enrollment and maintenance (005010X220A1) into canonical members and coverages.

Each member loop (2000, INS) becomes one :class:`~cleanclaim.domain.Member` followed by one
:class:`~cleanclaim.domain.Coverage` per health coverage loop (2300, HD) and one per other
insurance the member declares in that loop (2320 COB / 2330 NM1). :func:`write_834` writes
members and coverages back.

Mapping choices worth knowing:

- ``member_id`` is REF*23 (client number) when sent, else REF*0F (subscriber identifier):
  a dependent sent without REF*23 shares the subscriber's id. NM1*IL 09 (often an SSN) is not
  used. ``subscriber_id`` of the payer's coverages is REF*0F.
- Name (NM1*IL), address (N3 first line, N4) and DMG come from the member name loop (2100A)
  only; the other 2100 loops (mailing address, employer, custodial parent...) are skipped.
- A coverage's payer is N1*IN of the header (1000B, N104, else N102); ``plan_id`` is HD04,
  ``effective_date``/``termination_date`` DTP*348/DTP*349, ``group_number`` REF*1L of the
  2300 loop, else of the member loop. ``coverage_id`` is REF*X9 when sent, else
  ``{member_id}-{plan}-{begin}``. ``product_line`` is REF*CE when it holds a canonical value
  (``commercial``, ``medicaid``...), else the reader's default (commercial).
- A COB loop is another payer's coverage: ``payer_id`` its NM1*IN (2330; NM109, else
  NM103; an N1*IN there, as earlier versions of the writer sent, is read the same way),
  ``subscriber_id`` COB02, ``group_number`` REF*6P, ``coverage_id`` REF*ZZ (mutually
  defined, as this package's writer sends it) else ``{coverage_id}-COB{n}``, dates
  DTP*344/DTP*345,
  ``cob_order`` 1/2/3 for COB01 P/S/T (U: after the HD loop's coverage); with no DTP*344 the
  HD loop's begin date, with no DTP*345 no end date. The payer's own coverage then takes the
  first order no other coverage holds. ``plan_id`` is None and ``product_line`` the default.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterable, Iterator
from typing import Any, Final, TextIO

from ...domain import Coverage, Member, ProductLine, Record
from .handling import Origin, Origins, RecordHandler, pad
from .writer import WriteOptions, _d8, _Envelope, _Out

__all__ = ["ENROLLMENT_VERSION", "Enrollment834Handler", "format_834", "write_834"]

ENROLLMENT_VERSION: Final = "005010X220A1"
_COB_ORDER: Final = {"P": 1, "S": 2, "T": 3}
_COB_CODE: Final = {1: "P", 2: "S", 3: "T"}
_PRODUCT_LINES: Final = frozenset(p.value for p in ProductLine)


class _Pending:
    """One coverage being read: its row and where each value came from."""

    __slots__ = ("cobs", "origins", "row", "start")

    def __init__(self, row: dict[str, Any], start: Origin) -> None:
        self.row = row
        self.origins: Origins = {}
        self.start = start
        self.cobs: list[_Pending] = []

    def note(self, name: str, value: Any, origin: Origin) -> None:
        self.row[name] = value
        self.origins[(name,)] = origin


class Enrollment834Handler(RecordHandler):
    """Turns the member loops of an 834 transaction set into Member and Coverage records."""

    def __init__(self, default_product_line: ProductLine = ProductLine.COMMERCIAL) -> None:
        super().__init__()
        self.default_product_line = default_product_line
        self.table = {
            "N1": self._n1,
            "INS": self._ins,
            "REF": self._ref,
            "NM1": self._nm1,
            "N3": self._n3,
            "N4": self._n4,
            "DMG": self._dmg,
            "HD": self._hd,
            "DTP": self._dtp,
            "COB": self._cob,
        }
        self.reset()

    def reset(self) -> None:
        self.payer: tuple[str, Origin] = ("", ("N1", 0, 4))
        self.member: dict[str, Any] | None = None
        self.member_origins: Origins = {}
        self.start = 0
        self.name_loop = ""
        self.keys: dict[str, tuple[str, Origin]] = {}
        self.coverages: list[_Pending] = []
        self.cob: _Pending | None = None
        self.loop = "header"

    # -- header and member --------------------------------------------------------------------

    def _n1(self, pos: int, el: list[str]) -> None:
        el = pad(el, 5)
        if el[1] != "IN":
            if self.loop == "header":
                return
            self.loop = "reporting" if self.loop != "cob" else self.loop
            return
        payer = el[4] or el[2]
        if self.loop == "header":
            self.payer = (payer, ("N1", pos, 4 if el[4] else 2))
        elif self.cob is not None:
            self.cob.note("payer_id", payer, ("N1", pos, 4 if el[4] else 2))

    def _ins(self, pos: int, el: list[str]) -> None:
        self.flush()
        self.broken = False
        el = pad(el, 3)
        self.start = pos
        self.loop = "member"
        self.member = {}
        self.member_origins = {}
        self.keys = {"relationship": (el[2] or "18", ("INS", pos, 2))}
        self.coverages = []
        self.cob = None
        self.name_loop = ""

    def _ref(self, pos: int, el: list[str]) -> None:
        if self.member is None or len(el) < 3:
            return
        qualifier, value, origin = el[1], el[2], ("REF", pos, 2)
        if self.loop == "member":
            if qualifier in ("0F", "1L", "23"):
                self.keys[qualifier] = (value, origin)
        elif self.loop == "coverage" and self.coverages:
            coverage = self.coverages[-1]
            if qualifier == "1L":
                coverage.note("group_number", value or None, origin)
            elif qualifier == "X9":
                coverage.note("coverage_id", value, origin)
            elif qualifier == "CE" and value in _PRODUCT_LINES:
                coverage.note("product_line", value, origin)
        elif self.loop == "cob" and self.cob is not None:
            if qualifier == "6P":
                self.cob.note("group_number", value or None, origin)
            elif qualifier == "ZZ":
                self.cob.note("coverage_id", value, origin)

    def _nm1(self, pos: int, el: list[str]) -> None:
        if self.loop == "cob" and self.cob is not None:
            el = pad(el, 10)
            if el[1] == "IN":  # the other payer (2330)
                payer = el[9] or el[3]
                self.cob.note("payer_id", payer, ("NM1", pos, 9 if el[9] else 3))
            return
        if self.member is None or self.loop != "member":
            return
        el = pad(el, 5)
        self.name_loop = el[1]
        if el[1] == "IL":
            self._member(pos, "last_name", el[3] or None, 3)
            self._member(pos, "first_name", el[4] or None, 4)

    def _member(self, pos: int, name: str, value: Any, element: int, seg: str = "NM1") -> None:
        assert self.member is not None
        self.member[name] = value
        self.member_origins[(name,)] = (seg, pos, element)

    def _n3(self, pos: int, el: list[str]) -> None:
        if self.member is not None and self.loop == "member" and self.name_loop == "IL":
            self._member(pos, "address_line", pad(el, 2)[1] or None, 1, "N3")

    def _n4(self, pos: int, el: list[str]) -> None:
        if self.member is not None and self.loop == "member" and self.name_loop == "IL":
            el = pad(el, 4)
            for index, name in enumerate(("city", "state", "postal_code"), 1):
                self._member(pos, name, el[index] or None, index, "N4")

    def _dmg(self, pos: int, el: list[str]) -> None:
        if self.member is None or self.loop != "member" or self.name_loop != "IL":
            return
        el = pad(el, 4)
        if el[2] and el[1] != "D8":
            self.advise(pos, "DMG", 1, "date format qualifier is not D8", el[1])
        self._member(pos, "birth_date", self.date(el[2], pos, "DMG", 2), 2, "DMG")
        self._member(pos, "sex", el[3] or None, 3, "DMG")

    # -- coverages ----------------------------------------------------------------------------

    def _hd(self, pos: int, el: list[str]) -> None:
        self.require(self.member, "HD outside a member loop", pos, "HD")
        el = pad(el, 6)
        self.loop = "coverage"
        self.cob = None
        coverage = _Pending({}, ("HD", pos, None))
        coverage.note("plan_id", el[4] or None, ("HD", pos, 4))
        self.coverages.append(coverage)

    def _dtp(self, pos: int, el: list[str]) -> None:
        el = pad(el, 4)
        target = {"coverage": self.coverages[-1] if self.coverages else None, "cob": self.cob}
        pending = target.get(self.loop)
        if pending is None:
            return
        field = {
            "348": "effective_date",
            "349": "termination_date",
            "344": "effective_date",
            "345": "termination_date",
        }.get(el[1])
        if field is None:
            return
        if el[2] != "D8":
            self.advise(pos, "DTP", 2, "date format qualifier is not D8", el[2])
        pending.note(field, self.date(el[3][:8], pos, "DTP", 3), ("DTP", pos, 3))

    def _cob(self, pos: int, el: list[str]) -> None:
        self.require(self.coverages or None, "COB outside a coverage loop", pos, "COB")
        el = pad(el, 4)
        if el[1] not in ("P", "S", "T", "U"):
            raise self.error("payer responsibility is not P, S, T or U", pos, "COB", 1, el[1])
        cob = _Pending({"_sequence": el[1]}, ("COB", pos, None))
        if el[2]:
            cob.note("subscriber_id", el[2], ("COB", pos, 2))
        self.coverages[-1].cobs.append(cob)
        self.cob = cob
        self.loop = "cob"

    # -- building -----------------------------------------------------------------------------

    def flush(self) -> None:
        member, self.member = self.member, None
        if member is None:
            return
        if self.broken:
            self.broken = False
            return
        keys = self.keys
        subscriber = keys.get("0F", ("", ("INS", self.start, None)))
        member_key = keys.get("23", subscriber)
        member["member_id"] = member_key[0]
        self.member_origins[("member_id",)] = member_key[1]
        built = self.build(Member, member, self.member_origins, ("INS", self.start, None))
        if built is not None:
            self.out.append(built)
        for record in self._coverages(member_key[0], subscriber):
            self.out.append(record)

    def _coverages(self, member_id: str, subscriber: tuple[str, Origin]) -> Iterator[Record]:
        relationship = self.keys["relationship"]
        group = self.keys.get("1L")
        for pending in self.coverages:
            row, origins = pending.row, pending.origins
            row.update(member_id=member_id, relationship=relationship[0])
            origins[("relationship",)] = relationship[1]
            row.setdefault("product_line", self.default_product_line)
            row["payer_id"], origins[("payer_id",)] = self.payer
            row["subscriber_id"], origins[("subscriber_id",)] = subscriber
            if "group_number" not in row and group is not None:
                pending.note("group_number", group[0] or None, group[1])
            begin = row.get("effective_date")
            if "coverage_id" not in row:
                stamp = begin.strftime("%Y%m%d") if isinstance(begin, dt.date) else ""
                row["coverage_id"] = f"{member_id}-{row.get('plan_id') or 'HD'}-{stamp}"
            others = [_COB_ORDER.get(c.row["_sequence"]) for c in pending.cobs]
            taken = {order for order in others if order is not None}
            row["cob_order"] = next(n for n in range(1, 10) if n not in taken)
            built = self.build(Coverage, row, origins, pending.start)
            if built is not None:
                yield built
            for n, cob in enumerate(pending.cobs, 1):
                made = self._cob_record(pending, cob, n, member_id)
                if made is not None:
                    yield made

    def _cob_record(
        self, owner: _Pending, cob: _Pending, n: int, member_id: str
    ) -> Coverage | None:
        row, origins = cob.row, cob.origins
        sequence = row.pop("_sequence")
        order = _COB_ORDER.get(sequence)
        if order is None:
            order = owner.row["cob_order"] + 1  # unknown: after the coverage it is declared in
        row.update(
            member_id=member_id,
            plan_id=None,
            product_line=self.default_product_line,
            relationship=owner.row["relationship"],
            cob_order=min(order, 9),
        )
        row.setdefault("payer_id", "")
        origins.setdefault(("payer_id",), ("COB", cob.start[1], None))
        row.setdefault("subscriber_id", owner.row["subscriber_id"])
        row.setdefault("coverage_id", f"{owner.row['coverage_id']}-COB{n}")
        if "effective_date" not in row and "effective_date" in owner.row:
            row["effective_date"] = owner.row["effective_date"]
            origins[("effective_date",)] = owner.origins.get(("effective_date",), owner.start)
        return self.build(Coverage, row, origins, cob.start)


# -- writing ------------------------------------------------------------------------------------


def _by_member(coverages: Iterable[Coverage]) -> dict[str, list[Coverage]]:
    found: dict[str, list[Coverage]] = {}
    for coverage in coverages:
        found.setdefault(coverage.member_id, []).append(coverage)
    return found


class _Writer834:
    def __init__(self, out: _Out, env: _Envelope, options: WriteOptions) -> None:
        self.out = out
        self.env = env
        self.options = options
        self.payer: str | None = None
        self.control = ""
        self.open = False

    def member(self, member: Member, coverages: list[Coverage], payer_name: str | None) -> None:
        own = [c for c in coverages if c.plan_id is not None]
        others = [c for c in coverages if c.plan_id is None]
        payer = own[0].payer_id if own else (self.payer or "")
        if not self.open or payer != self.payer:
            self.finish()
            self._start(payer, payer_name)
        out = self.out
        first = own[0] if own else (others[0] if others else None)
        relationship = first.relationship if first else "18"
        subscriber_id = first.subscriber_id if own and first else member.member_id
        out.value("INS", "Y" if relationship == "18" else "N", relationship, "030", None, "A")
        out.value("REF", "0F", subscriber_id)
        if member.member_id != subscriber_id:
            out.value("REF", "23", member.member_id)
        out.value("NM1", "IL", "1", member.last_name, member.first_name)
        if member.address_line:
            out.value("N3", member.address_line)
        if member.city or member.state or member.postal_code:
            out.value("N4", member.city, member.state, member.postal_code)
        out.value("DMG", "D8", _d8(member.birth_date), member.sex.value)
        for index, coverage in enumerate(own):
            self._coverage(coverage, others if index == 0 else [])

    def _coverage(self, coverage: Coverage, others: list[Coverage]) -> None:
        out = self.out
        out.value("HD", "030", None, "HLT", coverage.plan_id)
        out.seg("DTP", "348", "D8", _d8(coverage.effective_date))
        if coverage.termination_date is not None:
            out.seg("DTP", "349", "D8", _d8(coverage.termination_date))
        if coverage.group_number:
            out.value("REF", "1L", coverage.group_number)
        out.value("REF", "CE", coverage.product_line.value)
        out.value("REF", "X9", coverage.coverage_id)
        for other in others:
            out.value("COB", _COB_CODE.get(other.cob_order, "U"), other.subscriber_id, "1")
            out.value("REF", "ZZ", other.coverage_id)
            if other.group_number:
                out.value("REF", "6P", other.group_number)
            out.seg("DTP", "344", "D8", _d8(other.effective_date))
            if other.termination_date is not None:
                out.seg("DTP", "345", "D8", _d8(other.termination_date))
            # The other payer is the 2330 loop's NM1 (the guide has no N1 there).
            out.value("NM1", "IN", "2", None, None, None, None, None, "XV", other.payer_id)

    def _start(self, payer: str, payer_name: str | None) -> None:
        o, out = self.options, self.out
        self.payer = payer
        self.open = True
        self.env.group("BE", ENROLLMENT_VERSION)
        self.control = self.env.start_set("834", ENROLLMENT_VERSION)
        out.value(
            "BGN",
            "00",
            f"{self.env.set_control:04d}",
            o.created.strftime("%Y%m%d"),
            o.created.strftime("%H%M"),
            None,
            None,
            None,
            "4",
        )
        out.value("N1", "P5", o.submitter_name, "FI", o.sender_id)
        out.value("N1", "IN", payer_name, "XV" if payer else None, payer or None)

    def finish(self) -> None:
        if self.open:
            self.env.end_set(self.control)
            self.open = False


def write_834(
    members: Iterable[Member],
    coverages: Iterable[Coverage],
    stream: TextIO,
    options: WriteOptions | None = None,
    *,
    payer_names: dict[str, str] | None = None,
) -> int:
    """Write ``members`` with their ``coverages`` as one 834 interchange; returns the segments.

    A coverage with a ``plan_id`` is one of the payer's HD loops; one without (another payer's
    plan) is written as a COB loop of the member's first HD loop. Consecutive members whose
    first plan coverage has the same payer share a transaction set (N1*IN of that payer,
    named from ``payer_names``); all plan coverages of a member are written in that set, so
    they are meant to be with that one payer. Read back, the records are equal, except the
    product line of another payer's coverage (the reader's default) and a dependent's
    subscriber id when the member has no plan coverage.
    """
    options = options or WriteOptions()
    names = payer_names or {}
    out = _Out(stream, options)
    env = _Envelope(out, options)
    env.open()
    writer = _Writer834(out, env, options)
    grouped = _by_member(coverages)
    for member in members:
        own = grouped.get(member.member_id, [])
        payer = next((c.payer_id for c in own if c.plan_id is not None), "")
        writer.member(member, own, names.get(payer))
    writer.finish()
    env.close()
    return out.count


def format_834(
    members: Iterable[Member],
    coverages: Iterable[Coverage],
    options: WriteOptions | None = None,
    *,
    payer_names: dict[str, str] | None = None,
) -> str:
    """``members`` and ``coverages`` as the text of one 834 interchange."""
    buffer = io.StringIO()
    write_834(members, coverages, buffer, options, payer_names=payer_names)
    return buffer.getvalue()
