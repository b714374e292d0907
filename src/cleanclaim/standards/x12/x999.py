"""999 implementation acknowledgment (005010X231A1): build, write and read.

:func:`acknowledge` turns what :func:`~cleanclaim.standards.x12.api.validate` found in a file
into one :class:`FunctionalGroupAck` per functional group of that file; :func:`write_999`
writes them as a 999 interchange addressed back to the sender; :class:`Ack999Handler` reads a
999 into the same records.

How problems become codes:

- A problem inside a transaction set becomes an IK3 at its position in the set (ST = 1) with
  the loop ID of the segment (IK303, for the guides :mod:`.loops` knows: 837P, 837I, 835,
  277CA) and CTX*CLM01 naming the claim it sits in (837), and an IK4 when it names an element.
  IK304 is 8 (element errors) when an element is named, 1 for an unreadable segment id, 3 for a
  required segment missing, 2 for a segment out of place. IK403 is 1 required, 8 date, 7 code
  value, 5/4 too long/short, 6 not a number, else I12 (does not match the guide).
- Envelope faults of the set go to IK5: 1 unsupported, 2 SE missing, 3 SE02 differs from
  ST02, 4 SE01 count wrong, 7 ST02 missing. A set with any problem parsing stops at is
  rejected (IK5 R, IK502 5); one with only problems parsing reads past (code values the guide
  does not use, hierarchy numbering, 835 balancing) is accepted with errors noted (E, I5).
- Group faults go to AK9: 3 GE missing, 4 GE02 differs from GS06, 5 GE01 count wrong,
  6 GS06 not numeric; they reject the whole group (AK901 R, AK904 0). Otherwise AK901 is A
  when every set is accepted, E when some carry noted errors, P when some are rejected and
  R when all are.
- Interchange faults (ISA/IEA) are not the 999's business: :mod:`.ta1` answers them.
"""

from __future__ import annotations

import bisect
import io
from collections.abc import Container, Iterable
from dataclasses import dataclass, field, replace
from typing import Any, Final, TextIO

from .errors import ProblemKind, X12ParseError, X12Problem
from .handling import Origins, RecordHandler, pad
from .loops import TRIGGERS, LoopTracker, loop_tracker
from .records import AckCode, ElementError, FunctionalGroupAck, SegmentError, TransactionSetAck
from .tokenizer import Source, iter_segment_blocks, rereadable
from .writer import WriteOptions, _Envelope, _Out

__all__ = [
    "ACK_VERSION",
    "Ack999Handler",
    "acknowledge",
    "format_999",
    "reply_options",
    "write_999",
]

ACK_VERSION: Final = "005010X231A1"
_MAX_VALUE: Final = 99
_OUTER: Final = ("ISA", "IEA", "GS", "GE")
_WATCHED: Final = TRIGGERS | {"CLM", "HL"}
_ENVELOPE: Final = frozenset({"ISA", "IEA", "GS", "GE", "ST", "SE"})


# -- the layout of the acknowledged file --------------------------------------------------------


@dataclass
class _Set:
    position: int
    set_id: str
    control: str
    reference: str
    end: int | None = None
    claims: list[tuple[int, str]] = field(default_factory=list)
    loops: dict[int, str | None] = field(default_factory=dict)
    """Loop ID of the segments in error (only those: a set may have millions of segments)."""
    tracker: LoopTracker | None = None

    def note(self, pos: int) -> None:
        """The segment at ``pos`` is wanted and starts no loop: it is in the current one."""
        self.loops[pos] = self.tracker.loop if self.tracker is not None else None

    def see(self, pos: int, el: list[str], wanted: frozenset[int]) -> None:
        """Follow the claims and loops with the segment ``el`` at ``pos`` (one of _WATCHED)."""
        if self.tracker is not None:
            loop = self.tracker.see(el)
            if pos in wanted:
                self.loops[pos] = loop
        tag = el[0]
        if tag == "CLM":
            self.claims.append((pos, _get(el, 1)))
        elif tag == "HL":
            self.claims.append((pos, ""))  # a new hierarchy level ends the claim


@dataclass
class _Group:
    position: int
    functional_id: str
    control: str
    version: str
    declared: str = ""
    end: int | None = None
    sets: list[_Set] = field(default_factory=list)
    interchange: int = -1


@dataclass
class _Interchange:
    """An ISA as received: what a TA1 echoes, and where the interchange ends (its IEA)."""

    position: int
    control: str
    date: str
    time: str
    requested: bool
    end: int | None = None


