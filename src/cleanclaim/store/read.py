"""Reading stored records back as canonical batches."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import pyarrow as pa
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from ..domain import Record
from ..domain.schema import Batch, table_specs
from .tables import record_table

__all__ = ["count_records", "read_batch"]


def read_batch(
    engine: Engine,
    model: type[Record],
    keys: Sequence[str] | None = None,
    *,
    where: Mapping[str, Sequence[Any]] | None = None,
) -> Batch:
    """Stored records of ``model`` (all, or those whose single-column key is in ``keys``, and
    whose key columns named in ``where`` hold one of the values given), as a canonical batch
    ordered by key."""
    specs = table_specs(model)
    root_key = specs[0].key
    if keys is not None and len(root_key) != 1:
        raise ValueError(f"{model.__name__} has a composite key; select by keys is not offered")
    chosen = dict(where or {})
    if not set(chosen) <= set(root_key):
        raise ValueError(f"{model.__name__}: where names {sorted(set(chosen) - set(root_key))},"
                         " not key columns")
    if keys is not None:
        chosen[root_key[0]] = keys
    tables: dict[str, pa.Table] = {}
    with engine.connect() as conn:
        for spec in specs:
            table = record_table(spec.name)
            query = sa.select(*(table.c[c.name] for c in spec.columns)).order_by(
                *(table.c[k] for k in spec.key)
            )
            for name, values in chosen.items():
                # Children carry their parent's key, so the same filter selects their rows.
                if name in table.c:
                    query = query.where(table.c[name].in_(list(values)))
            rows = conn.execute(query).all()
            columns: dict[str, list[Any]] = {c.name: [] for c in spec.columns}
            for row in rows:
                for name, value in zip(columns, row, strict=True):
                    columns[name].append(value)
            tables[spec.name] = pa.table(columns, schema=spec.arrow_schema())
    return Batch(model, tables)


def count_records(engine: Engine, model: type[Record]) -> int:
    """How many records of ``model`` are stored."""
    table = record_table(model.__table__)
    with engine.connect() as conn:
        return int(conn.execute(sa.select(sa.func.count()).select_from(table)).scalar_one())
