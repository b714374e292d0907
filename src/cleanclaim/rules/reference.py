"""Reference tables as the rules read them: code sets and edit tables with validity windows.

:class:`Reference` holds the tables (ICD-10-CM, procedure codes, NCCI PTP and MUE by setting,
age/sex edits, coverage policies, add-on edits, modifiers, places of service) as LazyFrames,
and the lookups built once per reference: sorted copies for binary search (batches), NumPy key
arrays and Python indexes (one claim in real time).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, fields, replace
from functools import cached_property
from typing import Any

import numpy as np
import polars as pl
import pyarrow as pa

from ..refdata import modifiers, place_of_service_codes

__all__ = ["Reference"]


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
