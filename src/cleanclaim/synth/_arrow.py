"""Small helpers that turn numpy arrays into Arrow columns of the canonical tables.

Codes and names are kept as integer indices into a vocabulary while the world is built (cheap
to sample and to change); they become strings only here, with one vectorized ``take``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence

import numpy as np
import numpy.typing as npt
import pyarrow as pa

from cleanclaim.domain import Record
from cleanclaim.domain.schema import Batch, table_specs

__all__ = [
    "EPOCH",
    "BoolArray",
    "IntArray",
    "batch",
    "dates",
    "days",
    "decimals",
    "list_column",
    "strings",
    "vocab",
]

IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]
EPOCH = dt.date(1970, 1, 1)


def days(value: dt.date) -> int:
    """Days since 1970-01-01, the storage of an Arrow date32."""
    return (value - EPOCH).days


def vocab(values: Sequence[str]) -> pa.Array:
    return pa.array(list(values), type=pa.string())


def strings(table: pa.Array, index: IntArray) -> pa.Array:
    """``table[index]`` as a string column; negative indices become nulls."""
    missing = index < 0
    if missing.any():
        return table.take(pa.array(np.where(missing, 0, index), mask=missing))
    return table.take(pa.array(index))


def dates(value: IntArray, null: npt.NDArray[np.bool_] | None = None) -> pa.Array:
    return pa.array(value.astype(np.int32), type=pa.date32(), mask=null)


def decimals(scaled: IntArray, precision: int, scale: int) -> pa.Array:
    """A decimal column from integers already multiplied by 10**scale (no rounding here)."""
    n = len(scaled)
    words = np.empty((n, 2), dtype=np.int64)
    words[:, 0] = scaled
    words[:, 1] = scaled >> 63  # sign extension into the high 64 bits of the 128-bit value
    return pa.Array.from_buffers(
        pa.decimal128(precision, scale), n, [None, pa.py_buffer(words.tobytes())]
    )


def list_column(slots: IntArray, values: pa.Array | None = None) -> pa.Array:
    """A list column from a (rows, k) matrix of slots; negative slots are empty.

    With ``values`` the slots index into it (list of strings), else the slots are the values.
    """
    filled = slots >= 0
    counts = filled.sum(axis=1)
    offsets = np.zeros(len(slots) + 1, dtype=np.int32)
    np.cumsum(counts, out=offsets[1:])
    flat = slots[filled]
    items = pa.array(flat, type=pa.int64()) if values is None else values.take(pa.array(flat))
    return pa.ListArray.from_arrays(pa.array(offsets), items)


def batch(model: type[Record], tables: Mapping[str, Mapping[str, pa.Array]]) -> Batch:
    """Assemble a Batch, ordering and typing the columns exactly as the canonical schema says.

    A column the caller does not give is filled with its default, or nulls when it has none
    (so an optional field added to the model later does not break generation).
    """
    out: dict[str, pa.Table] = {}
    for spec in table_specs(model):
        schema = spec.arrow_schema()
        columns = tables.get(spec.name, {})
        rows = len(next(iter(columns.values()))) if columns else 0
        arrays = []
        for f, c in zip(schema, spec.columns, strict=True):
            if f.name in columns:
                arrays.append(columns[f.name].cast(f.type))
            elif c.has_default and not c.is_list:
                arrays.append(pa.array([c.default] * rows, f.type))
            elif c.nullable or c.has_default:
                arrays.append(pa.array([[] if c.is_list else None] * rows, f.type))
            else:
                raise KeyError(f"{spec.name}.{f.name}: required column not generated")
        out[spec.name] = pa.Table.from_arrays(arrays, schema=schema)
    return Batch(model, out)
