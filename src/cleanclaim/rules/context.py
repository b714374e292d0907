"""What the rules read: the batch of claims, the payer-side context and the reference tables.

:class:`Context` holds what outlives one batch (members, coverages, plans, payers, providers,
authorizations, claim history and the :class:`~.reference.Reference` tables); it is built
once and reused for every batch and for every real-time claim. :class:`ScrubContext` is one
batch of claims seen through a context, with the joins many rules share (claim dates of
service, lines with their claim's header, the coverage each claim resolves to) computed once,
eagerly, and handed to the rules as LazyFrames. For a small batch the party tables are cut
down first to the rows its claims can reach, through row indexes the :class:`Context` builds
on first use and keeps, so a few claims do not hash a million coverages.

Any part of a context may be absent; a rule that needs an absent part is skipped by the engine.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from functools import cached_property
from typing import Any

import polars as pl

from ..domain import Claim
from ..domain.schema import Batch, table_specs
from .reference import Reference

__all__ = ["Context", "Reference", "ScrubContext", "empty_claims", "query_flags"]


def _frames(batch: Batch | None) -> dict[str, pl.DataFrame]:
    return {} if batch is None else batch.frames()


@dataclass(frozen=True)
class Context:
    """What the rules check claims against, beyond the claims: absent parts are None."""

    members: pl.DataFrame | None = None
    coverages: pl.DataFrame | None = None
    plans: pl.DataFrame | None = None
    plan_limits: pl.DataFrame | None = None
    payers: pl.DataFrame | None = None
    providers: pl.DataFrame | None = None
    authorizations: pl.DataFrame | None = None
    history_claims: pl.DataFrame | None = None
    history_lines: pl.DataFrame | None = None
    reference: Reference = field(default_factory=Reference)
    as_of: dt.date | None = None
    _positions: dict[tuple[str, str], dict[Any, list[int]]] = field(
        init=False, default_factory=dict, repr=False, compare=False)

    @classmethod
    def from_batches(cls, batches: Mapping[str, Batch], *, reference: Reference | None = None,
                     as_of: dt.date | None = None) -> Context:
        """From canonical batches keyed by root table (``members``, ``coverages``, ``plans``,
        ``payers``, ``providers``, ``authorizations``; ``claims`` is the history)."""
        def one(name: str) -> pl.DataFrame | None:
            frame = _frames(batches.get(name)).get(name)
            if frame is None:
                return None
            # The same record may come twice (a CSV file and an 834): the first one wins.
            key = list(batches[name].model.__key__)
            return frame.unique(subset=key, keep="first", maintain_order=True)

        plans = _frames(batches.get("plans"))
        history = _frames(batches.get("claims"))
        return cls(
            members=one("members"), coverages=one("coverages"), plans=plans.get("plans"),
            plan_limits=plans.get("plan_limits"), payers=one("payers"),
            providers=one("providers"), authorizations=one("authorizations"),
            history_claims=history.get("claims"), history_lines=history.get("claim_lines"),
            reference=reference or Reference(), as_of=as_of,
        )

    def positions(self, name: str, column: str) -> dict[Any, list[int]] | None:
        """Row numbers of part ``name`` by value of ``column`` (built on first use, then
        reused), or None when the part or the column is absent."""
        key = (name, column)
        if key not in self._positions:
            frame = getattr(self, name)
            if frame is None or column not in frame.columns:
                return None
            grouped = frame.select(pl.col(column), pl.int_range(pl.len()).alias("_row")
                                   ).group_by(column).agg("_row")
            self._positions[key] = {k: v for k, v in grouped.iter_rows() if k is not None}
        return self._positions[key]

    def rows_where(self, name: str, wanted: Mapping[str, Iterable[Any]]) -> pl.DataFrame | None:
        """The rows of part ``name`` whose ``column`` is one of the values, for any of the
        columns of ``wanted``, in their original order (ties broken by order stay broken the
        same way); the whole part when a column cannot be indexed."""
        frame = getattr(self, name)
        if frame is None:
            return None
        rows = self._row_numbers(name, wanted)
        if rows is None:
            return frame  # type: ignore[no-any-return]
        out: pl.DataFrame = frame[rows] if rows else frame.head(0)
        return out

    def dicts_where(self, name: str, wanted: Mapping[str, Iterable[Any]]
                    ) -> list[dict[str, Any]] | None:
        """:meth:`rows_where` as Python dicts, row by row: for the few rows of one claim, a
        tenth of the time of gathering them into a frame first (8 against 85 µs a row of
        a 49-column part)."""
        frame: pl.DataFrame | None = getattr(self, name)
        if frame is None:
            return None
        rows = self._row_numbers(name, wanted)
        if rows is None:
            return frame.to_dicts()
        return [frame.row(i, named=True) for i in rows]

    def _row_numbers(self, name: str, wanted: Mapping[str, Iterable[Any]]) -> list[int] | None:
        """The row numbers (sorted) of part ``name`` matching ``wanted``; None when a column
        cannot be indexed."""
        rows: set[int] = set()
        for column, values in wanted.items():
            index = self.positions(name, column)
            if index is None:
                return None
            for v in values:
                rows.update(index.get(v, ()))
        return sorted(rows)

    def with_history(self, claims: pl.DataFrame, lines: pl.DataFrame) -> Context:
        """This context with another claim history (claims and their lines); the row indexes
        of the other parts are kept, so a stream of small batches does not rebuild them."""
        out = replace(self, history_claims=claims, history_lines=lines)
        out._positions.update({k: v for k, v in self._positions.items()
                               if not k[0].startswith("history_")})
        return out

    def available(self) -> frozenset[str]:
        """The names (keys of ``rules.api.NEEDS``) of the parts present."""
        have = {n for n in ("members", "coverages", "plans", "plan_limits", "payers",
                            "providers", "authorizations") if getattr(self, n) is not None}
        if self.history_claims is not None and self.history_lines is not None:
            have.add("history")
        ref = self.reference
        have |= {n for n in ("icd10cm", "procedures", "ptp", "mue", "restrictions",
                             "dx_restrictions", "dx_support", "addon") if ref.has(n)}
        return frozenset(have)


def empty_claims() -> Batch:
    """A claims batch with no rows."""
    tables = {s.name: s.arrow_schema().empty_table() for s in table_specs(Claim)}
    return Batch(Claim, tables)


_SMALL_BATCH = 200
"""Up to this many claims, reference lookups slice sorted tables instead of hash-joining."""

_FULL_OPTS = pl.QueryOptFlags()
_NO_OPTS = pl.QueryOptFlags.none()


def query_flags(claims: int) -> pl.QueryOptFlags:
    """Polars optimizations for plans over a batch of ``claims`` claims: none for a small
    batch, whose plans run in microseconds while optimizing them costs a third of a
    millisecond each (measured on one claim: 12 ms for the suite's plans vs 17 ms); all for
    a large one, where pushdowns and shared subplans pay."""
    return _NO_OPTS if claims <= _SMALL_BATCH else _FULL_OPTS


_CLAIM_HEADER = ("claim_type", "payer_id", "member_id", "billing_npi", "patient_sex",
                 "patient_birth_date", "frequency_code")


_REACHED = frozenset({"coverages", "members", "authorizations", "providers",
                      "history_claims", "history_lines"})
"""Parts of a context cut down to the rows a batch's claims can reach."""


def _values(frame: pl.DataFrame | None, column: str) -> pl.Series:
    if frame is None or column not in frame.columns:
        return pl.Series(column, [], dtype=pl.String)
    return frame[column].drop_nulls().unique()


def _union(*parts: pl.Series) -> pl.Series:
    return pl.concat([p.cast(pl.String) for p in parts]).unique()


class ScrubContext:
    """One batch of claims seen through a :class:`Context`; shared joins computed once."""

    def __init__(self, claims: Batch, context: Context) -> None:
        frames = claims.frames()
        self.context = context
        self.reference = context.reference
        self._claims = frames["claims"]
        self._lines = frames["claim_lines"]
        self._diagnoses = frames["claim_diagnoses"]
        self._shared: dict[str, pl.DataFrame] = {}
        self._reached: dict[str, pl.DataFrame | None] = {}
        self.flags = query_flags(self._claims.height)

    @property
    def claim_ids(self) -> pl.Series:
        """The batch's claim IDs, in order (strings)."""
        return self._claims["claim_id"].cast(pl.String)

    @property
    def batch_frames(self) -> tuple[pl.DataFrame, pl.DataFrame]:
        """The batch's claims and lines as given (no derived columns)."""
        return self._claims, self._lines

    @property
    def claim_types(self) -> pl.Series:
        """The batch's claim types, in claim order (strings)."""
        return self._claims["claim_type"].cast(pl.String)

    def collect(self, plan: pl.LazyFrame) -> pl.DataFrame:
        """Run a plan over this batch now (with the optimizations its size calls for)."""
        return plan.collect(engine="in-memory", optimizations=self.flags)

    def shared(self, name: str, build: Callable[[], pl.LazyFrame]) -> pl.LazyFrame:
        """An intermediate several rules use, computed once per batch (e.g. the lines needing
        authorization, the duplicate signatures)."""
        if name not in self._shared:
            self._shared[name] = self.collect(build())
        return self._shared[name].lazy()

    def _frame(self, name: str) -> pl.DataFrame | None:
        if name not in _REACHED:
            value: pl.DataFrame | None = getattr(self.context, name)
            return value
        if name not in self._reached:
            self._reached[name] = getattr(self, f"_reach_{name}")()
        return self._reached[name]

    def _part(self, name: str) -> pl.LazyFrame | None:
        value = self._frame(name)
        return None if value is None else value.lazy()

    # The rows of the large party tables the batch's claims can reach, each part worked out
    # on first use (a batch checked by a few rules reaches only the parts those read).
    #
    # A hash join hashes its whole build side, so one claim joined to a million coverages
    # costs milliseconds, and a chunk of 100,000 claims joined to them half a second. Reached:
    # coverages of the claims' member IDs and of the persons those resolve to (other payers'
    # coverages, for coordination of benefits), those persons' and IDs' member records, their
    # authorizations and any the claims reference by number, the billing providers, and the
    # history of every ID of those persons. A small batch finds them through indexes the
    # context builds once; a large one filters a table when it is more than twice the size of
    # the batch (else hashing it whole is cheaper). Payers, plans and limits stay whole.

    def _reach(self, name: str, wanted: dict[str, pl.Series]) -> pl.DataFrame | None:
        ctx = self.context
        n = self._claims.height
        if n <= _SMALL_BATCH:
            return ctx.rows_where(name, {c: v.to_list() for c, v in wanted.items()})
        frame: pl.DataFrame | None = getattr(ctx, name)
        # History is always cut down: rules build signatures over every history row, which
        # costs far more than filtering (a carried 100,000-claim chunk cost a third more).
        whole = frame is not None and frame.height <= 2 * n and not name.startswith("history")
        if frame is None or whole or any(c not in frame.columns for c in wanted):
            return frame
        return frame.filter(pl.any_horizontal([
            pl.col(c).is_in(v.cast(frame.schema[c]).implode()) for c, v in wanted.items()]))

    @cached_property
    def _member_ids(self) -> pl.Series:
        return _values(self._claims, "member_id")

    @cached_property
    def _persons(self) -> pl.Series:
        """The persons the claims' member IDs resolve to, through any coverage."""
        return _values(self._reach("coverages", {"subscriber_id": self._member_ids}),
                       "member_id")

    def _reach_coverages(self) -> pl.DataFrame | None:
        return self._reach("coverages", {"subscriber_id": self._member_ids,
                                         "member_id": self._persons})

    def _reach_members(self) -> pl.DataFrame | None:
        return self._reach("members", {"member_id": _union(self._member_ids, self._persons)})

    def _reach_authorizations(self) -> pl.DataFrame | None:
        referenced = _union(_values(self._claims, "prior_auth_number"),
                            _values(self._lines, "prior_auth_number"))
        return self._reach("authorizations",
                           {"member_id": self._persons, "auth_id": referenced})

    def _reach_providers(self) -> pl.DataFrame | None:
        return self._reach("providers", {"npi": _values(self._claims, "billing_npi")})

    def _reach_history_claims(self) -> pl.DataFrame | None:
        subscribers = _union(self._member_ids,
                             _values(self._frame("coverages"), "subscriber_id"))
        return self._reach("history_claims", {"member_id": subscribers})

    def _reach_history_lines(self) -> pl.DataFrame | None:
        history = self._frame("history_claims")
        return None if history is None else self._reach(
            "history_lines", {"claim_id": _values(history, "claim_id")})

    @property
    def members(self) -> pl.LazyFrame | None:
        return self._part("members")

    @property
    def coverages(self) -> pl.LazyFrame | None:
        return self._part("coverages")

    @property
    def plans(self) -> pl.LazyFrame | None:
        return self._part("plans")

    @property
    def plan_limits(self) -> pl.LazyFrame | None:
        return self._part("plan_limits")

    @property
    def payers(self) -> pl.LazyFrame | None:
        return self._part("payers")

    @property
    def providers(self) -> pl.LazyFrame | None:
        return self._part("providers")

    @property
    def authorizations(self) -> pl.LazyFrame | None:
        return self._part("authorizations")

    @property
    def history_claims(self) -> pl.LazyFrame | None:
        return self._part("history_claims")

    @property
    def history_lines(self) -> pl.LazyFrame | None:
        return self._part("history_lines")

    def reference_rows(self, name: str, key: str, codes: pl.LazyFrame) -> pl.LazyFrame:
        """The rows of reference table ``name`` whose ``key`` is one of the batch's ``codes``
        (one column), for a join on ``key``: found by binary search in a copy of the table
        sorted once per context, for any batch size. A batch of 100,000 claims bills a few
        hundred distinct codes, which reach a few thousand of two million PTP edits: slicing
        them out costs milliseconds, hashing the whole table for a join a few hundred
        (measured: the PTP rule alone 455 ms of CPU with the hash join, see benchmarks)."""
        values = self.collect(codes).to_series()
        if self._claims.height <= _SMALL_BATCH:
            return self.reference.rows_for(name, key, values)
        # A large batch bills thousands of distinct codes (diagnoses): the row ranges are
        # gathered in one vectorized step instead of a slice per code.
        frame = self.reference.sorted_copy(name, key)
        wanted = values.drop_nulls().unique().sort().cast(frame.schema[key])
        column = frame[key]
        ranges = pl.select(pl.int_ranges(
            column.search_sorted(wanted, side="left"),
            column.search_sorted(wanted, side="right"))).to_series().explode().drop_nulls()
        return frame[ranges].lazy()

    @property
    def as_of(self) -> dt.date:
        return self.context.as_of or dt.date.today()

    @cached_property
    def claims(self) -> pl.LazyFrame:
        """Claims with ``dos`` (first date of service) and ``dos_last`` (last)."""
        # Each intermediate here is one plan collected once: a chain of eager operations
        # costs a collect each, which on one claim adds up to milliseconds.
        dates = self._lines.lazy().group_by("claim_id").agg(
            pl.col("service_from").min().alias("dos"),
            pl.max_horizontal(pl.col("service_to").max(), pl.col("service_from").max())
            .alias("dos_last"),
        )
        return self.collect(self._claims.lazy().join(dates, on="claim_id", how="left")).lazy()

    @cached_property
    def claim_lines(self) -> pl.LazyFrame:
        """Lines with their claim's header: ``claim_type`` ... ``dos``, ``claim_pos``,
        ``claim_auth``, and ``provider_npi`` (line rendering, claim rendering, else billing)."""
        header = self.claims.select(
            "claim_id", *_CLAIM_HEADER, "dos",
            pl.col("place_of_service").alias("claim_pos"),
            pl.col("prior_auth_number").alias("claim_auth"),
            pl.col("rendering_npi").alias("claim_rendering_npi"),
        )
        out = self._lines.lazy().join(header, on="claim_id", how="left").with_columns(
            pl.coalesce("rendering_npi", "claim_rendering_npi", "billing_npi")
            .alias("provider_npi"))
        return self.collect(out).lazy()

    @cached_property
    def claim_diagnoses(self) -> pl.LazyFrame:
        return self._diagnoses.lazy()

    @cached_property
    def eligibility(self) -> pl.LazyFrame:
        """Per claim, the coverage its payer and member ID resolve to on the first DOS.

        Columns: claim_id, has_coverage (any coverage with this payer and ID), active (one is
        in force), person_id, plan_id, cob_order, coverage_id, last_end (latest termination
        before the DOS), next_start (first effective date after it), known_elsewhere (the ID
        is known at another payer or as a member).
        """
        coverages, members = self._frame("coverages"), self._frame("members")
        assert coverages is not None
        cov = coverages.lazy().select(
            "coverage_id", "payer_id", pl.col("subscriber_id").alias("member_id"),
            pl.col("member_id").alias("person_id"), "plan_id", "cob_order",
            "effective_date", "termination_date")
        claims = self.claims.select("claim_id", "payer_id", "member_id", "dos")
        joined = claims.join(cov, on=["payer_id", "member_id"], how="left").with_columns(
            ((pl.col("effective_date") <= pl.col("dos"))
             & (pl.col("termination_date").is_null()
                | (pl.col("dos") <= pl.col("termination_date")))).fill_null(False)
            .alias("_active"))
        best = joined.sort(["claim_id", "_active", "cob_order"],
                           descending=[False, True, False]).group_by(
            "claim_id", maintain_order=True).agg(
            pl.col("coverage_id").is_not_null().any().alias("has_coverage"),
            pl.col("_active").any().alias("active"),
            pl.col("person_id").first(), pl.col("plan_id").first(),
            pl.col("cob_order").first(), pl.col("coverage_id").first(),
            pl.col("termination_date").filter(pl.col("termination_date") < pl.col("dos"))
            .max().alias("last_end"),
            pl.col("effective_date").filter(pl.col("effective_date") > pl.col("dos"))
            .min().alias("next_start"),
        )
        known = pl.concat([
            cov.select("member_id"),
            *([] if members is None else [members.lazy().select("member_id")]),
        ]).unique()
        ids = claims.select("claim_id", "member_id").join(
            known.with_columns(pl.lit(True).alias("known_elsewhere")), on="member_id",
            how="left")
        out = best.join(ids.select("claim_id", "known_elsewhere"), on="claim_id", how="left")
        out = out.with_columns(
            pl.col("known_elsewhere").fill_null(False),
            # Without an active coverage there is no person or plan to judge by.
            *[pl.when(pl.col("active")).then(pl.col(c)).alias(c)
              for c in ("person_id", "plan_id", "cob_order", "coverage_id")],
        )
        return self.collect(out).lazy()
