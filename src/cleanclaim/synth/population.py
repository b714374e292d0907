"""The standing part of a synthetic world: payers, plans, members, coverages and providers.

Built once per world (vectorized with numpy), it also holds what claim generation samples from:
claim templates expanded from the encounter recipes of :mod:`cleanclaim.synth.catalog`, pools
of coverages by situation (active, terminated, not yet effective, secondary), in-network
providers by payer and taxonomy, and the members reserved for authorization defects.

Member IDs are issued per payer in that payer's format; a person's ``member_id`` is the ID of
their first coverage, and every coverage carries the ID on its card as ``subscriber_id``.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

from cleanclaim.domain import (
    Authorization,
    Coverage,
    Member,
    Payer,
    Plan,
    Provider,
)
from cleanclaim.domain.schema import Batch

from . import catalog as cat
from ._arrow import IntArray, batch, dates, days, decimals, list_column, strings, vocab
from .defects import DEFECTS, DefectRates
from .npi import npi_check_digits
from .templates import Templates, Vocab, build_templates, demographic_masks, pool_masks

__all__ = ["Population", "WorldShape", "build_population", "chunk_sizes", "format_member_ids"]

BoolArray = npt.NDArray[np.bool_]


@dataclass(frozen=True)
class WorldShape:
    """Dates and sizes of a world; the defaults suit any claim count.

    ``members`` and ``providers`` default to sizes that grow with the number of claims so that
    a member sees a plausible number of visits a year. ``chunk_claims`` fixes how claims are
    generated in chunks: a world is identical whether built in memory or streamed to disk.
    """

    service_start: dt.date = dt.date(2025, 1, 1)
    service_days: int = 365
    members: int | None = None
    providers: int | None = None
    templates: int = 3000
    chunk_claims: int = 100_000

    def __post_init__(self) -> None:
        if self.service_days < 120:
            raise ValueError("service_days must be at least 120")
        if self.chunk_claims < 1 or self.templates < 100:
            raise ValueError("chunk_claims must be >= 1 and templates >= 100")


@dataclass
class Population:
    """Everything a world holds besides its claims, plus the indexes claims are drawn from."""

    seed: int
    claims: int
    rates: DefectRates
    shape: WorldShape
    vocab: Vocab
    payers: Batch
    plans: Batch
    members: Batch
    coverages: Batch
    providers: Batch
    background_auths: Batch
    # Sampling state.
    payer_ids: pa.Array
    payer_tf: IntArray
    payer_profiles: list[cat.PayerProfile]
    plan_payer: IntArray
    plan_auth: BoolArray  # (plans, procedures)
    plan_excluded: BoolArray  # (plans, procedures)
    plan_limit: IntArray  # per-visit limit in units of the limited family, 0 none
    m_birth: IntArray
    m_sex: IntArray
    m_first: IntArray
    m_last: IntArray
    first_names: pa.Array
    last_names: pa.Array
    c_member: IntArray
    c_payer: IntArray
    c_plan: IntArray
    c_eff: IntArray
    c_term: IntArray  # large when open-ended
    c_subscriber: pa.Array
    issued: IntArray  # member IDs issued per payer (numbers at and above are unissued)
    pools: dict[str, tuple[IntArray, IntArray, IntArray]]  # rows, window low, window high
    reserved: IntArray  # coverage rows reserved for authorization defects, shuffled
    reserved_slices: list[tuple[int, int]]
    npi: pa.Array
    bad_npi: pa.Array
    provider_names: pa.Array
    tax_id: pa.Array
    p_tax: IntArray
    p_org: IntArray
    by_payer_taxonomy: dict[tuple[int, int], IntArray]
    hospitals_by_payer: dict[int, IntArray]
    templates: Templates
    pool_mask: BoolArray  # (pools, plans, templates)
    demo_mask: BoolArray  # (sex, age band, templates)
    start: int
    end: int
    _pool_cache: dict[tuple[int, int, int, int], IntArray] = field(default_factory=dict)

    def eligible(self, pool: int, plan: int, sex: int, band: int) -> IntArray:
        """Templates a claim may use: the pool's, under the plan, fitting the patient."""
        key = (pool, plan, sex, band)
        found = self._pool_cache.get(key)
        if found is None:
            mask = self.pool_mask[pool, plan] & self.demo_mask[sex, band]
            found = np.flatnonzero(mask).astype(np.int64)
            self._pool_cache[key] = found
        return found


_OPEN = 10**6  # an open-ended termination, far past any service date

