"""What the rules read: the batch of claims, the payer-side context and the reference tables.

:class:`Context` holds what outlives one batch (members, coverages, plans, payers, providers,
authorizations, claim history and :class:`Reference` tables); it is built once and reused for
every batch and for every real-time claim. :class:`ScrubContext` is one batch of claims seen
through a context, with the joins many rules share (claim dates of service, lines with their
claim's header, the coverage each claim resolves to) computed once, eagerly, and handed to the
rules as LazyFrames. For a small batch (real time) the party tables are cut down first to the
rows its claims can reach, through row indexes the :class:`Context` builds on first use and
keeps, so one claim does not hash a million coverages.

Any part of a context may be absent; a rule that needs an absent part is skipped by the engine.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, fields, replace
from functools import cached_property
from typing import Any

import numpy as np
import polars as pl
import pyarrow as pa

from ..domain import Claim
from ..domain.schema import Batch, table_specs
from ..refdata import modifiers, place_of_service_codes

__all__ = ["Context", "Reference", "ScrubContext", "empty_claims", "query_flags"]


def _lazy(frame: pl.DataFrame | pl.LazyFrame | pa.Table | None) -> pl.LazyFrame | None:
    if frame is None:
        return None
    if isinstance(frame, pa.Table):
        out = pl.from_arrow(frame)
        assert isinstance(out, pl.DataFrame)
        return out.lazy()
    return frame.lazy()


def _window(frame: pl.LazyFrame) -> pl.LazyFrame:
    names = frame.collect_schema().names()
    add = [pl.lit(None, pl.Date).alias(c) for c in ("valid_from", "valid_before")
           if c not in names]
    return frame.with_columns(add) if add else frame


_DATED = ("icd10cm", "procedures", "ptp", "ptp_institutional", "mue", "mue_institutional",
          "restrictions", "dx_restrictions", "dx_support", "addon")
"""Tables that carry ``valid_from``/``valid_before`` (added as nulls when given without)."""
_SETTINGS = {"ptp": "ptp_institutional", "mue": "mue_institutional"}
"""A table of the practitioner setting and its institutional counterpart: replaced together."""


@dataclass(frozen=True)
class Reference:
    """Reference tables as LazyFrames, each with ``valid_from``/``valid_before`` windows.

    - ``icd10cm``: code, billable (a DOS outside every window cannot be judged, not invalid)
    - ``procedures``: code, system (``cpt`` or ``hcpcs``); ``procedure_systems`` says which
      systems are loaded, since a 5-digit code can only be judged when a CPT list is
    - ``ptp``: column1, column2, modifier_indicator (0 never, 1 with a bypass modifier, 9 n/a):
      the practitioner edits, for professional claims; ``ptp_institutional`` the same from the
      outpatient hospital edits, for institutional claims (absent: ``ptp`` serves every claim)
    - ``mue``: code, mue_value, adjudication_indicator (1 line, 2/3 date of service): the
      practitioner values; ``mue_institutional`` the facility values, likewise
    - ``restrictions``: code, sex (``M``/``F``/null), min_age, max_age (inclusive; null =
      open): procedure age/sex restrictions
    - ``dx_restrictions``: code, edit (newborn, pediatric, maternity, adult, age, male,
      female), sex, min_age, max_age: ICD-10-CM age/sex edits (Medicare Code Editor style)
    - ``dx_support``: policy_id, procedure_low, procedure_high, diagnosis (a coverage-policy
      table: a line whose code is in a policy's range needs one pointed diagnosis that the
      policy lists, as the code itself or a prefix of it)
    - ``addon``: addon_code, primary_code (an add-on needs one of its listed primaries, in
      force on the date of service)
    - ``modifiers``, ``place_of_service``: the bundled tables of :mod:`cleanclaim.refdata`
    """

    icd10cm: pl.LazyFrame | None = None
    procedures: pl.LazyFrame | None = None
    procedure_systems: frozenset[str] = frozenset()
    ptp: pl.LazyFrame | None = None
    ptp_institutional: pl.LazyFrame | None = None
    mue: pl.LazyFrame | None = None
    mue_institutional: pl.LazyFrame | None = None
    restrictions: pl.LazyFrame | None = None
    dx_restrictions: pl.LazyFrame | None = None
    dx_support: pl.LazyFrame | None = None
    addon: pl.LazyFrame | None = None
    modifiers: pl.LazyFrame = field(default_factory=lambda: modifiers().lazy())
    place_of_service: pl.LazyFrame = field(
        default_factory=lambda: place_of_service_codes().lazy())
    _sorted: dict[tuple[str, str], pl.DataFrame] = field(
        init=False, default_factory=dict, repr=False, compare=False)
    _indexes: dict[tuple[str, str], dict[Any, list[dict[str, Any]]]] = field(
        init=False, default_factory=dict, repr=False, compare=False)
    _keys: dict[tuple[str, str], tuple[np.ndarray[Any, Any], int]] = field(
        init=False, default_factory=dict, repr=False, compare=False)

    def __post_init__(self) -> None:
        for name in _DATED:
            table = getattr(self, name)
            if table is not None:
                object.__setattr__(self, name, _window(table))

    @classmethod
    def from_store(cls, store: Any) -> Reference:
        """Tables of a :class:`~cleanclaim.refdata.RefdataStore` (every loaded release): both
        NCCI settings (practitioner for professional claims, outpatient hospital / facility
        for institutional ones), the age/sex edits and the coverage policies."""
        window = ("valid_from", "valid_before")
        icd = store.icd10cm().select("code", "billable", *window)
        hcpcs = store.hcpcs().select("code", pl.lit("hcpcs").alias("system"), *window)
        cpt = store.cpt_codes().select("code", pl.lit("cpt").alias("system"), *window)
        systems = {"hcpcs"} if store.hcpcs().head(1).collect().height else set()
        if store.cpt_codes().head(1).collect().height:
            systems.add("cpt")

        def ptp(setting: str) -> pl.LazyFrame:
            return store.ptp_edits(setting).select(  # type: ignore[no-any-return]
                "column1", "column2", pl.col("modifier_indicator").cast(pl.Int64), *window)

        def mue(setting: str) -> pl.LazyFrame:
            return store.mue_values(setting).select(  # type: ignore[no-any-return]
                "code", pl.col("mue_value").cast(pl.Int64),
                pl.col("adjudication_indicator").cast(pl.Int64), *window)

        ages = (pl.col("age_low").cast(pl.Int64).alias("min_age"),
                pl.col("age_high").cast(pl.Int64).alias("max_age"))
        addon = None
        if hasattr(store, "aoc_edits"):
            # Type 1 edits only: the listed primaries are the only ones allowed. Types 2 and 3
            # leave the choice of primary to the payer, which a pre-submission check cannot know.
            addon = store.aoc_edits().filter(pl.col("edit_type") == 1).select(
                "addon_code", "primary_code", *window)
        return cls(
            icd10cm=icd, procedures=pl.concat([hcpcs, cpt]),
            procedure_systems=frozenset(systems), ptp=ptp("practitioner"),
            ptp_institutional=ptp("hospital"), mue=mue("practitioner"),
            mue_institutional=mue("facility"), addon=addon,
            restrictions=store.procedure_age_sex().select("code", "sex", *ages, *window),
            dx_restrictions=store.icd10cm_age_sex().select(
                "code", "edit", "sex", *ages, *window),
            dx_support=store.coverage_policies().select(
                "policy_id", "procedure_low", "procedure_high", "diagnosis", *window),
        )

    @classmethod
    def from_tables(cls, tables: Mapping[str, pa.Table | pl.DataFrame]) -> Reference:
        """Reference from plain code tables (no dates: valid at any date of service).

        Names read: ``ref_procedures`` (code, max_units, sex, min_age, max_age),
        ``ref_dx_support`` (procedure_code, diagnosis_code: one coverage policy of the payer;
        a diagnosis covers itself and any longer code), ``ref_ptp_edits`` (column1, column2;
        a modifier is needed on the column-2 line), ``ref_addon`` (addon_code, primary_code).
        Others are ignored. This is the layout of a payer's own code tables and of the
        synthetic world's ``ref_*`` files; its PTP and MUE tables serve every claim type.
        """
        procs = _lazy(tables.get("ref_procedures"))
        out: dict[str, Any] = {}
        if procs is not None:
            out["procedures"] = procs.select(
                pl.col("code").cast(pl.String), pl.lit("any").alias("system"))
            out["procedure_systems"] = frozenset({"any"})
            out["mue"] = procs.select(
                pl.col("code").cast(pl.String), pl.col("max_units").cast(pl.Int64)
                .alias("mue_value"), pl.lit(1, pl.Int64).alias("adjudication_indicator"))
            out["restrictions"] = procs.select(
                pl.col("code").cast(pl.String), pl.col("sex").cast(pl.String),
                pl.col("min_age").cast(pl.Int64), pl.col("max_age").cast(pl.Int64))
        support = _lazy(tables.get("ref_dx_support"))
        if support is not None:
            code = pl.col("procedure_code").cast(pl.String)
            out["dx_support"] = support.select(
                pl.lit("ref_dx_support").alias("policy_id"),
                code.alias("procedure_low"), code.alias("procedure_high"),
                pl.col("diagnosis_code").cast(pl.String).alias("diagnosis"))
        ptp = _lazy(tables.get("ref_ptp_edits"))
        if ptp is not None:
            out["ptp"] = ptp.select(
                "column1", "column2", pl.lit(1, pl.Int64).alias("modifier_indicator"))
        addon = _lazy(tables.get("ref_addon"))
        if addon is not None:
            out["addon"] = addon.select("addon_code", "primary_code")
        return cls(**out)

    def merged(self, other: Reference) -> Reference:
        """This reference with every table ``other`` has taking precedence. A PTP or MUE table
        replaces both settings: ``other``'s institutional table, or none (its table then serves
        every claim type)."""
        changes = {f.name: getattr(other, f.name) for f in fields(other)
                   if f.init and getattr(other, f.name) is not None
                   and f.name not in {"modifiers", "place_of_service", "procedure_systems"}}
        if "procedures" in changes:
            changes["procedure_systems"] = other.procedure_systems
        for table, institutional in _SETTINGS.items():
            if table in changes:
                changes[institutional] = getattr(other, institutional)
        return replace(self, **changes)

    def has(self, name: str) -> bool:
        return getattr(self, name, None) is not None

    def for_claim_type(self, name: str, institutional: bool) -> str:
        """The table serving claims of a type: ``ptp`` -> ``ptp_institutional`` for
        institutional claims when that table is loaded, else ``name`` itself."""
        other = _SETTINGS.get(name)
        if institutional and other is not None and self.has(other):
            return other
        return name

    def rows_for(self, name: str, key: str, codes: pl.Series) -> pl.LazyFrame:
        """The rows of table ``name`` whose ``key`` is one of ``codes``, by binary search in
        a copy sorted once: real-time scrubbing of one claim then touches a few rows of a
        two-million-row PTP table instead of hashing all of it."""
        return self.sorted_rows(name, key, codes).lazy()

    def sorted_copy(self, name: str, key: str) -> pl.DataFrame:
        """Table ``name`` sorted by ``key``, made on first use and kept."""
        if (name, key) not in self._sorted:
            table = getattr(self, name)
            assert isinstance(table, pl.LazyFrame)
            self._sorted[(name, key)] = table.sort(key).collect(engine="in-memory")
        return self._sorted[(name, key)]

    def rows_of(self, name: str, key: str, codes: Iterable[str]) -> list[dict[str, Any]]:
        """The rows of table ``name`` whose ``key`` is one of ``codes``, as Python dicts (in
        the order of the sorted copy): what one-claim kernels read. The sorted key column is
        kept as a NumPy byte-string array, built once, whose binary search takes a
        microsecond where Polars' search of a string column takes about a hundred."""
        frame = self.sorted_copy(name, key)
        if (name, key) not in self._keys:
            column = frame[key]
            nulls = column.null_count()  # sorted first
            keys = column.slice(nulls).cast(pl.Binary).to_numpy().astype(np.bytes_)
            self._keys[(name, key)] = (keys, nulls)
        keys, offset = self._keys[(name, key)]
        width = keys.dtype.itemsize
        out: list[dict[str, Any]] = []
        for code in sorted({c.encode() for c in codes if c is not None}):
            if len(code) > width:  # no key is that long (NumPy would cut the code short)
                continue
            lo = int(np.searchsorted(keys, code, side="left"))
            hi = int(np.searchsorted(keys, code, side="right"))
            if hi > lo:
                out += frame.slice(lo + offset, hi - lo).to_dicts()
        return out

    def sorted_rows(self, name: str, key: str, codes: pl.Series) -> pl.DataFrame:
        """:meth:`rows_for`, collected: the rows in the order of the sorted copy."""
        frame = self.sorted_copy(name, key)
        wanted = codes.drop_nulls().unique().sort().cast(pl.String)
        column = frame[key]
        lows = column.search_sorted(wanted, side="left").to_list()
        highs = column.search_sorted(wanted, side="right").to_list()
        parts = [frame.slice(lo, hi - lo) for lo, hi in zip(lows, highs, strict=True)
                 if hi > lo]
        return pl.concat(parts) if parts else frame.head(0)

    def index(self, name: str, key: str) -> dict[Any, list[dict[str, Any]]]:
        """The rows of a small table (``restrictions``, ``modifiers``, ``place_of_service``)
        as Python dicts by ``key``, in table order, built on first use and kept: what one-claim
        kernels read instead of a plan. Large tables go through :meth:`sorted_rows`."""
        if (name, key) not in self._indexes:
            table = getattr(self, name)
            assert isinstance(table, pl.LazyFrame)
            index: dict[Any, list[dict[str, Any]]] = {}
            for row in table.collect(engine="in-memory").iter_rows(named=True):
                index.setdefault(row[key], []).append(row)
            self._indexes[(name, key)] = index
        return self._indexes[(name, key)]

    @cached_property
    def icd10cm_windows(self) -> pl.LazyFrame:
        """The distinct validity windows of the ICD-10-CM releases (computed once: a claim
        whose date falls in none cannot be judged)."""
        assert self.icd10cm is not None
        windows = self.icd10cm.select("valid_from", "valid_before").unique()
        return windows.collect(engine="in-memory").lazy()

    @cached_property
    def known_modifiers(self) -> list[str]:
        """Every modifier of the bundled table (read once, not once per scrub)."""
        return [str(m) for m in self.modifiers.collect()["modifier"].to_list()]

    @cached_property
    def ptp_bypass_modifiers(self) -> list[str]:
        """The modifiers that bypass a PTP edit with modifier indicator 1."""
        mods = self.modifiers.filter(pl.col("ptp_bypass")).collect()
        return [str(m) for m in mods["modifier"].to_list()]


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
        rows: set[int] = set()
        for column, values in wanted.items():
            index = self.positions(name, column)
            if index is None:
                return frame  # type: ignore[no-any-return]
            for v in values:
                rows.update(index.get(v, ()))
        out: pl.DataFrame = frame[sorted(rows)] if rows else frame.head(0)
        return out

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
