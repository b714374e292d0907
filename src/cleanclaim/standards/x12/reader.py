"""The X12 reading loop: envelopes (ISA/GS/ST and their trailers) and dispatch to transactions.

One :class:`Reader` walks the segments of a file once. It checks every envelope as it goes
(control numbers, IEA01/GE01/SE01 counts, nesting) and hands the segments of each transaction
set to the handler of its implementation guide (837P, 837I, 835, 834, 270/271, 277CA/277,
999), which turns them into canonical or typed records. In strict mode the first problem
raises :class:`X12ParseError`; in collecting mode every problem is listed and reading goes on
with the next segment.

Any exception a handler raises on a malformed segment (a missing element, a bad number) is
reported as a problem at that segment, so a mangled input can only ever raise X12ParseError.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Final, Protocol

from pydantic import ValidationError

from ...domain import Record
from .errors import ProblemKind, X12ParseError, X12Problem
from .records import InterchangeAck
from .tokenizer import Delimiters, Source, cyclic_gc_paused, iter_segment_blocks, source_name

__all__ = [
    "Handler",
    "HandlerFactory",
    "Reader",
    "SegmentHandler",
    "Transaction",
    "parse_date",
    "parse_period",
]

SegmentHandler = Callable[[int, list[str]], None]
"""Handles one segment: (ordinal, elements)."""

_SEGMENT_ID: Final = re.compile(r"[A-Z][A-Z0-9]{1,2}")
_ID_QUALIFIERS: Final = ("01", "14", "20", "27", "28", "29", "30", "33", "ZZ")
_ISA_CODES: Final[dict[int, tuple[str, tuple[str, ...]]]] = {
    1: ("authorization information qualifier", ("00", "03")),
    3: ("security information qualifier", ("00", "01")),
    5: ("sender ID qualifier", _ID_QUALIFIERS),
    7: ("receiver ID qualifier", _ID_QUALIFIERS),
    14: ("acknowledgment requested", ("0", "1")),
}
"""ISA code elements and the values the HIPAA 5010 guides allow."""
_DATE_CACHE: dict[str, dt.date] = {}
_DATE_CACHE_MAX: Final = 50_000


def parse_date(value: str, source: str, pos: int, seg: str, element: int) -> dt.date:
    """A CCYYMMDD date, or X12ParseError at the given position."""
    found = _DATE_CACHE.get(value)
    if found is not None:
        return found
    try:
        if len(value) != 8 or not value.isdigit() or not value.isascii():
            raise ValueError
        parsed = dt.date.fromisoformat(value)  # the basic CCYYMMDD form since Python 3.11
    except ValueError:
        raise X12ParseError(
            "not a valid CCYYMMDD date",
            source=source,
            segment=pos,
            segment_id=seg,
            element=element,
            value=value,
            kind=ProblemKind.DATE,
        ) from None
    if len(_DATE_CACHE) >= _DATE_CACHE_MAX:
        _DATE_CACHE.clear()  # dates repeat heavily; a bounded cache keeps memory flat
    _DATE_CACHE[value] = parsed
    return parsed


def parse_period(
    fmt: str, value: str, source: str, pos: int, seg: str, element: int
) -> tuple[dt.date, dt.date | None]:
    """A date (``D8``; ``DT`` keeps its date part) or a range (``RD8`` CCYYMMDD-CCYYMMDD)."""
    if fmt == "RD8":
        start, sep, end = value.partition("-")
        if not sep:
            raise X12ParseError(
                "RD8 range is not CCYYMMDD-CCYYMMDD",
                source=source,
                segment=pos,
                segment_id=seg,
                element=element,
                value=value,
                kind=ProblemKind.DATE,
            )
        return (
            parse_date(start, source, pos, seg, element),
            parse_date(end, source, pos, seg, element),
        )
    if fmt == "DT":
        value = value[:8]
    elif fmt != "D8":
        raise X12ParseError(
            "date format qualifier is not D8, RD8 or DT",
            source=source,
            segment=pos,
            segment_id=seg,
            element=element - 1,
            value=fmt,
            kind=ProblemKind.CODE,
        )
    return parse_date(value, source, pos, seg, element), None


@dataclass(frozen=True, slots=True)
class Transaction:
    """What a handler knows of the envelopes around the transaction set it reads."""

    source: str
    delimiters: Delimiters
    interchange_control: str
    group_control: str
    set_control: str
    set_id: str
    version: str
    position: int
    collecting: bool = False
    """True when problems are listed rather than raised: handlers then also report the code
    values they can read past."""


class Handler(Protocol):
    """Reads the body of one kind of transaction set into records.

    ``table`` maps the segment ids it reads to their handlers (the others are skipped);
    records go to ``out``, which the reader replaces with its own list so that the records of
    every transaction set come out in file order.
    """

    table: dict[str, SegmentHandler]
    out: list[Record]

    def begin(self, txn: Transaction, report: Callable[[X12Problem], None]) -> None:
        """A transaction set starts (its ST is at ``txn.position``)."""

    def end(self, pos: int) -> None:
        """The transaction set ends at ``pos``: emit what is pending."""

    def abandon(self) -> None:
        """The record being read is broken: drop it and skip to the next one."""


HandlerFactory = Callable[[str, str], Handler | None]
"""Picks a handler for (ST01, implementation reference), or None when unsupported."""


class _Envelope:
    """Counts and control numbers of the open interchange, group and transaction set."""

    __slots__ = (
        "gs_control",
        "gs_count",
        "gs_pos",
        "gs_version",
        "isa_control",
        "isa_pos",
        "st_control",
        "st_count",
        "st_id",
        "st_pos",
    )

    def __init__(self) -> None:
        self.isa_pos = self.gs_pos = self.st_pos = 0
        self.isa_control = self.gs_control = self.st_control = ""
        self.gs_version = self.st_id = ""
        self.gs_count = self.st_count = 0


class Reader:
    """Walks segments once, checks envelopes, and collects the records of the handlers."""

    def __init__(
        self,
        source: Source,
        factory: HandlerFactory,
        *,
        problems: list[X12Problem] | None = None,
    ) -> None:
        self.source = source
        self.name = source_name(source)
        self.factory = factory
        self.problems = problems
        self.handler: Handler | None = None
        self.delimiters = Delimiters()
        self.env = _Envelope()
        self._handlers: dict[tuple[str, str], Handler | None] = {}
        self._envelope_table: dict[str, SegmentHandler] = {
            "ISA": self._isa,
            "IEA": self._iea,
            "GS": self._gs,
            "GE": self._ge,
            "ST": self._st,
            "SE": self._se,
        }
        self.table: dict[str, SegmentHandler] = dict(self._envelope_table)
        self.out: list[Record] = []
        self.last = 0
        self.level = 0  # 0 outside, 1 in an interchange, 2 in a group, 3 in a transaction set

    # -- problems ---------------------------------------------------------------------------

    def report(self, problem: X12Problem) -> None:
        """Raise (strict mode) or list (collecting mode) one problem."""
        if self.problems is None:
            raise X12ParseError.from_problem(problem)
        self.problems.append(problem)

    def problem(
        self,
        pos: int | None,
        seg: str | None,
        element: int | None,
        cause: str,
        kind: ProblemKind,
        value: str | None = None,
    ) -> None:
        self.report(X12Problem(self.name, pos, seg, element, cause, kind, value=value))

    # -- the loop -----------------------------------------------------------------------------

    def records(self) -> Iterator[Record]:
        """Every record of every supported transaction set, in file order."""
        for _ in self.steps():
            yield from self._drain()

    def steps(self) -> Iterator[None]:
        """Read the file one block of segments at a time, pausing after each.

        The records of the block are left in ``out`` for the caller; a handler that keeps
        its rows elsewhere (the batch path) uses the pauses to cut its rows into batches.
        """
        blocks = iter_segment_blocks(self.source)
        while True:
            with cyclic_gc_paused():
                try:
                    block = next(blocks, None)
                except X12ParseError as exc:
                    if self.problems is None:
                        raise
                    # The tokenizer cannot go on past unreadable input: record it and stop.
                    self.problems.append(exc.problem)
                    return
                done = block is None
                if block is None:
                    self._finish()
                else:
                    first, self.delimiters, segments = block
                    self.last = first + len(segments) - 1
                    self._block(first, segments)
                    # Let the segments go while the collector is still paused: alive when it
                    # resumes (the tokenizer holds the block until asked for the next one),
                    # the lists would all be scanned and promoted for nothing.
                    segments.clear()
                    del block, segments
            yield None
            if done:
                return

    def _drain(self) -> Iterator[Record]:
        if self.out:
            yield from self.out
            self.out.clear()

    def _block(self, first: int, segments: list[list[str]]) -> None:
        get = self.table.get  # the table is updated in place, so this stays current
        collecting = self.problems is not None
        numbered = enumerate(segments, first)
        pos, elements = first, segments[0]
        while True:
            try:
                # After a reported problem the same iterator resumes with the next segment.
                for pos, elements in numbered:
                    handle = get(elements[0])
                    if handle is not None:
                        handle(pos, elements)
                    elif self.level != 3 or collecting:
                        self._unhandled(pos, elements)
                return
            except X12ParseError as exc:
                if not collecting:
                    raise
                self._recover(exc.problem)
            except Exception as exc:  # a malformed segment must not escape as anything else
                problem = X12Problem(
                    self.name,
                    pos,
                    elements[0][:3],
                    None,
                    f"malformed segment ({type(exc).__name__}: {exc})",
                    ProblemKind.SYNTAX,
                )
                if not collecting:
                    raise X12ParseError.from_problem(problem) from None
                self._recover(problem)

    def _recover(self, problem: X12Problem) -> None:
        assert self.problems is not None
        self.problems.append(problem)
        if self.handler is not None and self.level == 3:
            self.handler.abandon()

    def _unhandled(self, pos: int, elements: list[str]) -> None:
        tag = elements[0]
        if not _SEGMENT_ID.fullmatch(tag):
            self.problem(
                pos, tag[:3], None, "not a segment identifier", ProblemKind.SYNTAX, tag[:20]
            )
        elif self.level == 1 and tag == "TA1":
            self.out.append(interchange_ack(elements, self.name, pos))
        elif self.level != 3:
            self.problem(pos, tag, None, "segment outside a transaction set", ProblemKind.ENVELOPE)

    def _finish(self) -> None:
        levels = {
            3: ("SE", "transaction set"),
            2: ("GE", "functional group"),
            1: ("IEA", "interchange"),
        }
        for level in (3, 2, 1):
            if self.level >= level:
                tag, what = levels[level]
                self.problem(
                    self.last + 1,
                    tag,
                    None,
                    f"the input ends inside the open {what}: {tag} missing",
                    ProblemKind.ENVELOPE,
                )
        if self.handler is not None and self.level == 3:
            self.handler.end(0)

    # -- envelopes ----------------------------------------------------------------------------

    def _set_level(self, level: int) -> None:
        self.level = level
        if level != 3:
            self.handler = None
            self.table.clear()
            self.table.update(self._envelope_table)

    def _isa(self, pos: int, el: list[str]) -> None:
        env = self.env
        if self.level:
            self.problem(
                pos,
                "ISA",
                None,
                "ISA before the IEA of the previous interchange",
                ProblemKind.ENVELOPE,
            )
        self._set_level(1)
        if len(el) != 17:
            self.problem(
                pos, "ISA", None, f"ISA has {len(el) - 1} elements, not 16", ProblemKind.SYNTAX
            )
            el = [*el, *[""] * 17][:17]
        env.isa_pos, env.isa_control, env.gs_count = pos, el[13].strip(), 0
        if el[12] != "00501":
            self.problem(
                pos, "ISA", 12, "interchange version is not 00501", ProblemKind.CODE, el[12]
            )
        if not (len(el[13]) == 9 and el[13].isdigit()):
            self.problem(
                pos, "ISA", 13, "control number is not 9 digits", ProblemKind.VALUE, el[13]
            )
        if not (len(el[9]) == 6 and el[9].isdigit()):
            self.problem(pos, "ISA", 9, "date is not YYMMDD", ProblemKind.DATE, el[9])
        if el[15] not in ("P", "T"):
            self.problem(pos, "ISA", 15, "usage indicator is not P or T", ProblemKind.CODE, el[15])
        if self.problems is not None:
            self._isa_fields(pos, el, self.problems)

    def _isa_fields(self, pos: int, el: list[str], problems: list[X12Problem]) -> None:
        """Validation only: ISA codes, parties and time a TA1 answers but reading can live with."""

        def note(element: int, cause: str, kind: ProblemKind, value: str | None) -> None:
            problems.append(
                X12Problem(self.name, pos, "ISA", element, cause, kind, value=value, fatal=False)
            )

        for element, (what, allowed) in _ISA_CODES.items():
            if el[element] not in allowed:
                listed = ", ".join(allowed[:-1]) + " or " + allowed[-1]
                note(element, f"{what} is not {listed}", ProblemKind.CODE, el[element])
        for element, what in ((6, "sender"), (8, "receiver")):
            if not el[element].strip():
                note(element, f"{what} ID is blank", ProblemKind.REQUIRED, None)
        time = el[10]
        if not (len(time) == 4 and time.isdigit() and time < "2400" and time[2] < "6"):
            note(10, "time is not HHMM", ProblemKind.DATE, time)

    def _iea(self, pos: int, el: list[str]) -> None:
        env = self.env
        if self.level != 1:
            self._unclosed(pos, "IEA")
            if not self.level:
                return
        self._set_level(0)
        count = el[1] if len(el) > 1 else ""
        if not count.isdigit() or int(count) != env.gs_count:
            self.problem(
                pos,
                "IEA",
                1,
                f"IEA01 says {count or 'nothing'} functional groups, "
                f"the interchange has {env.gs_count}",
                ProblemKind.ENVELOPE,
                count,
            )
        control = el[2].strip() if len(el) > 2 else ""
        if control != env.isa_control:
            self.problem(
                pos,
                "IEA",
                2,
                f"control number differs from ISA13 {env.isa_control!r}",
                ProblemKind.ENVELOPE,
                control,
            )

    def _unclosed(self, pos: int, tag: str) -> None:
        expected = {0: "ISA", 1: "GS or IEA", 2: "ST or GE", 3: "SE"}[self.level]
        self.problem(
            pos, tag, None, f"{tag} out of place: expected {expected}", ProblemKind.ENVELOPE
        )

    def _gs(self, pos: int, el: list[str]) -> None:
        env = self.env
        if self.level != 1:
            self._unclosed(pos, "GS")
        self._set_level(2)
        el = [*el, *[""] * (9 - len(el))]
        env.gs_pos, env.gs_control, env.gs_version, env.st_count = pos, el[6], el[8], 0
        if not el[6].isdigit():
            self.problem(
                pos, "GS", 6, "group control number is not numeric", ProblemKind.VALUE, el[6]
            )
        try:
            parse_date(el[4], self.name, pos, "GS", 4)
        except X12ParseError as exc:
            self.report(exc.problem)

    def _ge(self, pos: int, el: list[str]) -> None:
        env = self.env
        if self.level != 2:
            self._unclosed(pos, "GE")
            if self.level < 2:
                return
        env.gs_count += 1
        self._set_level(1)
        count = el[1] if len(el) > 1 else ""
        if not count.isdigit() or int(count) != env.st_count:
            self.problem(
                pos,
                "GE",
                1,
                f"GE01 says {count or 'nothing'} transaction sets, the group has {env.st_count}",
                ProblemKind.ENVELOPE,
                count,
            )
        control = el[2] if len(el) > 2 else ""
        if control != env.gs_control:
            self.problem(
                pos,
                "GE",
                2,
                f"control number differs from GS06 {env.gs_control!r}",
                ProblemKind.ENVELOPE,
                control,
            )

    def _st(self, pos: int, el: list[str]) -> None:
        env = self.env
        if self.level != 2:
            self._unclosed(pos, "ST")
            if self.level == 3:
                self._se(pos, ["SE", "", env.st_control], count_check=False)
        self._set_level(3)
        el = [*el, *[""] * (4 - len(el))]
        env.st_pos, env.st_id, env.st_control = pos, el[1], el[2]
        version = el[3] or env.gs_version
        if not el[2]:
            self.problem(
                pos, "ST", 2, "transaction set control number missing", ProblemKind.REQUIRED
            )
        handler = self._handler(el[1], version)
        if handler is None:
            self.problem(
                pos,
                "ST",
                1,
                f"unsupported transaction set {el[1]} {version}",
                ProblemKind.CODE,
                el[1],
            )
            return
        self.handler = handler
        txn = Transaction(
            self.name,
            self.delimiters,
            env.isa_control,
            env.gs_control,
            el[2],
            el[1],
            version,
            pos,
            self.problems is not None,
        )
        handler.begin(txn, self.report)
        self.table.update(handler.table)
        self.table.update(self._envelope_table)

    def _handler(self, set_id: str, version: str) -> Handler | None:
        key = (set_id, version)
        if key not in self._handlers:
            handler = self.factory(set_id, version)
            if handler is not None:
                # One list for every handler keeps the records in file order.
                handler.out = self.out
            self._handlers[key] = handler
        return self._handlers[key]

    def _se(self, pos: int, el: list[str], count_check: bool = True) -> None:
        env = self.env
        if self.level != 3:
            self._unclosed(pos, "SE")
            return
        handler = self.handler
        env.st_count += 1
        self._set_level(2)
        if handler is not None:
            handler.end(pos)
        if not count_check:
            return
        count = el[1] if len(el) > 1 else ""
        actual = pos - env.st_pos + 1
        if not count.isdigit() or int(count) != actual:
            self.problem(
                pos,
                "SE",
                1,
                f"SE01 says {count or 'nothing'} segments, the transaction set has {actual}",
                ProblemKind.ENVELOPE,
                count,
            )
        control = el[2] if len(el) > 2 else ""
        if control != env.st_control:
            self.problem(
                pos,
                "SE",
                2,
                f"control number differs from ST02 {env.st_control!r}",
                ProblemKind.ENVELOPE,
                control,
            )


_TA1_FIELDS: Final = ("control_number", "interchange_date", "interchange_time", "status",
                      "note_code")


def interchange_ack(el: list[str], name: str, pos: int) -> InterchangeAck:
    """A TA1 segment (at interchange level) as its record; X12ParseError at the element its
    record refuses."""
    values = [*el[1:6], *[""] * (6 - len(el))]
    try:
        return InterchangeAck.model_validate(dict(zip(_TA1_FIELDS, values, strict=True)))
    except ValidationError as exc:
        error = exc.errors(include_url=False)[0]
        field = str(error["loc"][0])
        value = values[_TA1_FIELDS.index(field)]
        raise X12ParseError(
            f"{field}: {error['msg']}",
            source=name,
            segment=pos,
            segment_id="TA1",
            element=_TA1_FIELDS.index(field) + 1,
            value=value or None,
            kind=ProblemKind.REQUIRED if not value else ProblemKind.VALUE,
        ) from None
