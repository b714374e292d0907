"""Streaming X12 tokenizer: text in, segments (lists of elements) out, in constant memory.

Delimiters are learned from the fixed-width 106-character ISA header of each interchange
(element separator = character 4, repetition separator = ISA11, component separator = ISA16,
segment terminator = the character after ISA16). The input is read in chunks and cut with
``str.split`` so the per-segment Python work is one split; line breaks after terminators and
files with no line breaks at all are both accepted, and so are files wrapped at a fixed width
(every CR/LF that is not itself a delimiter is dropped, as X12 data may not contain them).

Segments are numbered 1, 2, ... in file order (the ISA segment is 1); empty segments are not
counted. Elements are the raw strings of the segment, element 0 being the segment id.
"""

from __future__ import annotations

import codecs
import gc
import io
import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import IO, Final

from .errors import ProblemKind, X12ParseError

__all__ = [
    "CHUNK_SIZE",
    "MAX_SEGMENT_LENGTH",
    "Delimiters",
    "Segment",
    "Source",
    "cyclic_gc_paused",
    "iter_segment_blocks",
    "iter_segments",
    "rereadable",
    "source_name",
]

CHUNK_SIZE: Final = 1 << 18
"""Characters read at a time: large enough for split() to dominate, small enough to stay flat."""

Source = str | bytes | os.PathLike[str] | IO[bytes] | IO[str]
"""An X12 input: a path (``os.PathLike``), the content itself (``str`` or ``bytes``) or an open
file. A plain ``str`` is always content, never a file name: wrap names in ``Path``."""

MAX_SEGMENT_LENGTH: Final = 1 << 22
"""Longest run of text without a terminator accepted: keeps memory bounded on garbage input."""

ISA_LENGTH: Final = 106
_ISA_SEPARATORS: Final = (3, 6, 17, 20, 31, 34, 50, 53, 69, 76, 81, 83, 89, 99, 101, 103)
_LEADING: Final = " \t\r\n\ufeff\x00"
_LINE_BREAKS: Final = ("\r", "\n")


@dataclass(frozen=True, slots=True)
class Delimiters:
    """The four delimiters of an interchange. ``repetition`` is None when ISA11 is not one."""

    element: str = "*"
    component: str = ":"
    segment: str = "~"
    repetition: str | None = "^"


@dataclass(frozen=True, slots=True)
class Segment:
    """One segment: its 1-based ordinal in the file and its elements (element 0 is the id)."""

    position: int
    elements: list[str]

    @property
    def id(self) -> str:
        return self.elements[0]

    def get(self, index: int) -> str:
        """Element ``index`` (1-based like X12 names it: ``CLM01`` is ``get(1)``), or ''."""
        elements = self.elements
        return elements[index] if index < len(elements) else ""


@contextmanager
def cyclic_gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while a block is split or read.

    Reading allocates a great many small lists and dicts that reference counting frees on its
    own (none forms a cycle); left on, the collector rescans every live object again and again
    and takes most of the time. The previous state is restored on leaving.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def source_name(source: Source) -> str:
    """A short name for messages: the file name, or a placeholder for in-memory content."""
    if isinstance(source, os.PathLike):
        return os.fspath(source)
    if isinstance(source, str | bytes):
        return "<x12>"
    name = getattr(source, "name", None)
    return name if isinstance(name, str) else "<x12>"


def rereadable(source: Source) -> Source:
    """``source`` in a form that can be read more than once: an open file is read in."""
    if isinstance(source, str | bytes | os.PathLike):
        return source
    data = source.read()
    return data if isinstance(data, str | bytes) else str(data)


def _error(
    cause: str, name: str, segment: int | None, value: str | None = None, segment_id: str = "ISA"
) -> X12ParseError:
    return X12ParseError(
        cause,
        source=name,
        segment=segment,
        segment_id=segment_id,
        value=value,
        kind=ProblemKind.SYNTAX,
    )


