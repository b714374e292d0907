"""The payer's memory kept between calls, shared by the simulator's parts.

:class:`SimulatorState` only declares the attributes that
:class:`~cleanclaim.synth.adjudicate.PayerSimulator` sets in its constructor, so that each part
(a mixin) can be type-checked alone.
"""

from __future__ import annotations

from typing import Any

import polars as pl

from ..payer import PayerContext


class SimulatorState:
    """Attributes of the payer simulator (set by ``PayerSimulator.__init__``)."""

    ctx: PayerContext
    history: set[str]
    deductible_met: dict[tuple[str, int], int]
    _claims: pl.DataFrame
    _lines: pl.DataFrame
    _counter: int
    _traces: int
    _appeals: dict[str, int]
    _dead: set[str]
    _indexed: bool
    _by_pcn: dict[str, dict[str, Any]]
    _lines_by_payment: dict[str, list[dict[str, Any]]]
    _latest: dict[str, str]
    _extra_claims: list[dict[str, Any]]
    _extra_lines: list[dict[str, Any]]
    _edits: pl.DataFrame
    _plans: pl.DataFrame
