"""What the simulated payer knows: the world's tables as Polars frames, its prices and its
hidden policy.

:class:`PayerContext` is built from an in-memory :class:`~cleanclaim.synth.World` or from the
folder :func:`~cleanclaim.synth.write_world` wrote. Besides the published tables (payers, plans,
coverages, members, providers, authorizations, the world's code tables) it holds the payer's
private terms, which the world does not publish and a provider cannot see before the answer:

- **Fee schedule**: allowed amount per unit = the world's typical charge of the code times a
  factor by line of business (:data:`FEE_FACTOR`), lower out of network; lines without a
  procedure code (revenue-code-only institutional lines) are allowed a share of the charge.
- **Cost sharing** by plan (:class:`CostShare`): deductible, coinsurance, copays for visits,
  nothing for preventive care; derived deterministically from the plan's line of business and
  a stable hash of its id.
- **Hidden policy**: the claims the payer denies at its own discretion (records requested, a
  reviewer's medical-necessity judgement, a mid-quarter policy change nobody published). The
  world records these decisions in its labels, as the rows with ``preventable = False``; the
  context turns them into a ledger keyed on claim *content* (payer, member ID, billing NPI,
  first date and the billed lines), never on the claim id, so the same services are denied
  however they are resubmitted, and nothing else in the labels is ever read.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import polars as pl

from cleanclaim.domain import Claim
from cleanclaim.domain.schema import table_specs
from cleanclaim.errors import InputError

if TYPE_CHECKING:
    from .world import World

__all__ = [
    "COPAY_FAMILIES",
    "FEE_FACTOR",
    "CostShare",
    "PayerContext",
    "claim_signatures",
    "cost_share",
]

FEE_FACTOR: dict[str, float] = {
    "commercial": 0.82,
    "aca_marketplace": 0.76,
    "medicare_advantage": 0.68,
    "medicaid": 0.55,
}
"""Allowed amount as a share of the world's typical charge, by line of business."""

OUT_OF_NETWORK_FACTOR = 0.7
"""Further factor on the allowed amount of a provider without a contract with the payer."""

COPAY_FAMILIES = ("office_visit", "emergency_visit")
"""Procedure families a copay applies to (once per claim, on the first such line)."""

_HIDDEN = {
    "payer_discretion": "payer_discretion",
    "medical_necessity_review": "medical_necessity_review",
    "policy_change": "policy_change",
}


@dataclass(frozen=True, slots=True)
class CostShare:
    """A plan's cost sharing: annual deductible, coinsurance rate and copays, in dollars."""

    deductible: int
    coinsurance: float
    office_copay: int
    emergency_copay: int


_COST_SHARES: dict[str, tuple[CostShare, ...]] = {
    "commercial": (CostShare(500, 0.2, 25, 150), CostShare(1000, 0.2, 30, 200),
                   CostShare(250, 0.1, 20, 100)),
    "aca_marketplace": (CostShare(2000, 0.3, 40, 250), CostShare(6500, 0.4, 50, 350)),
    "medicare_advantage": (CostShare(0, 0.2, 15, 90), CostShare(250, 0.2, 10, 75)),
    "medicaid": (CostShare(0, 0.0, 0, 0),),
}


def _stable(text: str) -> int:
    """A hash that does not change between runs or Python versions (unlike ``hash``)."""
    return int.from_bytes(hashlib.sha256(text.encode()).digest()[:8], "big")


def cost_share(plan_id: str, product_line: str) -> CostShare:
    """The cost sharing of a plan: one of its line of business's designs, chosen by its id."""
    options = _COST_SHARES.get(product_line, _COST_SHARES["commercial"])
    return options[_stable(plan_id) % len(options)]


def claim_signatures(claims: pl.DataFrame, lines: pl.DataFrame) -> pl.DataFrame:
    """``claim_id`` and ``signature``: a fingerprint of what a claim bills.

    Two claims with the same payer, member ID, billing NPI, statement start and lines (code,
    revenue code, modifiers, units, charge, date) get the same signature: the key of the
    duplicate edit and of the hidden-policy ledger. Computed from text, so it is stable.
    """
    line_text = lines.sort("claim_id", "line_number").select(
        "claim_id",
        pl.concat_str(
            pl.col("procedure_code").fill_null(""),
            pl.col("revenue_code").fill_null(""),
            pl.col("modifiers").list.join(",").fill_null(""),
            pl.col("units").cast(pl.String),
            pl.col("charge").cast(pl.String),
            pl.col("service_from").cast(pl.String),
            separator="/",
        ).alias("t"),
    ).group_by("claim_id", maintain_order=True).agg(pl.col("t").str.join(";"))
    joined = claims.select(
        "claim_id", "payer_id", "member_id", "billing_npi",
        pl.col("statement_from").cast(pl.String).fill_null(""),
    ).join(line_text, on="claim_id", how="left")
    text = pl.concat_str(
        "payer_id", "member_id", "billing_npi", "statement_from",
        pl.col("t").fill_null(""), separator="|",
    )
    return joined.select("claim_id", text.alias("signature"))