def sniff_delimiters(header: str, name: str = "<x12>", segment: int = 1) -> Delimiters:
    """Read the delimiters from the text of an ISA segment (at least its 106 characters).

    The ISA is fixed width; a header that is not is still accepted when splitting it on the
    element separator gives 16 elements and ISA16 is one character followed by the terminator
    (some senders trim the padding of ISA02/ISA04).
    """
    if not header.startswith("ISA") or len(header) < 4:
        raise _error(
            "the interchange does not start with an ISA segment", name, segment, header[:3]
        )
    sep = header[3]
    if len(header) >= ISA_LENGTH and all(header[i] == sep for i in _ISA_SEPARATORS):
        repetition, component, terminator = header[82], header[104], header[105]
    else:
        parts = header.split(sep, 16)
        if len(parts) < 17 or len(parts[16]) < 2:
            raise _error(
                "ISA header is not 106 fixed-width characters", name, segment, header[:ISA_LENGTH]
            )
        repetition, component, terminator = parts[11][:1], parts[16][0], parts[16][1]
    chosen = [sep, component, terminator]
    for ch in chosen:
        if ch.isalnum() or ch == " ":
            raise _error(f"delimiter {ch!r} is a letter, a digit or a space", name, segment)
    if len(set(chosen)) != 3:
        raise _error("element, component and segment delimiters are not distinct", name, segment)
    # In 4010 ISA11 was a standards identifier ('U'), not a separator.
    rep: str | None = repetition
    if not repetition or repetition.isalnum() or repetition in chosen or repetition == " ":
        rep = None
    return Delimiters(element=sep, component=component, segment=terminator, repetition=rep)


def _byte_chunks(stream: IO[bytes], size: int, name: str) -> Iterator[str]:
    decoder = codecs.getincrementaldecoder("utf-8")()
    offset = 0
    while True:
        data = stream.read(size)
        final = not data
        try:
            text = decoder.decode(data, final=final)
        except UnicodeDecodeError as exc:
            raise X12ParseError(
                f"byte {offset + max(exc.start, 0)} is not UTF-8 text",
                source=name,
                kind=ProblemKind.SYNTAX,
            ) from None
        offset += len(data)
        if text:
            yield text
        if final:
            return


def _text_chunks(stream: IO[str], size: int) -> Iterator[str]:
    while True:
        text = stream.read(size)
        if not text:
            return
        yield text


def _chunks(source: Source, size: int, name: str) -> Iterator[str]:
    if isinstance(source, str):
        for start in range(0, len(source), size):
            yield source[start : start + size]
    elif isinstance(source, bytes):
        yield from _byte_chunks(io.BytesIO(source), size, name)
    elif isinstance(source, os.PathLike):
        try:
            stream = Path(source).open("rb")  # noqa: SIM115 - closed below, after the generator
        except OSError as exc:
            raise X12ParseError(f"cannot open: {exc.strerror or exc}", source=name) from None
        with stream:
            yield from _byte_chunks(stream, size, name)
    else:
        first = source.read(0)
        if isinstance(first, bytes):
            yield from _byte_chunks(source, size, name)  # type: ignore[arg-type]
        else:
            yield from _text_chunks(source, size)  # type: ignore[arg-type]


class _Buffer:
    """Unconsumed raw text, refilled from the chunk iterator."""

    __slots__ = ("chunks", "eof", "text")

    def __init__(self, chunks: Iterator[str]) -> None:
        self.chunks = chunks
        self.text = ""
        self.eof = False

    def fill(self) -> bool:
        """Append one more chunk; False at the end of the input."""
        if self.eof:
            return False
        chunk = next(self.chunks, None)
        if chunk is None:
            self.eof = True
            return False
        self.text += chunk
        return True


def _line_breaks_to_drop(delims: Delimiters) -> tuple[str, ...]:
    used = {delims.element, delims.component, delims.segment}
    return tuple(ch for ch in _LINE_BREAKS if ch not in used)


def _next_interchange(delims: Delimiters) -> re.Pattern[str]:
    return re.compile(re.escape(delims.segment) + r"[\r\n \t]*ISA")


def _interchange_change(text: str, boundary: re.Pattern[str], delims: Delimiters) -> int:
    """Where in ``text`` an interchange with other delimiters starts (its terminator), or -1.

    Interchanges with the same delimiters are not cut apart, so that many small interchanges
    cost no more than one large one.
    """
    for found in boundary.finditer(text):
        header = text[found.end() - 3 : found.end() - 3 + ISA_LENGTH + 8]
        if len(header) < ISA_LENGTH:
            return found.start()
        try:
            same = sniff_delimiters(header) == delims
        except X12ParseError:
            same = False
        if not same:
            return found.start()
    return -1


