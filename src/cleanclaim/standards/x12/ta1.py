"""TA1 interchange acknowledgment: the answer to faults of an interchange's envelope (ISA/IEA).

A 999 acknowledges functional groups; what is wrong with the interchange around them (its ISA
header, its IEA trailer, what sits between them outside any group) is answered by a TA1
segment, sent in an interchange of its own: ``ISA TA1 [GS*FA ... GE] IEA`` (IEA01 counts the
groups only). :func:`interchange_acks` judges every interchange of a file from what
:func:`~cleanclaim.standards.x12.api.validate` found, :func:`acknowledgments` picks what to
send back, :func:`write_acknowledgments` writes it and :func:`parse_interchange_acks` reads
TA1 segments back into :class:`~cleanclaim.standards.x12.records.InterchangeAck` records.

Faults and their TA105 note codes, TA104 being R (rejected) or E (accepted with errors):

====================================================  ====  ===
fault                                                 note  TA104
====================================================  ====  ===
IEA02 differs from ISA13                              001   E
ISA12 another version than 00501 / not a version      003 / 017  R
ISA05 / ISA07 qualifier not one the guides allow      005 / 007  R
ISA06 / ISA08 sender / receiver ID blank              006 / 008  E
ISA01 / ISA03 authorization / security qualifier      010 / 012  R
ISA09 date / ISA10 time invalid                       014 / 015  R
ISA13 not 9 digits                                    018   R
ISA14 not 0 or 1                                      019   E
ISA15 not P or T                                      020   E
IEA01 differs from the groups counted                 021   E
ISA with the wrong number of elements                 022   R
the interchange ends without its IEA                  023   R
a segment between the groups, outside all of them     024   R
====================================================  ====  ===

A TA1 carries one note: the interchange's first rejecting fault, else its first other one. A
rejected interchange is not processed further, so its groups get no 999; an interchange
accepted with errors gets its TA1 and the 999s of its groups. A clean interchange gets a TA1
(A, 000) only when its ISA14 asks for one.
"""

from __future__ import annotations

import bisect
import io
from collections.abc import Iterable, Iterator
from typing import Final, TextIO

from .errors import ProblemKind, X12ParseError, X12Problem
from .reader import interchange_ack
from .records import AckCode, FunctionalGroupAck, InterchangeAck
from .tokenizer import Source, iter_segment_blocks, rereadable, source_name
from .writer import WriteOptions, _Envelope, _Out
from .x999 import _acknowledge, _Interchange, _Layout, _layout, _validate, _write_groups

__all__ = [
    "acknowledgments",
    "format_acknowledgments",
    "interchange_acks",
    "parse_interchange_acks",
    "write_acknowledgments",
]

_NOTES: Final[dict[tuple[str, int | None], str]] = {
    ("IEA", 1): "021",
    ("IEA", 2): "001",
    ("ISA", None): "022",
    ("ISA", 1): "010",
    ("ISA", 3): "012",
    ("ISA", 5): "005",
    ("ISA", 6): "006",
    ("ISA", 7): "007",
    ("ISA", 8): "008",
    ("ISA", 9): "014",
    ("ISA", 10): "015",
    ("ISA", 12): "017",
    ("ISA", 13): "018",
    ("ISA", 14): "019",
    ("ISA", 15): "020",
}
_ACCEPTED_WITH_ERRORS: Final = frozenset({"001", "006", "008", "019", "020", "021"})


def _note(problem: X12Problem) -> str | None:
    """The note code of an ISA/IEA problem, None for any other."""
    seg = problem.segment_id or ""
    if seg == "ISA" and problem.element is None and problem.kind is not ProblemKind.SYNTAX:
        return None  # an ISA before the previous IEA: the previous interchange lacks its end
    note = _NOTES.get((seg, problem.element))
    if note == "017" and len(problem.value or "") == 5 and (problem.value or "").isdigit():
        return "003"  # a well-formed version, just not the one read
    return note


def _stray(problem: X12Problem, layout: _Layout, index: int) -> bool:
    """A segment of the interchange ``index`` outside all of its groups."""
    if problem.kind is not ProblemKind.ENVELOPE or problem.segment_id in ("ISA", "IEA"):
        return False
    pos = problem.segment or 0
    for group in layout.groups:
        if group.interchange == index and group.position <= pos <= (group.end or pos):
            return False
    return True


def _verdict(found: list[str]) -> tuple[AckCode, str]:
    rejecting = [note for note in found if note not in _ACCEPTED_WITH_ERRORS]
    if rejecting:
        return AckCode.REJECTED, rejecting[0]
    if found:
        return AckCode.ACCEPTED_WITH_ERRORS, found[0]
    return AckCode.ACCEPTED, "000"