@dataclass
class _Layout:
    sender: str = ""
    receiver: str = ""
    groups: list[_Group] = field(default_factory=list)
    interchanges: list[_Interchange] = field(default_factory=list)

    def add_interchange(self, pos: int, el: list[str]) -> None:
        if not self.sender:
            self.sender, self.receiver = _get(el, 6), _get(el, 8)
        self.interchanges.append(
            _Interchange(pos, _get(el, 13), _get(el, 9), _get(el, 10), _get(el, 14) == "1")
        )

    def add_group(self, group: _Group) -> None:
        group.interchange = len(self.interchanges) - 1
        self.groups.append(group)


def _get(el: list[str], index: int) -> str:
    return el[index].strip() if index < len(el) else ""


def _layout(source: Source, wanted: frozenset[int] = frozenset()) -> _Layout:
    """Interchange parties, groups, sets and claim starts of ``source`` (never raises).

    The loop IDs of the segments at the positions ``wanted`` are noted in their set.
    """
    layout = _Layout()
    group: _Group | None = None
    st: _Set | None = None
    try:
        for first, _, segments in iter_segment_blocks(source):
            for pos, el in enumerate(segments, first):
                tag = el[0]
                if st is not None:
                    # Most segments start no loop and no claim: spare them the call.
                    if tag in _WATCHED:
                        st.see(pos, el, wanted)
                    elif pos in wanted:
                        st.note(pos)
                if tag in _ENVELOPE:
                    group, st = _envelope(layout, group, st, pos, el)
    except X12ParseError:
        pass  # what could be read is acknowledged; the rest is in the problems
    return layout


def _envelope(
    layout: _Layout, group: _Group | None, st: _Set | None, pos: int, el: list[str]
) -> tuple[_Group | None, _Set | None]:
    """The group and set open after the envelope segment ``el``."""
    tag = el[0]
    if tag == "ST" and group is not None:
        st = _Set(pos, _get(el, 1), _get(el, 2), _get(el, 3) or group.version)
        st.tracker = loop_tracker(st.set_id, st.reference)
        group.sets.append(st)
        return group, st
    if tag == "SE" and st is not None:
        st.end = pos
        return group, None
    if tag == "GS":
        group = _Group(pos, _get(el, 1), _get(el, 6), _get(el, 8))
        layout.add_group(group)
        return group, None
    if tag == "GE" and group is not None:
        group.end, group.declared = pos, _get(el, 1)
        return None, None
    if tag == "ISA":
        layout.add_interchange(pos, el)
        return None, None
    if tag == "IEA" and layout.interchanges:
        layout.interchanges[-1].end = pos
        return None, None
    return group, st


# -- problems into codes ------------------------------------------------------------------------


def _element_code(problem: X12Problem) -> str:
    if problem.kind is ProblemKind.REQUIRED:
        return "1"
    if problem.kind is ProblemKind.DATE:
        return "8"
    if problem.kind is ProblemKind.CODE:
        return "7"
    cause = problem.cause.lower()
    if "at most" in cause or "too long" in cause:
        return "5"
    if "at least" in cause or "too short" in cause:
        return "4"
    if any(word in cause for word in ("number", "decimal", "integer", "numeric", "digit")):
        return "6"
    if "input should be" in cause:
        return "7"  # an enumeration: pydantic lists the allowed values
    return "I12"


def _segment_code(problem: X12Problem) -> str:
    if problem.element is not None:
        return "8"
    if problem.kind is ProblemKind.SYNTAX and "segment identifier" in problem.cause:
        return "1"
    if problem.kind is ProblemKind.REQUIRED:
        return "3"
    if problem.kind in (ProblemKind.STRUCTURE, ProblemKind.ENVELOPE):
        return "2"
    return "8"


def _set_code(problem: X12Problem) -> str | None:
    """IK5 code of an envelope fault of the set, '' when the layout covers it, None if none."""
    seg, element = problem.segment_id, problem.element
    if seg in _OUTER and problem.kind is ProblemKind.ENVELOPE:
        return ""  # a missing GE/IEA at the end of an open set: the layout shows it
    if seg == "SE" and problem.kind is ProblemKind.ENVELOPE:
        return {1: "4", 2: "3"}.get(element or 0, "")
    if seg == "ST":
        if element == 1:
            return "1"
        if element == 2:
            return "7"
        return ""  # ST out of place: the previous set lacks its SE, which the layout shows
    return None


def _group_code(problem: X12Problem) -> str:
    return {("GE", 1): "5", ("GE", 2): "4", ("GS", 6): "6"}.get(
        (problem.segment_id or "", problem.element or 0), ""
    )


def _clean(value: str | None, reserved: str, limit: int = _MAX_VALUE) -> str | None:
    if not value:
        return None
    kept = "".join(ch for ch in value if ch.isprintable() and ch not in reserved)
    return kept[:limit] or None


