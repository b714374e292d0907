"""Column types that keep canonical values exact on every back-end."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator, TypeEngine

__all__ = ["ExactDecimal"]


class ExactDecimal(TypeDecorator[Decimal]):
    """NUMERIC(p, s) that reads back as an exact :class:`Decimal` on SQLite too.

    SQLite has no decimal type: it keeps NUMERIC values as integers or doubles. A double holds
    every value of at most 15 significant digits exactly enough that its shortest repr is the
    decimal written, so the value is rebuilt from that repr and quantized to the scale.
    """

    impl = sa.Numeric
    cache_ok = True

    def __init__(self, precision: int, scale: int) -> None:
        super().__init__(precision=precision, scale=scale)
        self.precision = precision
        self.scale = scale
        self._quantum = Decimal(1).scaleb(-scale)

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[Any]:
        if dialect.name == "sqlite":
            return dialect.type_descriptor(sa.Numeric(self.precision, self.scale, asdecimal=False))
        return dialect.type_descriptor(sa.Numeric(self.precision, self.scale))

    def process_bind_param(self, value: Any, dialect: Dialect) -> Any:
        if value is None or dialect.name != "sqlite":
            return value
        return str(value)

    def process_result_value(self, value: Any, dialect: Dialect) -> Decimal | None:
        if value is None:
            return None
        exact = value if isinstance(value, Decimal) else Decimal(repr(value))
        return exact.quantize(self._quantum)

    def __repr__(self) -> str:
        return f"ExactDecimal(precision={self.precision}, scale={self.scale})"
