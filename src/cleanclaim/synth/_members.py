"""Members and coverages of the synthetic population: member IDs in each payer's format, people
with their coverage histories (continuous, terminated, switched, new, with COB), the coverage
pools claim generation samples from, and members reserved for authorization defects."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

from cleanclaim.domain import Coverage, Member
from cleanclaim.domain.schema import Batch

from . import catalog as cat
from ._arrow import BoolArray, IntArray, batch, dates, strings, vocab

_OPEN = 10**6  # an open-ended termination, far past any service date

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