def _segment_id(value: str | None) -> str:
    kept = "".join(ch for ch in (value or "").upper() if ch.isascii() and ch.isalnum())[:3]
    return kept if len(kept) >= 2 else "UNK"


class _SetAck:
    def __init__(self, st: _Set) -> None:
        self.st = st
        self.codes: list[str] = [] if st.end is not None else ["2"]
        self.segments: dict[tuple[int, str], dict[str, Any]] = {}
        self.fatal = False
        self.noted = False
        self.claim_positions = [pos for pos, _ in st.claims]

    def add(self, problem: X12Problem, reserved: str) -> None:
        code = _set_code(problem)
        if code is not None:
            if code and code not in self.codes:
                self.codes.append(code)
            return
        assert problem.segment is not None
        if problem.fatal:
            self.fatal = True
        else:
            self.noted = True
        seg_code = _segment_code(problem)
        key = (problem.segment, seg_code)
        segment = self.segments.get(key)
        if segment is None:
            segment = {
                "segment_id": _segment_id(problem.segment_id),
                "position": problem.segment - self.st.position + 1,
                "loop_id": self.st.loops.get(problem.segment),
                "code": seg_code,
                "claim_id": self._claim(problem.segment, reserved),
                "elements": [],
            }
            self.segments[key] = segment
        element = problem.element
        if element is not None and 1 <= element <= 99 and len(segment["elements"]) < 99:
            component = problem.component if problem.component and problem.component < 100 else None
            segment["elements"].append(
                ElementError(
                    element=element,
                    component=component,
                    code=_element_code(problem),
                    value=_clean(problem.value, reserved),
                )
            )

    def _claim(self, pos: int, reserved: str) -> str | None:
        index = bisect.bisect_right(self.claim_positions, pos) - 1
        return _clean(self.st.claims[index][1], reserved, 50) if index >= 0 else None

    def record(self) -> TransactionSetAck:
        codes = list(self.codes)
        if codes or self.fatal:
            status = AckCode.REJECTED
            if self.fatal and "5" not in codes:
                codes.append("5")
        elif self.noted:
            status = AckCode.ACCEPTED_WITH_ERRORS
            codes.append("I5")
        else:
            status = AckCode.ACCEPTED
        segments = [SegmentError(**s) for s in self.segments.values()]
        segments.sort(key=lambda s: s.position)
        return TransactionSetAck(
            set_id=self.st.set_id or "000",
            control_number=self.st.control or "0",
            implementation_reference=self.st.reference or None,
            status=status,
            error_codes=codes[:5],
            segments=segments,
        )


def _group_ack(group: _Group, problems: list[X12Problem], reserved: str) -> FunctionalGroupAck:
    sets = [_SetAck(st) for st in group.sets]
    starts = [st.position for st in group.sets]
    codes: list[str] = [] if group.end is not None else ["3"]
    for problem in problems:
        assert problem.segment is not None
        index = bisect.bisect_right(starts, problem.segment) - 1
        inside = index >= 0 and (
            group.sets[index].end is None or problem.segment <= (group.sets[index].end or 0)
        )
        if inside:
            sets[index].add(problem, reserved)
        else:
            code = _group_code(problem)
            if code and code not in codes:
                codes.append(code)
    acks = [s.record() for s in sets]
    accepted = sum(1 for a in acks if a.status.accepted)
    if codes or not acks:
        status, accepted = AckCode.REJECTED, 0
        codes = codes or ["5"]
    elif accepted == len(acks):
        noted = any(a.status is AckCode.ACCEPTED_WITH_ERRORS for a in acks)
        status = AckCode.ACCEPTED_WITH_ERRORS if noted else AckCode.ACCEPTED
    else:
        status = AckCode.PARTIALLY_ACCEPTED if accepted else AckCode.REJECTED
    declared = group.declared
    return FunctionalGroupAck(
        functional_id=group.functional_id or "ZZ",
        group_control=group.control or "0",
        version=group.version or None,
        status=status,
        included=int(declared) if declared.isdigit() else len(acks),
        received=len(acks),
        accepted=accepted,
        error_codes=codes[:5],
        transaction_sets=acks,
    )


