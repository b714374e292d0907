"""The C fast path of :func:`~cleanclaim.standards.x12.batch.iter_claim_batches`.

The optional extension :mod:`cleanclaim.standards.x12._fast837` reads an 837P/837I file
straight into columnar, Arrow-layout buffers, one batch of claims at a time, without building a
Python object per value; this module turns each batch into the raw tables ``conform`` takes and
validates them, exactly as the Python batch path does with the rows of ``Claim837Handler``.

The C reader handles the well-formed shape of an 837 only. On anything else (an envelope
problem, an unhandled or misplaced segment, a bad date, odd delimiters, line breaks inside
segments, non-ASCII text, lines out of number order, ...) it gives up, and so does this module
when ``conform`` refuses a batch or a batch holds text conform would read differently from
pydantic: the file is then read by the Python path from the first batch not yet given, which
raises the positioned :class:`X12ParseError` or produces the batches. The caller sees the same
batches and the same error either way.

The fast path is used when the extension is built and ``CLEANCLAIM_X12_FAST`` is not ``0``.
"""

from __future__ import annotations

import os
import queue
import threading
from collections.abc import Callable, Iterator
from itertools import islice
from pathlib import Path
from typing import Any, Final

import polars as pl
import pyarrow as pa

from ...domain import Claim
from ...domain.conform import conform
from ...domain.schema import Batch, table_specs
from ...errors import BatchValidationError
from .tokenizer import Source, source_name

try:
    from . import _fast837
except ImportError:  # not built: the Python path does everything
    _fast837 = None  # type: ignore[assignment]

__all__ = ["ENV_VAR", "READ_SIZE", "available", "counts", "enabled", "fast_claim_batches"]

ENV_VAR: Final = "CLEANCLAIM_X12_FAST"
"""Set to ``0`` to force the Python path (tests, benchmarks)."""

READ_SIZE: Final = 1 << 20
"""Bytes handed to the C reader at a time: memory stays bounded by a batch plus this."""

counts: dict[str, int] = {"fast": 0, "python": 0}
"""Batches given by each path since import (tests check the fast path really ran)."""

last_bailout: list[str | None] = [None]
"""Why the fast path last gave up (None: it did not), for tests and debugging."""

# Column kinds of the extension's batches.
_STR, _DATE, _INT, _LIST_STR, _LIST_INT = range(5)

PythonBatches = Callable[[Source, int], Iterator[Batch]]


def _layout_matches() -> bool:
    """The extension's column order is the one of ``table_specs(Claim)``."""
    if _fast837 is None:
        return False
    claims, diagnoses, lines = table_specs(Claim)
    claim_names, line_names, diagnosis_names = _fast837.COLUMNS
    return (
        [f.name for f in claims.fields] == list(claim_names)
        and [f.name for f in lines.fields] == list(line_names)
        and [f.name for f in diagnoses.fields] == list(diagnosis_names)
    )


_AVAILABLE: Final = _layout_matches()


def available() -> bool:
    """The extension is built (and agrees with the canonical layout)."""
    return _AVAILABLE


def enabled() -> bool:
    """The fast path is to be tried: built, and not switched off by ``CLEANCLAIM_X12_FAST=0``."""
    return _AVAILABLE and os.environ.get(ENV_VAR, "1") != "0"