def _start_interchange(
    buf: _Buffer, delims: Delimiters | None, name: str, position: int
) -> Delimiters | None:
    """At a segment boundary: skip white space and learn the delimiters of a new ISA.

    Returns the delimiters in force, or None at the end of the input.
    """
    while len(buf.text) < ISA_LENGTH + 8 and buf.fill():
        pass
    buf.text = buf.text.lstrip(_LEADING)
    if not buf.text and buf.eof:
        if delims is None:
            raise _error("the input is empty", name, position)
        return None
    if delims is None or buf.text.startswith("ISA"):
        return sniff_delimiters(buf.text, name, position)
    return delims


def iter_segment_blocks(
    source: Source, *, chunk_size: int = CHUNK_SIZE
) -> Iterator[tuple[int, Delimiters, list[list[str]]]]:
    """Segments in blocks: ``(ordinal of the first, delimiters, [elements, ...])``.

    The fast path for parsers: one tuple per chunk instead of one object per segment. A block
    never spans two interchanges, so its delimiters hold for every segment in it. The list is
    the consumer's: it may clear it once read (the reader does, to free it early).
    """
    name = source_name(source)
    counter = [0]
    try:
        yield from _blocks(_Buffer(_chunks(source, chunk_size, name)), name, counter)
    except X12ParseError as exc:
        if exc.segment is not None:
            raise
        # Unreadable bytes are found while filling the buffer: place them after the last
        # segment read so every error has a position.
        problem = replace(exc.problem, segment=counter[0] + 1)
        raise X12ParseError.from_problem(problem) from None


def _take_block(
    buf: _Buffer, delims: Delimiters, boundary: re.Pattern[str], name: str, position: int
) -> str | None:
    """Cut the complete segments off the buffer: '' when more input is needed, None at the end."""
    term = delims.segment
    text = buf.text
    # Another interchange may bring other delimiters: end the block just before it.
    cut = _interchange_change(text, boundary, delims)
    if cut < 0:
        cut = text.rfind(term)
    if cut < 0:
        if len(text) > MAX_SEGMENT_LENGTH:
            raise _error(
                f"no segment terminator {term!r} in {MAX_SEGMENT_LENGTH} characters",
                name,
                position,
                text[:20],
                text[:3],
            )
        if buf.fill():
            return ""
        text = text.strip(_LEADING)
        if not text:
            return None
        cut = len(text)  # the last segment lacks its terminator
    block, buf.text = text[: cut + 1], text[cut + 1 :]
    return block


def _blocks(
    buf: _Buffer, name: str, counter: list[int]
) -> Iterator[tuple[int, Delimiters, list[list[str]]]]:
    count = 0
    delims: Delimiters | None = None
    drop: tuple[str, ...] = ()
    boundary: re.Pattern[str] | None = None
    while True:
        if delims is None or buf.text[:1] in _LEADING or buf.text.startswith("ISA"):
            found = _start_interchange(buf, delims, name, count + 1)
            if found is None:
                return
            if found is not delims:
                delims = found
                drop = _line_breaks_to_drop(delims)
                boundary = _next_interchange(delims)
        assert boundary is not None
        block = _take_block(buf, delims, boundary, name, count + 1)
        if block is None:
            return
        for ch in drop:
            block = block.replace(ch, "")
        sep, term = delims.element, delims.segment
        with cyclic_gc_paused():
            segments = [part.split(sep) for part in block.split(term) if part]
        if segments:
            start, count = count + 1, count + len(segments)
            counter[0] = count
            yield start, delims, segments
        del segments  # not kept alive (and scanned by the collector) once the reader is done
        if not buf.text and buf.eof:
            return


def iter_segments(source: Source, *, chunk_size: int = CHUNK_SIZE) -> Iterator[Segment]:
    """Every segment of ``source`` in order, with its 1-based ordinal."""
    for first, _, segments in iter_segment_blocks(source, chunk_size=chunk_size):
        for position, elements in enumerate(segments, first):
            yield Segment(position, elements)