def acknowledge(
    source: Source,
    problems: list[X12Problem] | None = None,
    *,
    options: WriteOptions | None = None,
    interchanges: Container[int] | None = None,
) -> list[FunctionalGroupAck]:
    """One acknowledgment per functional group of ``source``.

    ``problems`` are what :func:`validate` returned for ``source`` (validated here when not
    given; pass a path or the content then, not a stream already read). ``options`` are those
    the 999 will be written with: copied bad values are cleaned of their delimiters. A stream
    source is read into memory first: it is read twice. ``interchanges`` (0-based, in file
    order) limits the answer to the groups of those interchanges, e.g. the ones a TA1 did not
    reject.
    """
    source = rereadable(source)
    if problems is None:
        problems = _validate(source)
    placed = [p for p in problems if p.segment is not None]
    layout = _layout(source, frozenset(p.segment for p in placed if p.segment is not None))
    return _acknowledge(layout, placed, options, interchanges)


def _validate(source: Source) -> list[X12Problem]:
    from .api import validate  # the reading API registers this module's handler

    return validate(source)


def _acknowledge(
    layout: _Layout,
    placed: list[X12Problem],
    options: WriteOptions | None,
    interchanges: Container[int] | None,
) -> list[FunctionalGroupAck]:
    d = (options or WriteOptions()).delimiters
    reserved = d.element + d.component + d.segment + (d.repetition or "")
    bounds = [g.position for g in layout.groups]
    by_group: list[list[X12Problem]] = [[] for _ in layout.groups]
    for problem in placed:
        assert problem.segment is not None
        index = bisect.bisect_right(bounds, problem.segment) - 1
        if index < 0:
            continue
        group = layout.groups[index]
        if group.end is None or problem.segment <= group.end:
            by_group[index].append(problem)
    return [
        _group_ack(g, ps, reserved)
        for g, ps in zip(layout.groups, by_group, strict=True)
        if interchanges is None or g.interchange in interchanges
    ]


def reply_options(source: Source, options: WriteOptions | None = None) -> WriteOptions:
    """``options`` addressed back to the sender of ``source`` (ISA06/ISA08 swapped)."""
    layout = _layout(rereadable(source))
    base = options or WriteOptions()
    if not layout.sender:
        return base
    return replace(base, sender_id=layout.receiver or base.sender_id, receiver_id=layout.sender)


# -- writing ------------------------------------------------------------------------------------


def write_999(
    acks: Iterable[FunctionalGroupAck], stream: TextIO, options: WriteOptions | None = None
) -> int:
    """Write ``acks`` as one 999 interchange (one ST*999 per group); returns the segments."""
    options = options or WriteOptions()
    out = _Out(stream, options)
    env = _Envelope(out, options)
    env.open()
    _write_groups(out, env, acks)
    env.close()
    return out.count


def _write_groups(out: _Out, env: _Envelope, acks: Iterable[FunctionalGroupAck]) -> None:
    """One 999 set per acknowledgment, in one FA group, inside the open interchange."""
    for ack in acks:
        env.group("FA", ACK_VERSION)
        control = env.start_set("999", ACK_VERSION)
        out.value("AK1", ack.functional_id, ack.group_control, ack.version)
        for st in ack.transaction_sets:
            _write_set(out, st)
        out.value(
            "AK9",
            ack.status.value,
            str(ack.included),
            str(ack.received),
            str(ack.accepted),
            *ack.error_codes,
        )
        env.end_set(control)


def _write_set(out: _Out, st: TransactionSetAck) -> None:
    out.value("AK2", st.set_id, st.control_number, st.implementation_reference)
    for segment in st.segments:
        out.value("IK3", segment.segment_id, str(segment.position), segment.loop_id, segment.code)
        if segment.claim_id:
            out.seg("CTX", out.composite("CLM01", segment.claim_id))
        for element in segment.elements:
            position = out.composite(
                str(element.element),
                None if element.component is None else str(element.component),
                None if element.repetition is None else str(element.repetition),
            )
            out.seg("IK4", position, out.check(element.reference or ""), out.check(element.code),
                    out.check(element.value or ""))
    out.value("IK5", st.status.value, *st.error_codes)


def format_999(acks: Iterable[FunctionalGroupAck], options: WriteOptions | None = None) -> str:
    """``acks`` as the text of one 999 interchange."""
    buffer = io.StringIO()
    write_999(acks, buffer, options)
    return buffer.getvalue()


# -- reading ------------------------------------------------------------------------------------