def _judge(layout: _Layout, problems: list[X12Problem]) -> list[tuple[_Interchange, list[str]]]:
    starts = [i.position for i in layout.interchanges]
    found: list[list[str]] = [[] for _ in starts]
    for problem in problems:
        pos = problem.segment or 0
        index = bisect.bisect_right(starts, pos) - 1
        if index < 0 or (problem.segment_id == "ISA" and pos != starts[index]):
            continue  # an ISA the tokenizer could not read is no part of the one before
        note = _note(problem)
        if note is None and _stray(problem, layout, index):
            note = "024"
        if note is not None:
            found[index].append(note)
    for notes, interchange in zip(found, layout.interchanges, strict=True):
        if interchange.end is None:
            notes.append("023")
    return list(zip(layout.interchanges, found, strict=True))


def _echo(value: str, width: int) -> str:
    """An ISA value fit to echo in a TA1: letters and digits only (never a delimiter), at most
    ``width`` of them, zeros when none is left."""
    kept = "".join(ch for ch in value if ch.isascii() and ch.isalnum())[:width]
    return kept or "0" * width


def _ack(interchange: _Interchange, notes: list[str]) -> InterchangeAck:
    status, note = _verdict(notes)
    return InterchangeAck(
        control_number=_echo(interchange.control, 9),
        interchange_date=_echo(interchange.date, 6),
        interchange_time=_echo(interchange.time, 4),
        status=status,
        note_code=note,
    )


def interchange_acks(
    source: Source, problems: list[X12Problem] | None = None
) -> list[InterchangeAck]:
    """The verdict on the envelope of every interchange of ``source``, in file order.

    ``problems`` are what :func:`validate` returned for ``source`` (validated here when not
    given). An interchange whose ISA cannot even be read gets none.
    """
    source = rereadable(source)
    if problems is None:
        problems = _validate(source)
    return [_ack(i, notes) for i, notes in _judge(_layout(source), problems)]


def acknowledgments(
    source: Source,
    problems: list[X12Problem] | None = None,
    *,
    options: WriteOptions | None = None,
) -> tuple[list[InterchangeAck], list[FunctionalGroupAck]]:
    """What to answer ``source`` with: TA1s and 999s (see the module docstring).

    The TA1s of the interchanges with envelope faults or whose ISA14 asks for one, and the
    999 acknowledgments of the groups of every interchange not rejected.
    """
    source = rereadable(source)
    if problems is None:
        problems = _validate(source)
    placed = [p for p in problems if p.segment is not None]
    layout = _layout(source, frozenset(p.segment for p in placed if p.segment is not None))
    ta1s: list[InterchangeAck] = []
    kept: set[int] = set()
    for index, (interchange, notes) in enumerate(_judge(layout, placed)):
        ack = _ack(interchange, notes)
        if ack.status is not AckCode.ACCEPTED or interchange.requested:
            ta1s.append(ack)
        if ack.status is not AckCode.REJECTED:
            kept.add(index)
    return ta1s, _acknowledge(layout, placed, options, kept)


# -- writing ------------------------------------------------------------------------------------


def write_acknowledgments(
    interchanges: Iterable[InterchangeAck],
    groups: Iterable[FunctionalGroupAck],
    stream: TextIO,
    options: WriteOptions | None = None,
) -> int:
    """Write TA1 segments, then the 999 sets of ``groups``, as one interchange.

    Returns the segments written.
    """
    options = options or WriteOptions()
    out = _Out(stream, options)
    env = _Envelope(out, options)
    env.open()
    for ack in interchanges:
        out.value(
            "TA1",
            ack.control_number,
            ack.interchange_date,
            ack.interchange_time,
            ack.status.value,
            ack.note_code,
        )
    _write_groups(out, env, groups)
    env.close()
    return out.count


def format_acknowledgments(
    interchanges: Iterable[InterchangeAck],
    groups: Iterable[FunctionalGroupAck] = (),
    options: WriteOptions | None = None,
) -> str:
    """The text of :func:`write_acknowledgments`."""
    buffer = io.StringIO()
    write_acknowledgments(interchanges, groups, buffer, options)
    return buffer.getvalue()


# -- reading ------------------------------------------------------------------------------------


def parse_interchange_acks(source: Source) -> Iterator[InterchangeAck]:
    """The TA1 segments of ``source`` as records, in file order.

    X12ParseError at a TA1 inside a functional group or with a value its record refuses.
    Nothing else of the file is read (:func:`~cleanclaim.standards.x12.api.parse` reads the
    TA1s with the transaction sets around them).
    """
    name = source_name(source)
    in_group = False
    for first, _, segments in iter_segment_blocks(source):
        for pos, el in enumerate(segments, first):
            tag = el[0]
            if tag in ("GS", "GE"):
                in_group = tag == "GS"
            elif tag == "TA1":
                if in_group:
                    raise X12ParseError(
                        "TA1 inside a functional group",
                        source=name,
                        segment=pos,
                        segment_id="TA1",
                        kind=ProblemKind.STRUCTURE,
                    )
                yield interchange_ack(el, name, pos)