def _array(column: tuple[Any, ...]) -> pa.Array:
    """An Arrow array over the buffers of one column of the extension (no copy per value)."""
    kind, length, nulls, valid, offsets, values, item_offsets = column
    validity = pa.py_buffer(valid) if nulls else None
    if kind == _STR:
        buffers = [validity, pa.py_buffer(offsets), pa.py_buffer(values)]
        return pa.Array.from_buffers(pa.string(), length, buffers, null_count=nulls)
    if kind == _DATE:
        return pa.Array.from_buffers(
            pa.date32(), length, [validity, pa.py_buffer(values)], null_count=nulls
        )
    if kind == _INT:
        return pa.Array.from_buffers(
            pa.int64(), length, [validity, pa.py_buffer(values)], null_count=nulls
        )
    if kind == _LIST_STR:
        items = len(item_offsets) // 4 - 1
        child = pa.Array.from_buffers(
            pa.string(), items, [None, pa.py_buffer(item_offsets), pa.py_buffer(values)]
        )
        list_type = pa.list_(pa.string())
    else:
        child = pa.Array.from_buffers(pa.int64(), len(values) // 8, [None, pa.py_buffer(values)])
        list_type = pa.list_(pa.int64())
    return pa.Array.from_buffers(
        list_type, length, [validity, pa.py_buffer(offsets)], null_count=nulls, children=[child]
    )


def _frame(names: list[str], columns: tuple[Any, ...]) -> pl.DataFrame:
    arrays = [_array(c) for c in columns]
    frame = pl.from_arrow(pa.Table.from_arrays(arrays, names=names))
    assert isinstance(frame, pl.DataFrame)
    return frame


def _validated(sealed: tuple[Any, ...], name: str) -> Batch | None:
    """A sealed batch of the extension, validated; None when the Python path must decide."""
    _, suspicious, claim_columns, line_columns, diagnosis_columns = sealed
    if suspicious:  # text conform would read differently from pydantic
        return None
    claims, diagnoses, lines = table_specs(Claim)
    frames = {
        claims.name: _frame([f.name for f in claims.fields], claim_columns),
        diagnoses.name: _frame(
            [diagnoses.parent_key[0].name, *(f.name for f in diagnoses.fields)], diagnosis_columns
        ),
        lines.name: _frame(
            [lines.parent_key[0].name, *(f.name for f in lines.fields)], line_columns
        ),
    }
    try:
        return conform(Claim, frames, dict.fromkeys(frames, name))
    except BatchValidationError:
        return None  # the Python path places the error at its segment and element


def _byte_chunks(source: Source) -> Iterator[bytes | memoryview]:
    """The bytes of ``source`` (a path, bytes or ASCII text) in READ_SIZE pieces."""
    if isinstance(source, os.PathLike):
        with Path(source).open("rb") as stream:
            while data := stream.read(READ_SIZE):
                yield data
        return
    if isinstance(source, str):
        view = memoryview(source.encode("ascii"))
    elif isinstance(source, bytes):
        view = memoryview(source)
    else:  # an open stream: rereadable() has read it in before this is called
        raise TypeError("the fast path reads paths, bytes and text")
    for start in range(0, len(view), READ_SIZE):
        yield view[start : start + READ_SIZE]


def _readable(source: Source) -> bool:
    """The fast path can read ``source`` (else the Python path reads it, and reports)."""
    if isinstance(source, str):
        return source.isascii()  # the C reader leaves any non-ASCII text to Python anyway
    if isinstance(source, bytes):
        return True
    if isinstance(source, os.PathLike):
        return os.path.isfile(source) and os.access(source, os.R_OK)
    return False


class _Progress:
    """How far the C reader got: batches given, and whether it read the whole file."""

    __slots__ = ("done", "given", "why")

    def __init__(self) -> None:
        self.given = 0
        self.done = False
        self.why: str | None = None


_Item = tuple[str, Any]
"""What the reading thread hands over: ("batch", sealed), ("bail", why), ("end", None) or
("error", exception)."""


def _produce(
    source: Source, claims_per_batch: int, out: queue.Queue[_Item], stop: threading.Event
) -> None:
    """Read ``source`` with the C reader (which releases the GIL while it reads) and hand its
    sealed batches over, so that reading the next batch overlaps validating this one."""

    def put(item: _Item) -> bool:
        while not stop.is_set():
            try:
                out.put(item, timeout=0.05)
                return True
            except queue.Full:
                continue
        return False

    try:
        outcome = _read(source, claims_per_batch, put, stop)
    except BaseException as exc:  # handed to the consumer, which decides
        put(("error", exc))
        return
    if outcome is not None:
        put(outcome)


def _read(
    source: Source,
    claims_per_batch: int,
    put: Callable[[_Item], bool],
    stop: threading.Event,
) -> _Item | None:
    """Feed the C reader and put its batches; the last item (end or bail), or None when the
    consumer stopped listening."""
    assert _fast837 is not None
    parser = _fast837.Parser(claims_per_batch)
    produced = 0
    for chunk in _byte_chunks(source):
        if stop.is_set():
            return None
        if not parser.feed(chunk):
            return ("bail", parser.why)
        for sealed in parser.take():
            if not put(("batch", sealed)):
                return None
            produced += 1
    if not parser.finish():
        return ("bail", parser.why)
    sealed_batches = parser.take()
    if parser.pending or (produced == 0 and not sealed_batches):
        # The rest of the claims; a file without claims gives one empty batch.
        sealed_batches += parser.take(True)
    for sealed in sealed_batches:
        if not put(("batch", sealed)):
            return None
    return ("end", None)


def _fast(source: Source, claims_per_batch: int, progress: _Progress) -> Iterator[Batch]:
    """Batches of the C reader, as long as it holds (``progress`` says how far it got)."""
    name = source_name(source)
    # One batch waits while the next is read and the previous one is validated: memory stays
    # bounded by a few batches.
    handed: queue.Queue[_Item] = queue.Queue(maxsize=1)
    stop = threading.Event()
    reader = threading.Thread(
        target=_produce, args=(source, claims_per_batch, handed, stop), daemon=True,
        name="cleanclaim-fast837",
    )
    reader.start()
    try:
        while True:
            kind, value = handed.get()
            if kind == "batch":
                batch = _validated(value, name)
                if batch is None:
                    progress.why = "conform refused a batch, or it holds blank-edged text"
                    return
                progress.given += 1
                yield batch
            elif kind == "end":
                progress.done = True
                return
            elif kind == "bail":
                progress.why = value
                return
            elif isinstance(value, OSError):  # the Python path reports an unreadable file
                progress.why = f"read error: {value}"
                return
            else:
                raise value
    finally:
        stop.set()
        reader.join()


def fast_claim_batches(
    source: Source, claims_per_batch: int, python: PythonBatches
) -> Iterator[Batch]:
    """The batches of ``iter_claim_batches``: the C reader's while it holds, then those of
    ``python`` (the Python batch path) from the first batch not yet given."""
    progress = _Progress()
    if _readable(source):
        for batch in _fast(source, claims_per_batch, progress):
            counts["fast"] += 1
            yield batch
    else:
        progress.why = "source not readable by the fast path"
    last_bailout[0] = progress.why
    if progress.done:
        return
    for batch in islice(python(source, claims_per_batch), progress.given, None):
        counts["python"] += 1
        yield batch