class Ack999Handler(RecordHandler):
    """Turns each 999 transaction set into one :class:`FunctionalGroupAck`."""

    def __init__(self) -> None:
        super().__init__()
        self.table = {
            "AK1": self._ak1,
            "AK2": self._ak2,
            "IK3": self._ik3,
            "CTX": self._ctx,
            "IK4": self._ik4,
            "IK5": self._ik5,
            "AK9": self._ak9,
        }
        self.reset()

    def reset(self) -> None:
        self.group: dict[str, Any] | None = None
        self.st: dict[str, Any] | None = None
        self.segment: dict[str, Any] | None = None
        self.origins: Origins = {}
        self.start = 0

    def _ak1(self, pos: int, el: list[str]) -> None:
        self.flush()
        self.broken = False
        el = pad(el, 4)
        self.start = pos
        self.group = {
            "functional_id": el[1],
            "group_control": el[2],
            "version": el[3] or None,
            "transaction_sets": [],
        }
        self.origins = {
            ("functional_id",): ("AK1", pos, 1),
            ("group_control",): ("AK1", pos, 2),
            ("version",): ("AK1", pos, 3),
        }

    def _ak2(self, pos: int, el: list[str]) -> None:
        self.require(self.group, "AK2 before AK1", pos, "AK2")
        assert self.group is not None
        el = pad(el, 4)
        sets = self.group["transaction_sets"]
        path = ("transaction_sets", len(sets))
        self.st = {
            "set_id": el[1],
            "control_number": el[2],
            "implementation_reference": el[3] or None,
            "segments": [],
        }
        sets.append(self.st)
        self.segment = None
        self.origins[path] = ("AK2", pos, None)
        for index, name in enumerate(("set_id", "control_number", "implementation_reference"), 1):
            self.origins[(*path, name)] = ("AK2", pos, index)

    def _ik3(self, pos: int, el: list[str]) -> None:
        self.require(self.st, "IK3 before AK2", pos, "IK3")
        assert self.st is not None and self.group is not None
        el = pad(el, 5)
        segments = self.st["segments"]
        path = ("transaction_sets", len(self.group["transaction_sets"]) - 1, "segments",
                len(segments))
        self.segment = {
            "segment_id": el[1],
            "position": self.integer(el[2], pos, "IK3", 2),
            "loop_id": el[3] or None,
            "code": el[4],
            "elements": [],
        }
        segments.append(self.segment)
        self.origins[path] = ("IK3", pos, None)
        for index, name in enumerate(("segment_id", "position", "loop_id", "code"), 1):
            self.origins[(*path, name)] = ("IK3", pos, index)

    def _ctx(self, pos: int, el: list[str]) -> None:
        if self.segment is None or len(el) < 2:
            return
        parts = self.components(el[1])
        if parts[0] == "CLM01" and len(parts) > 1 and parts[1]:
            self.segment["claim_id"] = parts[1]

    def _ik4(self, pos: int, el: list[str]) -> None:
        self.require(self.segment, "IK4 before IK3", pos, "IK4")
        assert self.segment is not None
        el = pad(el, 5)
        where = [*self.components(el[1]), "", ""]
        element: dict[str, Any] = {
            "element": self.integer(where[0], pos, "IK4", 1),
            "component": self.integer(where[1], pos, "IK4", 1) if where[1] else None,
            "repetition": self.integer(where[2], pos, "IK4", 1) if where[2] else None,
            "reference": el[2] or None,
            "code": el[3],
            "value": el[4] or None,
        }
        self.segment["elements"].append(element)

    def _ik5(self, pos: int, el: list[str]) -> None:
        self.require(self.st, "IK5 before AK2", pos, "IK5")
        assert self.st is not None and self.group is not None
        el = pad(el, 2)
        self.st["status"] = el[1]
        self.st["error_codes"] = [code for code in el[2:7] if code]
        path = ("transaction_sets", len(self.group["transaction_sets"]) - 1)
        self.origins[(*path, "status")] = ("IK5", pos, 1)
        self.origins[(*path, "error_codes")] = ("IK5", pos, 2)
        self.st = None
        self.segment = None

    def _ak9(self, pos: int, el: list[str]) -> None:
        self.require(self.group, "AK9 before AK1", pos, "AK9")
        assert self.group is not None
        el = pad(el, 5)
        self.group.update(
            {
                "status": el[1],
                "included": self.integer(el[2], pos, "AK9", 2),
                "received": self.integer(el[3], pos, "AK9", 3),
                "accepted": self.integer(el[4], pos, "AK9", 4),
                "error_codes": [code for code in el[5:10] if code],
            }
        )
        for index, name in enumerate(("status", "included", "received", "accepted"), 1):
            self.origins[(name,)] = ("AK9", pos, index)
        self.origins[("error_codes",)] = ("AK9", pos, 5)

    def flush(self) -> None:
        group, self.group = self.group, None
        self.st = self.segment = None
        if group is None:
            return
        if self.broken:
            self.broken = False
            return
        built = self.build(FunctionalGroupAck, group, self.origins, ("AK1", self.start, None))
        if built is not None:
            self.out.append(built)
