"""Claim templates: the encounter recipes expanded into concrete, internally consistent claims.

A template fixes the lines (codes, units, modifiers, unit prices), the diagnoses with their
pointers, and the patients it fits (age and sex). Claims are drawn from templates, then given a
member, a provider, dates and a price level, so generating a million claims is array indexing,
not a million recipe walks. A world expands a few thousand templates with its own seed.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from . import catalog as cat
from ._arrow import IntArray

__all__ = ["POOLS", "Templates", "Vocab", "build_templates", "demographic_masks", "pool_masks"]

BoolArray = npt.NDArray[np.bool_]


def _unique(values: list[str]) -> list[str]:
    return list(dict.fromkeys(values))


class Vocab:
    """The code lists of the world: every value a code column may take, by index."""

    def __init__(self) -> None:
        procs = [p.code for p in cat.PROCEDURES]
        self.proc_info = {p.code: p for p in cat.PROCEDURES}
        deleted = sorted(set(cat.DELETED_PREDECESSOR.values()))
        truncated = [c[:-1] for c in procs]
        self.procedures = _unique(procs + deleted + truncated)
        self.proc_index = {c: i for i, c in enumerate(self.procedures)}
        dx = [d.code for d in cat.DIAGNOSES]
        self.dx_info = {d.code: d for d in cat.DIAGNOSES}
        # Forms a careless biller produces: one character too many, or the (non-billable)
        # category or subcategory above the billable code.
        self.invalid_dx = {c: (c + "9" if len(c) < 7 else c[:-1] + "Z") for c in dx}
        self.parent_dx = {c: (c[:3] if len(c) == 4 else c[:-1]) for c in dx if len(c) > 3}
        self.diagnoses = _unique([*dx, *self.invalid_dx.values(), *self.parent_dx.values()])
        self.dx_index = {c: i for i, c in enumerate(self.diagnoses)}
        self.modifiers = ["25", "59"]
        self.revenue = ["0120", "0250", "0300", "0320", "0350", "0360", "0450", "0610", "0710",
                        "0730"]
        self.places = ["11", "22", "23", "81"]
        self.bill_types = ["0131", "0111"]
        self.taxonomies = _unique([*list(cat.TAXONOMY_WEIGHTS), cat.HOSPITAL_TAXONOMY])
        self.qualifiers = ["ABK", "ABF"]
        # Per-procedure lookups used by the defect injectors.
        n = len(self.procedures)
        self.mue = np.zeros(n, dtype=np.int64)
        self.limited = np.zeros(n, dtype=bool)
        self.deleted_form = np.arange(n, dtype=np.int64)
        for p in cat.PROCEDURES:
            i = self.proc_index[p.code]
            self.mue[i] = p.mue
            self.limited[i] = p.family == cat.LIMITED_FAMILY
            old = cat.DELETED_PREDECESSOR.get(p.code, p.code[:-1])
            self.deleted_form[i] = self.proc_index[old]
        self.invalid_form = np.arange(len(self.diagnoses), dtype=np.int64)
        self.parent_form = np.full(len(self.diagnoses), -1, dtype=np.int64)
        for c in dx:
            self.invalid_form[self.dx_index[c]] = self.dx_index[self.invalid_dx[c]]
            if c in self.parent_dx:
                self.parent_form[self.dx_index[c]] = self.dx_index[self.parent_dx[c]]
        self.preventive_band = np.full(n, -1, dtype=np.int64)
        self.preventive_new = np.zeros(n, dtype=bool)
        for b, (_lo, _hi, new, est) in enumerate(cat.PREVENTIVE_BANDS):
            self.preventive_band[self.proc_index[new]] = b
            self.preventive_band[self.proc_index[est]] = b
            self.preventive_new[self.proc_index[new]] = True
        self.supports = np.zeros((n, len(self.diagnoses)), dtype=bool)
        self.restricted_support = np.zeros(n, dtype=bool)
        for p in cat.PROCEDURES:
            i = self.proc_index[p.code]
            if p.support is None:
                self.supports[i, : len(dx)] = True
            else:
                self.restricted_support[i] = True
                for d in p.support:
                    self.supports[i, self.dx_index[d]] = True


_REVENUE_PRICE = {"0120": 1800.0, "0250": 85.0, "0710": 650.0}
_PTP = {(c1, c2): mod for c1, c2, mod in cat.PTP_PAIRS}


@dataclass
class Templates:
    """Struct-of-arrays of the templates (``t_``), their lines (``l_``) and diagnoses (``d_``)."""

    claim_type: IntArray  # 0 professional, 1 institutional
    billing_tax: IntArray
    rendering_tax: IntArray
    place: IntArray  # place of service (professional) or type of bill (institutional)
    los: IntArray  # length of stay in days, 0 outside inpatient
    min_age: IntArray
    max_age: IntArray
    sex: IntArray  # -1 any, 0 female, 1 male
    line_start: IntArray
    line_count: IntArray
    dx_start: IntArray
    dx_count: IntArray
    # Offsets within the template of the line a defect acts on; -1 when there is none.
    preventive_line: IntArray
    sexspec_line: IntArray
    ptp_line: IntArray
    mue_line: IntArray
    support_line: IntArray
    auth_line: IntArray
    code_line: IntArray  # first line that has a procedure code
    l_proc: IntArray
    l_rev: IntArray
    l_units: IntArray
    l_price: IntArray  # cents per unit
    l_mod: IntArray
    l_ptr: IntArray  # (lines, 4) diagnosis sequences, 0 = none
    d_code: IntArray
    d_qual: IntArray
    d_poa: IntArray  # -1 none, 0 Y, 1 N
    uses: BoolArray  # (templates, procedures): which codes a template bills

    def __len__(self) -> int:
        return len(self.claim_type)


@dataclass
class _Draft:
    codes: list[str | None]
    revenue: list[str | None]
    units: list[int]
    dx: list[str]
    pointers: list[list[int]]


def _pick_lines(rng: np.random.Generator, enc: cat.Encounter) -> tuple[list[str | None],
                                                                        list[str | None],
                                                                        list[int]]:
    codes: list[str | None] = []
    revenue: list[str | None] = []
    units: list[int] = []
    band = cat.PREVENTIVE_BANDS[int(rng.integers(len(cat.PREVENTIVE_BANDS)))]
    for recipe in enc.lines:
        if rng.random() >= recipe.probability:
            continue
        code = str(rng.choice(recipe.codes))
        if code == "preventive":
            code = band[2] if rng.random() < 0.3 else band[3]
        if code == "90686":
            if band[0] < 3:
                continue
            codes.append("90471")
            revenue.append(None)
            units.append(1)
        if code and code in codes:
            continue
        n = int(rng.integers(recipe.units[0], recipe.units[1] + 1))
        codes.append(code or None)
        revenue.append(recipe.revenue)
        units.append(n)
    return codes, revenue, units


def _draft(rng: np.random.Generator, enc: cat.Encounter, voc: Vocab) -> _Draft:
    codes, revenue, units = _pick_lines(rng, enc)
    line_dx: list[str | None] = []
    for code in codes:
        info = voc.proc_info.get(code) if code else None
        if info is not None and info.support is not None:
            line_dx.append(str(rng.choice(info.support)))
        else:
            line_dx.append(None)
    if enc.inpatient:
        principal = str(rng.choice(cat.INPATIENT_DX))
    elif enc.preventive:
        adult = any(voc.proc_info[c].min_age >= 18 for c in codes if c in voc.proc_info
                    and voc.proc_info[c].family == "preventive")
        pair = ("Z0000", "Z0001") if adult else ("Z00129", "Z00121")
        principal = pair[0] if rng.random() < 0.7 else pair[1]
    else:
        known = [d for d in line_dx if d is not None]
        principal = known[0] if known else str(rng.choice(enc.extra_dx or ("J069",)))
    dx = [principal]
    for d in line_dx:
        if d is not None and d not in dx:
            dx.append(d)
    if enc.extra_dx and rng.random() < 0.5:
        for d in rng.choice(enc.extra_dx, size=int(rng.integers(1, 3)), replace=False):
            if str(d) not in dx:
                dx.append(str(d))
    pointers: list[list[int]] = []
    for d in line_dx:
        own = dx.index(d) + 1 if d is not None else 1
        ptr = [own, *[s for s in range(1, len(dx) + 1) if s != own][:int(rng.integers(0, 3))]]
        pointers.append(ptr[:4])
    return _Draft(codes, revenue, units, dx, pointers)


def _restrictions(draft: _Draft, voc: Vocab) -> tuple[int, int, int] | None:
    lo, hi, sexes = 0, 200, set()
    for code in draft.codes:
        info = voc.proc_info.get(code) if code else None
        if info is not None:
            lo, hi = max(lo, info.min_age), min(hi, info.max_age)
            if info.sex:
                sexes.add(info.sex)
    for d in draft.dx:
        dinfo = voc.dx_info[d]
        lo, hi = max(lo, dinfo.min_age), min(hi, dinfo.max_age)
        if dinfo.sex:
            sexes.add(dinfo.sex)
    if lo > hi or len(sexes) > 1:
        return None
    sex = -1 if not sexes else (0 if "F" in sexes else 1)
    return lo, hi, sex


def build_templates(rng: np.random.Generator, count: int, voc: Vocab) -> Templates:
    """Expand ``count`` templates, encounter kinds drawn by their weights."""
    weights = np.array([e.weight for e in cat.ENCOUNTERS])
    kinds = rng.choice(len(cat.ENCOUNTERS), size=count, p=weights / weights.sum())
    acc = _Accumulator(voc)
    for k in kinds:
        enc = cat.ENCOUNTERS[int(k)]
        for _ in range(20):
            draft = _draft(rng, enc, voc)
            limits = _restrictions(draft, voc)
            if limits is not None and draft.codes:
                acc.add(rng, enc, draft, limits)
                break
    return acc.finish()


class _Accumulator:
    def __init__(self, voc: Vocab) -> None:
        self.voc = voc
        self.t: dict[str, list[int]] = {k: [] for k in (
            "claim_type", "billing_tax", "rendering_tax", "place", "los", "min_age", "max_age",
            "sex", "line_start", "line_count", "dx_start", "dx_count", "preventive_line",
            "sexspec_line", "ptp_line", "mue_line", "support_line", "auth_line", "code_line")}
        self.lines: dict[str, list[int]] = {k: [] for k in (
            "proc", "rev", "units", "price", "mod")}
        self.ptr: list[list[int]] = []
        self.d: dict[str, list[int]] = {"code": [], "qual": [], "poa": []}

    def add(
        self,
        rng: np.random.Generator,
        enc: cat.Encounter,
        draft: _Draft,
        limits: tuple[int, int, int],
    ) -> None:
        voc, t = self.voc, self.t
        institutional = enc.claim_type == "institutional"
        los = int(rng.integers(2, 7)) if enc.inpatient else 0
        t["claim_type"].append(int(institutional))
        t["billing_tax"].append(voc.taxonomies.index(enc.billing_taxonomy))
        t["rendering_tax"].append(voc.taxonomies.index(enc.rendering_taxonomy))
        places = voc.bill_types if institutional else voc.places
        t["place"].append(places.index(enc.place))
        t["los"].append(los)
        t["min_age"].append(limits[0])
        t["max_age"].append(limits[1])
        t["sex"].append(limits[2])
        t["line_start"].append(len(self.lines["proc"]))
        t["line_count"].append(len(draft.codes))
        t["dx_start"].append(len(self.d["code"]))
        t["dx_count"].append(len(draft.dx))
        marks = dict.fromkeys(("preventive_line", "sexspec_line", "ptp_line", "mue_line",
                               "support_line", "auth_line", "code_line"), -1)
        present = {c for c in draft.codes if c}
        for j, code in enumerate(draft.codes):
            info = voc.proc_info.get(code) if code else None
            mod = -1
            if code:
                for other in present:
                    if (other, code) in _PTP:
                        mod = voc.modifiers.index(_PTP[(other, code)])
                        _mark(marks, "ptp_line", j)
            units = los if draft.revenue[j] == "0120" else draft.units[j]
            price = info.charge if info is not None else _REVENUE_PRICE.get(
                draft.revenue[j] or "", 100.0)
            self.lines["proc"].append(voc.proc_index[code] if code else -1)
            rev = draft.revenue[j]
            self.lines["rev"].append(voc.revenue.index(rev) if rev else -1)
            self.lines["units"].append(units)
            self.lines["price"].append(round(price * rng.lognormal(0.0, 0.1) * 100))
            self.lines["mod"].append(mod)
            ptr = [] if institutional else draft.pointers[j]
            self.ptr.append(ptr + [0] * (4 - len(ptr)))
            if info is not None:
                _mark_line(marks, info, j)
        for k, v in marks.items():
            t[k].append(v)
        for s, d in enumerate(draft.dx):
            self.d["code"].append(voc.dx_index[d])
            self.d["qual"].append(0 if s == 0 else 1)
            self.d["poa"].append((0 if rng.random() < 0.9 else 1) if enc.inpatient else -1)

    def finish(self) -> Templates:
        def arr(values: list[int]) -> IntArray:
            return np.array(values, dtype=np.int64)

        t, ln, d = self.t, self.lines, self.d
        n = len(t["claim_type"])
        uses = np.zeros((n, len(self.voc.procedures)), dtype=bool)
        proc = arr(ln["proc"])
        owner = np.repeat(np.arange(n), arr(t["line_count"]))
        coded = proc >= 0
        uses[owner[coded], proc[coded]] = True
        return Templates(
            **{k: arr(v) for k, v in t.items()},
            l_proc=proc,
            l_rev=arr(ln["rev"]),
            l_units=arr(ln["units"]),
            l_price=arr(ln["price"]),
            l_mod=arr(ln["mod"]),
            l_ptr=np.array(self.ptr, dtype=np.int64).reshape(-1, 4),
            d_code=arr(d["code"]),
            d_qual=arr(d["qual"]),
            d_poa=arr(d["poa"]),
            uses=uses,
        )


def _mark_line(marks: dict[str, int], info: cat.ProcInfo, j: int) -> None:
    """Remember the first line each kind of defect can act on."""
    _mark(marks, "code_line", j)
    if info.family == "preventive":
        _mark(marks, "preventive_line", j)
    if info.sex:
        _mark(marks, "sexspec_line", j)
    if info.family not in (cat.LIMITED_FAMILY, "preventive") and not info.sex:
        _mark(marks, "mue_line", j)
    if info.support is not None:
        _mark(marks, "support_line", j)
    if info.code in cat.AUTH_CANDIDATES:
        _mark(marks, "auth_line", j)


def _mark(marks: dict[str, int], key: str, line: int) -> None:
    if marks[key] < 0:
        marks[key] = line


# ---------------------------------------------------------------- sampling pools

POOLS: tuple[str, ...] = (
    "clean", "plain", "plain_professional", "auth", "excluded", "limited", "ptp", "mue",
    "support", "preventive", "sexspec",
)
"""Template pools: which templates a claim of a given kind (clean or defect) may use."""


def pool_masks(
    tpl: Templates,
    plan_excluded: BoolArray,
    plan_auth: BoolArray,
    plan_limit: IntArray,
    voc: Vocab,
) -> BoolArray:
    """(pools, plans, templates): templates allowed for each pool under each plan."""
    n_plans = len(plan_limit)
    excluded = (tpl.uses.astype(np.int32) @ plan_excluded.T.astype(np.int32)) > 0  # (T, plans)
    auth_code = np.where(tpl.auth_line >= 0, tpl.l_proc[tpl.line_start + tpl.auth_line], 0)
    needs_auth = (tpl.auth_line[:, None] >= 0) & plan_auth[:, auth_code].T
    limited_use: BoolArray = np.asarray((tpl.uses & voc.limited[None, :]).any(axis=1))
    limited = limited_use[:, None] & (plan_limit[None, :] > 0)
    plain_demo = (tpl.min_age == 0) & (tpl.max_age >= 200) & (tpl.sex < 0)
    prof = tpl.claim_type == 0
    ok = ~excluded
    plain = ok & plain_demo[:, None] & ~needs_auth
    masks = {
        "clean": ok,
        "plain": plain,
        "plain_professional": plain & prof[:, None],
        "auth": ok & needs_auth,
        "excluded": excluded & ~needs_auth & plain_demo[:, None],
        "limited": ok & limited & ~needs_auth,
        "ptp": ok & (tpl.ptp_line >= 0)[:, None] & ~needs_auth,
        "mue": plain & (tpl.mue_line >= 0)[:, None],
        "support": plain & prof[:, None] & (tpl.support_line >= 0)[:, None],
        "preventive": ok & (tpl.preventive_line >= 0)[:, None],
        "sexspec": ok & (tpl.sexspec_line >= 0)[:, None] & ~needs_auth,
    }
    out = np.zeros((len(POOLS), n_plans, len(tpl)), dtype=bool)
    for i, name in enumerate(POOLS):
        out[i] = masks[name].T
    return out


def demographic_masks(tpl: Templates) -> BoolArray:
    """(sex, age band, templates): templates that fit a patient of that sex and age band."""
    edges = [*list(cat.AGE_EDGES), 201]
    out = np.zeros((2, len(cat.AGE_EDGES), len(tpl)), dtype=bool)
    for s in (0, 1):
        sex_ok = (tpl.sex < 0) | (tpl.sex == s)
        for b in range(len(cat.AGE_EDGES)):
            lo, hi = edges[b], edges[b + 1] - 1
            out[s, b] = sex_ok & (tpl.min_age <= lo) & (tpl.max_age >= min(hi, 200))
    return out