@dataclass
class PayerContext:
    """The world as the payer sees it, as Polars frames, plus the hidden-policy ledger.

    ``ledger`` maps a claim signature (:func:`claim_signatures`) to the hidden reason
    (``payer_discretion``, ``medical_necessity_review`` or ``policy_change``).
    """

    seed: int
    payers: pl.DataFrame
    plans: pl.DataFrame
    plan_limits: pl.DataFrame
    members: pl.DataFrame
    coverages: pl.DataFrame
    providers: pl.DataFrame
    authorizations: pl.DataFrame
    procedures: pl.DataFrame
    diagnoses: pl.DataFrame
    dx_support: pl.DataFrame
    ptp_edits: pl.DataFrame
    ledger: dict[str, str] = field(default_factory=dict)

    @classmethod
    def from_world(cls, world: World) -> PayerContext:
        """The context of an in-memory world."""
        frames: dict[str, pl.DataFrame] = {}
        for b in world.batches().values():
            frames.update(b.frames())
        for name, table in world.reference.items():
            frames[name] = _frame(table)
        labels = _frame(world.labels)
        claims = world.claims.frames()
        return cls._build(world.seed, frames, labels, claims["claims"], claims["claim_lines"])

    @classmethod
    def from_dir(cls, folder: str | os.PathLike[str]) -> PayerContext:
        """The context of a world written by ``write_world`` or ``stream_world``."""
        path = Path(folder)
        names = ("payers", "plans", "plan_limits", "members", "coverages", "providers",
                 "authorizations", "ref_procedures", "ref_diagnoses", "ref_dx_support",
                 "ref_ptp_edits")
        frames: dict[str, pl.DataFrame] = {}
        for name in names:
            file = path / f"{name}.parquet"
            if not file.is_file():
                raise InputError(f"{path}: no {name}.parquet (is this a synthetic world?)")
            try:
                frames[name] = pl.read_parquet(file)
            except (pl.exceptions.PolarsError, OSError) as exc:
                raise InputError(f"{file}: cannot be read: {exc}") from exc
        seed = 0
        manifest = path / "manifest.json"
        if manifest.is_file():
            seed = int(json.loads(manifest.read_text(encoding="utf-8")).get("seed", 0))
        labels_file = path / "labels.parquet"
        if labels_file.is_file() and (path / "claims.parquet").is_file():
            labels = pl.read_parquet(labels_file, columns=["claim_id", "defect", "preventable"])
            hidden = labels.filter(pl.col("preventable").not_())["claim_id"]
            # Only the hidden claims are needed: scan, so a large world is not read whole.
            claims = pl.scan_parquet(path / "claims.parquet").filter(
                pl.col("claim_id").is_in(hidden.implode())).collect()
            lines = pl.scan_parquet(path / "claim_lines.parquet").filter(
                pl.col("claim_id").is_in(hidden.implode())).collect()
        else:
            labels = pl.DataFrame({"claim_id": [], "defect": [], "preventable": []},
                                  schema={"claim_id": pl.String, "defect": pl.String,
                                          "preventable": pl.Boolean})
            claims = _empty("claims")
            lines = _empty("claim_lines")
        return cls._build(seed, frames, labels, claims, lines)

    @classmethod
    def _build(cls, seed: int, f: dict[str, pl.DataFrame], labels: pl.DataFrame,
               claims: pl.DataFrame, lines: pl.DataFrame) -> PayerContext:
        hidden = labels.filter(pl.col("preventable").not_()).select("claim_id", "defect")
        hidden = hidden.filter(pl.col("defect").is_in(list(_HIDDEN)))
        ids = hidden["claim_id"].implode()
        sigs = claim_signatures(claims.filter(pl.col("claim_id").is_in(ids)),
                                lines.filter(pl.col("claim_id").is_in(ids)))
        ledger = dict(sigs.join(hidden, on="claim_id").select("signature", "defect").iter_rows())
        return cls(
            seed=seed,
            payers=f["payers"],
            plans=f["plans"],
            plan_limits=f["plan_limits"],
            members=f["members"],
            coverages=f["coverages"],
            providers=f["providers"],
            authorizations=f["authorizations"],
            procedures=f["ref_procedures"],
            diagnoses=f["ref_diagnoses"],
            dx_support=f["ref_dx_support"],
            ptp_edits=f["ref_ptp_edits"],
            ledger=ledger,
        )


def _frame(table: object) -> pl.DataFrame:
    frame = pl.from_arrow(table)
    assert isinstance(frame, pl.DataFrame)
    return frame


def _empty(name: str) -> pl.DataFrame:
    spec = next(s for s in table_specs(Claim) if s.name == name)
    return pl.DataFrame(schema=spec.polars_schema())

