"""Reading stored records back as canonical batches."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pyarrow as pa
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from ..domain import Record
from ..domain.schema import Batch, table_specs
from .tables import record_table

__all__ = ["count_records", "read_batch"]


def read_batch(
    engine: Engine, model: type[Record], keys: Sequence[str] | None = None
) -> Batch:
    """Stored records of ``model`` (all, or those whose single-column key is in ``keys``),
    as a canonical batch ordered by key."""
    specs = table_specs(model)
    root_key = specs[0].key
    if keys is not None and len(root_key) != 1:
        raise ValueError(f"{model.__name__} has a composite key; select by keys is not offered")
    tables: dict[str, pa.Table] = {}
    with engine.connect() as conn:
        for spec in specs:
            table = record_table(spec.name)
            query = sa.select(*(table.c[c.name] for c in spec.columns)).order_by(
                *(table.c[k] for k in spec.key)
            )
            if keys is not None:
                query = query.where(table.c[root_key[0]].in_(list(keys)))
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
