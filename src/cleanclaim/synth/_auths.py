"""Authorizations of the synthetic population: the background prior authorizations on file
for members, independent of the authorization defects injected into claims."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from cleanclaim.domain import Authorization
from cleanclaim.domain.schema import Batch

from . import catalog as cat
from ._arrow import batch, dates, decimals, list_column, strings, vocab
from ._members import _Members
from .templates import Vocab


def _background_auths(
    rng: np.random.Generator, pop: _Members, voc: Vocab, start: int, end: int
) -> Batch:
    """Authorizations that approve nothing in the service window: realistic noise.

    Pending, denied and cancelled requests, and approvals that expired before the window
    (used in full), so no claim of the world can lean on one of them.
    """
    n = max(5, pop.n // 100)
    member = rng.integers(0, pop.n, n)
    codes = np.array([voc.proc_index[c] for c in cat.AUTH_CANDIDATES])[
        rng.integers(0, len(cat.AUTH_CANDIDATES), n)
    ]
    status = rng.choice(["pending", "denied", "cancelled", "approved"], size=n,
                        p=[0.2, 0.35, 0.15, 0.3])
    first = np.where(status == "approved", start - rng.integers(100, 400, n),
                     start + rng.integers(0, end - start - 30, n))
    approved = rng.integers(1, 6, n)
    used = np.where(status == "approved", approved, 0)
    ids = pc.utf8_lpad(pa.array(np.arange(1, n + 1)).cast(pa.string()), 9, "0")
    decided = pa.array(np.where(status == "pending", 0, first - 2).astype(np.int32),
                       pa.date32(), mask=status == "pending")
    col = {
        "auth_id": pc.binary_join_element_wise(pa.scalar("PB"), ids, ""),
        "payer_id": strings(vocab([p.payer_id for p in pop.profiles]), pop.c_payer[member]),
        "member_id": pop.member_ids.take(pa.array(member)),
        "provider_npi": pa.nulls(n, pa.string()),
        "procedure_codes": list_column(codes.reshape(-1, 1), vocab(voc.procedures)),
        "start_date": dates(first),
        "end_date": dates(first + 60),
        "units_approved": decimals(approved * 1000, 12, 3),
        "units_used": decimals(used * 1000, 12, 3),
        "status": pa.array(status, pa.string()),
        "decided_on": decided,
    }
    return batch(Authorization, {"authorizations": col})
