"""Payers and plans of the synthetic population: the payer table and each payer's plans with
their prior-authorization lists, exclusions, benefit limits and enrollment weights."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import pyarrow as pa

from cleanclaim.domain import Payer, Plan
from cleanclaim.domain.schema import Batch

from . import catalog as cat
from ._arrow import BoolArray, IntArray, batch, decimals, strings, vocab
from .templates import Vocab


def _payers(profiles: list[cat.PayerProfile]) -> Batch:
    n = len(profiles)
    idx = np.arange(n, dtype=np.int64)
    col = {
        "payer_id": vocab([p.payer_id for p in profiles]),
        "name": vocab([p.name for p in profiles]),
        "timely_filing_days": pa.array([p.timely_filing_days for p in profiles], pa.int64()),
        "appeal_window_days": pa.array([p.appeal_window_days for p in profiles], pa.int64()),
        "corrected_claim_days": pa.array([p.corrected_claim_days for p in profiles], pa.int64()),
        "member_id_pattern": strings(vocab([p.member_id_pattern for p in profiles]), idx),
    }
    return batch(Payer, {"payers": col})


def _plans(
    rng: np.random.Generator, profiles: list[cat.PayerProfile], voc: Vocab
) -> tuple[Batch, IntArray, BoolArray, BoolArray, IntArray, npt.NDArray[np.float64]]:
    ids: list[str] = []
    names: list[str] = []
    payer: list[int] = []
    lines: list[str] = []
    weight: list[float] = []
    for i, prof in enumerate(profiles):
        for j, plan_name in enumerate(prof.plans):
            ids.append(f"{prof.payer_id}-{j + 1:02d}")
            names.append(f"{prof.name} {plan_name}")
            payer.append(i)
            lines.append(prof.product_line)
            weight.append(prof.weight / len(prof.plans))
    n = len(ids)
    n_codes = len(voc.procedures)
    auth = np.zeros((n, n_codes), dtype=bool)
    excl = np.zeros((n, n_codes), dtype=bool)
    limit = np.zeros(n, dtype=np.int64)
    excl_lists: list[list[str]] = []
    auth_lists: list[list[str]] = []
    for q in range(n):
        k = int(rng.integers(1, 3))
        families = set(rng.choice(cat.EXCLUDABLE_FAMILIES, size=k, replace=False).tolist())
        codes = [p.code for p in cat.PROCEDURES if p.family in families]
        excl_lists.append(codes)
        required = list(cat.AUTH_CANDIDATES[:3]) + [
            c for c in cat.AUTH_CANDIDATES[3:] if rng.random() < 0.5
        ]
        auth_lists.append(required)
        for c in codes:
            excl[q, voc.proc_index[c]] = True
        for c in required:
            auth[q, voc.proc_index[c]] = True
        if rng.random() < 0.6:
            limit[q] = int(rng.choice([6, 8]))
    if not limit.any():
        limit[0] = 6
    limited = [p.code for p in cat.PROCEDURES if p.family == cat.LIMITED_FAMILY]
    lim_plan = np.flatnonzero(limit > 0)
    lim_offsets = np.zeros(n + 1, dtype=np.int32)
    lim_offsets[1:] = np.cumsum(limit > 0)
    codes_list = pa.array([limited] * len(lim_plan), type=pa.list_(pa.string()))
    limits = {
        "plan_id": vocab([ids[q] for q in lim_plan]),
        "benefit": vocab(["physical_therapy_units_per_visit"] * len(lim_plan)),
        "procedure_codes": codes_list,
        "max_units": decimals(limit[lim_plan] * 1000, 12, 3),
        "period": vocab(["per_visit"] * len(lim_plan)),
    }
    col = {
        "plan_id": vocab(ids),
        "payer_id": vocab([profiles[i].payer_id for i in payer]),
        "name": vocab(names),
        "product_line": vocab(lines),
        "excluded_codes": pa.array(excl_lists, type=pa.list_(pa.string())),
        "auth_required_codes": pa.array(auth_lists, type=pa.list_(pa.string())),
    }
    plans = batch(Plan, {"plans": col, "plan_limits": limits})
    w = np.array(weight)
    return plans, np.array(payer, dtype=np.int64), auth, excl, limit, w / w.sum()