_AUTH_DEFECTS = {"missing_prior_auth", "expired_auth", "auth_wrong_code", "auth_denied",
                 "auth_units_exhausted"}


def build_population(
    seed: int, claims: int, rates: DefectRates, shape: WorldShape
) -> Population:
    """Build the standing world for ``claims`` claims."""
    rng = np.random.default_rng(np.random.SeedSequence([seed, 0]))
    voc = Vocab()
    start = days(shape.service_start)
    end = start + shape.service_days - 1
    n_payers = int(rng.integers(4, len(cat.PAYER_PROFILES) + 1))
    profiles = list(cat.PAYER_PROFILES[:n_payers])
    payers = _payers(profiles)
    plans_batch, plan_payer, plan_auth, plan_excl, plan_limit, plan_weight = _plans(
        rng, profiles, voc
    )
    auth_share = sum(
        p for d, p in zip(DEFECTS, rates.probabilities(), strict=True) if d.name in _AUTH_DEFECTS
    )
    chunks = chunk_sizes(claims, shape.chunk_claims)
    caps = [math.ceil(n * rates.denial_rate * auth_share * 1.5) + 20 for n in chunks]
    # About four claims per member a year, up to a million members (ten million claims then
    # mean ten visits a member: still plausible, and the member table stays small).
    n_members = shape.members or min(max(400, claims // 4), 1_000_000)
    n_members = max(n_members, math.ceil(sum(caps) / 0.6) + 10)
    pop = _Members(rng, n_members, profiles, plan_payer, plan_weight, start, end, plans_batch)
    reserved_members = pop.reserve(rng, sum(caps))
    offsets = np.concatenate([[0], np.cumsum(caps)]).astype(np.int64)
    slices = [(int(offsets[i]), int(offsets[i + 1])) for i in range(len(caps))]
    providers = _Providers(rng, claims, shape, n_payers, voc, start)
    templates = build_templates(rng, shape.templates, voc)
    providers_batch = providers.batch([p.payer_id for p in profiles])
    return Population(
        seed=seed,
        claims=claims,
        rates=rates,
        shape=shape,
        vocab=voc,
        payers=payers,
        plans=plans_batch,
        members=pop.members_batch(),
        coverages=pop.coverages_batch(),
        providers=providers_batch,
        background_auths=_background_auths(rng, pop, voc, start, end),
        payer_ids=vocab([p.payer_id for p in profiles]),
        payer_tf=np.array([p.timely_filing_days for p in profiles], dtype=np.int64),
        payer_profiles=profiles,
        plan_payer=plan_payer,
        plan_auth=plan_auth,
        plan_excluded=plan_excl,
        plan_limit=plan_limit,
        m_birth=pop.birth,
        m_sex=pop.sex,
        m_first=pop.first,
        m_last=pop.last,
        first_names=pop.first_names,
        last_names=pop.last_names,
        c_member=pop.c_member,
        c_payer=pop.c_payer,
        c_plan=pop.c_plan,
        c_eff=pop.c_eff,
        c_term=pop.c_term,
        c_subscriber=pop.c_subscriber,
        issued=pop.issued,
        pools=pop.pools(reserved_members, plan_limit),
        # A continuous member has one coverage row, the first, whose index is the member's.
        reserved=reserved_members,
        reserved_slices=slices,
        npi=providers.npi,
        provider_names=providers.names,
        bad_npi=providers.bad_npi,
        tax_id=providers.tax_id,
        p_tax=providers.tax,
        p_org=providers.org,
        by_payer_taxonomy=providers.by_payer_taxonomy,
        hospitals_by_payer=providers.hospitals_by_payer,
        templates=templates,
        pool_mask=pool_masks(templates, plan_excl, plan_auth, plan_limit, voc),
        demo_mask=demographic_masks(templates),
        start=start,
        end=end,
    )


def chunk_sizes(claims: int, size: int) -> list[int]:
    """How many claims each generation chunk holds."""
    full, rest = divmod(claims, size)
    return [size] * full + ([rest] if rest else [])


# ---------------------------------------------------------------- payers and plans


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


# ---------------------------------------------------------------- members and coverages

_ID_MULT = 7_919_357  # odd and coprime with 10: a bijection on every power-of-ten range
_KIND_P = (0.72, 0.08, 0.07, 0.06, 0.07)  # continuous, terminated, switched, new, with COB
_CONT, _TERM, _SWITCH, _NEW, _COB = range(5)


def format_member_ids(
    profile: cat.PayerProfile, numbers: IntArray, rng: np.random.Generator
) -> pa.Array:
    """Member IDs of one payer for the given ID numbers (distinct numbers, distinct IDs)."""
    space = 10**profile.id_digits
    scrambled = (numbers * _ID_MULT + space // 7 + 12_345) % space
    digits = pa.array(scrambled.astype(np.int64)).cast(pa.string())
    padded = pc.utf8_lpad(digits, profile.id_digits, "0")
    prefix = strings(vocab(list(profile.id_prefixes)),
                     rng.integers(0, len(profile.id_prefixes), len(numbers)))
    joined = pc.binary_join_element_wise(prefix, padded, "")
    if profile.id_suffix:
        joined = pc.binary_join_element_wise(joined, pa.scalar(profile.id_suffix), "")
    return joined


class _Members:
    def __init__(
        self,
        rng: np.random.Generator,
        n: int,
        profiles: list[cat.PayerProfile],
        plan_payer: IntArray,
        plan_weight: npt.NDArray[np.float64],
        start: int,
        end: int,
        plans: Batch,
    ) -> None:
        self.n = n
        self.start, self.end = start, end
        self.profiles = profiles
        span = end - start + 1
        kind = rng.choice(5, size=n, p=_KIND_P)
        plan1 = rng.choice(len(plan_payer), size=n, p=plan_weight)
        payer1 = plan_payer[plan1]
        lines = plans.tables["plans"].column("product_line").to_numpy(zero_copy_only=False)
        line1 = lines[plan1]
        self.sex = rng.integers(0, 2, n).astype(np.int64)
        self.birth = start - _ages_in_days(rng, line1)
        # First names come from one list, female names first, then male names.
        n_f, n_m = len(cat.FEMALE_NAMES), len(cat.MALE_NAMES)
        self.first_names = vocab([*cat.FEMALE_NAMES, *cat.MALE_NAMES])
        self.first = np.where(self.sex == 1, n_f + rng.integers(0, n_m, n),
                              rng.integers(0, n_f, n)).astype(np.int64)
        self.last = rng.integers(0, len(cat.LAST_NAMES), n).astype(np.int64)
        self.last_names = vocab(cat.LAST_NAMES)
        self.city = rng.integers(0, len(cat.CITIES), n)
        self.house = rng.integers(100, 9999, n)
        self.street = rng.integers(0, len(cat.STREETS), n)
        self.zip_tail = rng.integers(0, 100, n)
        self.kind = kind

        eff1 = start - rng.integers(30, 2500, n)
        eff1 = np.where(kind == _NEW, start + rng.integers(30, span - 60, n), eff1)
        term1 = np.full(n, _OPEN, dtype=np.int64)
        term1 = np.where(kind == _TERM, start + rng.integers(30, span - 30, n), term1)
        term1 = np.where(kind == _SWITCH, start + rng.integers(60, span - 90, n), term1)
        second = (kind == _SWITCH) | (kind == _COB)
        who2 = np.flatnonzero(second)
        plan2 = rng.choice(len(plan_payer), size=len(who2), p=plan_weight)
        for _ in range(100):
            same = plan_payer[plan2] == payer1[who2]
            if not same.any():
                break
            plan2[same] = rng.choice(len(plan_payer), size=int(same.sum()), p=plan_weight)
        k2 = kind[who2]
        eff2 = np.where(k2 == _SWITCH, term1[who2] + 1 + rng.integers(0, 30, len(who2)),
                        start - rng.integers(30, 1500, len(who2)))
        self.c_member = np.concatenate([np.arange(n), who2]).astype(np.int64)
        self.c_plan = np.concatenate([plan1, plan2]).astype(np.int64)
        self.c_payer = plan_payer[self.c_plan]
        self.c_eff = np.concatenate([eff1, eff2]).astype(np.int64)
        self.c_term = np.concatenate([term1, np.full(len(who2), _OPEN)]).astype(np.int64)
        self.c_cob = np.concatenate([np.ones(n), np.where(k2 == _COB, 2, 1)]).astype(np.int64)
        self.c_second = np.concatenate([np.zeros(n, bool), np.ones(len(who2), bool)])
        self.c_lines = lines[self.c_plan]
        self.plan_ids = plans.tables["plans"].column("plan_id")
        # Each payer numbers its own cards; a person's member_id is the first card's ID.
        m = len(self.c_member)
        numbers = np.zeros(m, dtype=np.int64)
        self.issued = np.zeros(len(profiles), dtype=np.int64)
        parts: list[tuple[IntArray, pa.Array]] = []
        for p, prof in enumerate(profiles):
            rows = np.flatnonzero(self.c_payer == p)
            numbers[rows] = np.arange(len(rows))
            self.issued[p] = len(rows)
            parts.append((rows, format_member_ids(prof, numbers[rows], rng)))
        order = np.concatenate([r for r, _ in parts])
        ids = pa.chunked_array([a for _, a in parts]).combine_chunks()
        inverse = np.empty(m, dtype=np.int64)
        inverse[order] = np.arange(m)
        self.c_subscriber = ids.take(pa.array(inverse))
        self.member_ids = self.c_subscriber.slice(0, n)

    def reserve(self, rng: np.random.Generator, count: int) -> IntArray:
        candidates = np.flatnonzero(self.kind == _CONT)
        chosen = rng.permutation(candidates)[:count]
        if len(chosen) < count:
            raise ValueError("not enough members to reserve for authorization defects")
        return chosen.astype(np.int64)

    def pools(
        self, reserved: IntArray, plan_limit: IntArray
    ) -> dict[str, tuple[IntArray, IntArray, IntArray]]:
        start, end = self.start, self.end
        free = np.ones(self.n, dtype=bool)
        free[reserved] = False
        ok = free[self.c_member]
        lo = np.maximum(self.c_eff, start)
        hi = np.minimum(self.c_term, end)
        primary = ok & (self.c_cob == 1) & (lo <= hi)
        out: dict[str, tuple[IntArray, IntArray, IntArray]] = {}

        def put(name: str, mask: BoolArray, low: IntArray, high: IntArray) -> None:
            rows = np.flatnonzero(mask)
            out[name] = (rows.astype(np.int64), low[rows], high[rows])

        put("active", primary, lo, hi)
        ends_inside = ok & (self.c_term >= start) & (self.c_term < end)
        put("terminated", ends_inside, self.c_term + 1, np.full_like(lo, end))
        starts_inside = ok & (self.c_eff > start) & (self.c_eff <= end)
        put("not_started", starts_inside, np.full_like(lo, start), self.c_eff - 1)
        put("cob_secondary", ok & (self.c_cob == 2), np.maximum(self.c_eff, start),
            np.full_like(lo, end))
        birth = self.birth[self.c_member]
        adult = (start - birth >= 22 * 366) & (end - birth < 55 * 365)
        put("adult", primary & adult, lo, hi)
        put("limited", primary & (plan_limit[self.c_plan] > 0), lo, hi)
        # Members with a single coverage: a claim sent to any other payer is plainly misrouted.
        rows_per_member = np.bincount(self.c_member, minlength=self.n)
        put("single", primary & (rows_per_member[self.c_member] == 1), lo, hi)
        return out

    def members_batch(self) -> Batch:
        address = pc.binary_join_element_wise(
            pa.array(self.house).cast(pa.string()), strings(vocab(cat.STREETS), self.street), " "
        )
        zip_tail = pc.utf8_lpad(pa.array(self.zip_tail).cast(pa.string()), 2, "0")
        zips = pc.binary_join_element_wise(
            strings(vocab([c[2] for c in cat.CITIES]), self.city), zip_tail, ""
        )
        col = {
            "member_id": self.member_ids,
            "first_name": strings(self.first_names, self.first),
            "last_name": strings(self.last_names, self.last),
            "birth_date": dates(self.birth),
            "sex": strings(vocab(["F", "M"]), self.sex),
            "address_line": address,
            "city": strings(vocab([c[0] for c in cat.CITIES]), self.city),
            "state": strings(vocab([c[1] for c in cat.CITIES]), self.city),
            "postal_code": zips,
        }
        return batch(Member, {"members": col})

    def coverages_batch(self) -> Batch:
        m = len(self.c_member)
        ids = pc.utf8_lpad(pa.array(np.arange(1, m + 1)).cast(pa.string()), 9, "0")
        commercial = self.c_lines == "commercial"
        groups = pc.utf8_lpad(pa.array(self.c_plan * 1000 + self.c_member % 997)
                              .cast(pa.string()), 6, "0")
        group_col = pc.if_else(pa.array(commercial), pc.binary_join_element_wise(
            pa.scalar("G"), groups, ""), pa.scalar(None, pa.string()))
        col = {
            "coverage_id": pc.binary_join_element_wise(pa.scalar("COV"), ids, ""),
            "member_id": self.member_ids.take(pa.array(self.c_member)),
            "payer_id": strings(vocab([p.payer_id for p in self.profiles]), self.c_payer),
            "plan_id": self.plan_ids.take(pa.array(self.c_plan)),
            "product_line": pa.array(self.c_lines, pa.string()),
            "subscriber_id": self.c_subscriber,
            "group_number": group_col,
            "relationship": vocab(["18"]).take(pa.array(np.zeros(m, dtype=np.int64))),
            "effective_date": dates(self.c_eff),
            "termination_date": dates(np.where(self.c_term >= _OPEN, 0, self.c_term),
                                      self.c_term >= _OPEN),
            "cob_order": pa.array(self.c_cob, pa.int64()),
        }
        return batch(Coverage, {"coverages": col})


def _ages_in_days(rng: np.random.Generator, lines: npt.NDArray[np.object_]) -> IntArray:
    n = len(lines)
    adult = rng.integers(18, 65, n)
    child = rng.integers(0, 18, n)
    senior = rng.integers(65, 95, n)
    u = rng.random(n)
    years = np.where(u < 0.22, child, adult)
    years = np.where((lines == "medicaid") & (u < 0.45), child, years)
    years = np.where(lines == "medicare_advantage", np.where(u < 0.95, senior, adult), years)
    return (years * 365.25 + rng.integers(0, 365, n)).astype(np.int64)


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


# ---------------------------------------------------------------- providers

_TAX_LABEL = {
    "207Q00000X": "Family Medicine", "207R00000X": "Internal Medicine",
    "207X00000X": "Orthopaedics", "225100000X": "Physical Therapy",
    "111N00000X": "Chiropractic", "171100000X": "Acupuncture", "152W00000X": "Eye Care",
    "2085R0202X": "Imaging", "207RC0000X": "Heart Care", "207RS0012X": "Sleep Center",
    "207P00000X": "Emergency Physicians", "291U00000X": "Clinical Laboratory",
    "207V00000X": "Women's Health", "208800000X": "Urology", "208M00001X": "Hospitalists",
    "208600000X": "Surgical Associates", "207RG0100X": "Digestive Health",
}


class _Providers:
    def __init__(
        self,
        rng: np.random.Generator,
        claims: int,
        shape: WorldShape,
        n_payers: int,
        voc: Vocab,
        start: int,
    ) -> None:
        n_ind = shape.providers or int(np.clip(claims // 60, 150, 40_000))
        n_hosp = int(np.clip(claims // 20_000, 4, 400))
        taxes = list(cat.TAXONOMY_WEIGHTS)
        w = np.array([cat.TAXONOMY_WEIGHTS[t] for t in taxes])
        # At least two clinicians of each specialty, the rest by weight.
        ind_tax = np.concatenate([
            np.repeat(np.arange(len(taxes)), 2),
            rng.choice(len(taxes), size=max(0, n_ind - 2 * len(taxes)), p=w / w.sum()),
        ])
        ind_tax = np.sort(ind_tax)
        n_ind = len(ind_tax)
        # Clinicians of one specialty form single-specialty groups of 1 to 8.
        group_break = np.ones(n_ind, dtype=bool)
        group_break[1:] = (ind_tax[1:] != ind_tax[:-1]) | (rng.random(n_ind - 1) < 0.25)
        group_of = np.cumsum(group_break) - 1
        n_org = int(group_of[-1]) + 1
        org_tax = ind_tax[group_break]
        n_base = n_ind + n_org + n_hosp
        self.n_ind, self.n_org, self.n_hosp = n_ind, n_org, n_hosp
        tax_index = {t: voc.taxonomies.index(t) for t in taxes}
        hosp_tax = voc.taxonomies.index(cat.HOSPITAL_TAXONOMY)
        self.tax = np.concatenate([
            [tax_index[taxes[i]] for i in ind_tax],
            [tax_index[taxes[i]] for i in org_tax],
            np.full(n_hosp, hosp_tax),
        ]).astype(np.int64)
        self.org = np.concatenate([n_ind + group_of, np.arange(n_ind, n_base)]).astype(np.int64)
        self.entity = np.concatenate([np.ones(n_ind), np.full(n_org + n_hosp, 2)]).astype(int)
        # NPIs: distinct nine-digit bases starting with 1 (persons) or 2 (organizations).
        bases = (np.arange(n_base, dtype=np.int64) * 48_271 + 31_234_567) % 100_000_000
        bases = bases + np.where(self.entity == 1, 100_000_000, 200_000_000)
        check = npi_check_digits(bases)
        wrong = (check + 1 + rng.integers(0, 9, n_base)) % 10
        self.npi = pa.array((bases * 10 + check).astype(np.int64)).cast(pa.string())
        self.bad_npi = pa.array((bases * 10 + wrong).astype(np.int64)).cast(pa.string())
        ein = rng.integers(10_000_000, 99_999_999, n_base) + 100_000_000 * rng.integers(1, 9)
        self.tax_id = pa.array(ein[self.org].astype(np.int64)).cast(pa.string())
        # Network status is contracted per organization and payer; clinicians inherit it.
        org_in = rng.random((n_payers, n_base)) < 0.85
        self.in_network = org_in[:, self.org]
        self.by_payer_taxonomy: dict[tuple[int, int], IntArray] = {}
        self.hospitals_by_payer: dict[int, IntArray] = {}
        for p in range(n_payers):
            for t in sorted(set(self.tax[:n_ind].tolist())):
                rows = np.flatnonzero((self.tax[:n_ind] == t) & self.in_network[p, :n_ind])
                if len(rows) == 0:
                    first = int(np.flatnonzero(self.tax[:n_ind] == t)[0])
                    org = int(self.org[first])
                    self.in_network[p, self.org == org] = True
                    rows = np.flatnonzero((self.tax[:n_ind] == t) & self.in_network[p, :n_ind])
                self.by_payer_taxonomy[(p, t)] = rows.astype(np.int64)
            hosp = np.arange(n_ind + n_org, n_base)
            inside = hosp[self.in_network[p, hosp]]
            if len(inside) == 0:
                self.in_network[p, hosp[0]] = True
                inside = hosp[:1]
            self.hospitals_by_payer[p] = inside.astype(np.int64)
        self.rng_names = (
            rng.integers(0, len(cat.LAST_NAMES), n_base),
            rng.integers(0, len(cat.FEMALE_NAMES) + len(cat.MALE_NAMES), n_base),
            rng.integers(0, len(cat.ORG_WORDS), n_base),
            rng.integers(0, len(cat.CITIES), n_base),
        )
        self.voc = voc
        self.n_payers = n_payers
        self.start = start
        self.since = start - rng.integers(60, 3000, n_base)
        self.names = self._names()

    def _names(self) -> pa.Array:
        """Surnames for clinicians; "<word> <specialty>" groups and "<word> Regional Hospital"."""
        n_base = len(self.tax)
        last, _, word, _ = self.rng_names
        org_labels = [_TAX_LABEL.get(t, "Health") for t in self.voc.taxonomies]
        org_label = strings(vocab(org_labels), self.tax)
        org_name = pc.binary_join_element_wise(strings(vocab(cat.ORG_WORDS), word), org_label, " ")
        hospital = np.arange(n_base) >= self.n_ind + self.n_org
        org_name = pc.if_else(
            pa.array(hospital),
            pc.binary_join_element_wise(strings(vocab(cat.ORG_WORDS), word),
                                        pa.scalar("Regional Hospital"), " "),
            org_name,
        )
        person = self.entity == 1
        return pc.if_else(pa.array(person), strings(vocab(cat.LAST_NAMES), last), org_name)

    def batch(self, payer_ids: list[str]) -> Batch:
        n_base = len(self.tax)
        _, first, _, city = self.rng_names
        person = self.entity == 1
        name = self.names
        firsts = vocab([*cat.FEMALE_NAMES, *cat.MALE_NAMES])
        first_name = strings(firsts, np.where(person, first, -1))
        state = strings(vocab([c[1] for c in cat.CITIES]), city[self.org])
        parts: list[pa.Table] = []
        for p, payer_id in enumerate(payer_ids):
            inside = self.in_network[p]
            parts.append(pa.table({
                "payer_id": vocab([payer_id]).take(pa.array(np.zeros(n_base, dtype=np.int64))),
                "npi": self.npi,
                "entity_type": strings(vocab(["1", "2"]), self.entity - 1),
                "name": name,
                "first_name": first_name,
                "taxonomy": strings(vocab(self.voc.taxonomies), self.tax),
                "tax_id": self.tax_id,
                "state": state,
                "network_status": strings(vocab(["in_network", "out_of_network"]),
                                          np.where(inside, 0, 1)),
                "network_effective": dates(self.since, ~inside),
                "network_termination": pa.nulls(n_base, pa.date32()),
            }))
        full = pa.concat_tables(parts)
        return batch(Provider, {"providers": {n: full.column(n) for n in full.column_names}})
