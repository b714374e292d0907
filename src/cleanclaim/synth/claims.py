"""Claims of a synthetic world, generated in chunks, with defects injected and labelled.

A chunk decides first which claims will be wrong and how (:mod:`cleanclaim.synth.defects`),
then draws for each claim a coverage from the pool that defect needs (active, terminated, not
yet effective, secondary, reserved for authorization defects...), a date of service inside the
right window, a template that fits the plan and the patient, and in-network providers. Lines and
diagnoses are gathered from the templates; the injectors then change exactly what makes each
defective claim wrong, and record where (line) in the labels.

Every chunk has its own random stream (seed, chunk number), so a world is the same whether it
is built in memory or streamed, and chunks can be made independently.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

from cleanclaim.domain import Authorization, Claim
from cleanclaim.domain.schema import Batch

from . import catalog as cat
from ._arrow import IntArray, batch, dates, decimals, list_column, strings, vocab
from .defects import DEFECTS, DefectSpec
from .inject import INJECTORS as _INJECTORS
from .population import Population, chunk_sizes
from .templates import POOLS

__all__ = ["LABEL_SCHEMA", "ClaimChunk", "claims_chunks"]

BoolArray = npt.NDArray[np.bool_]

LABEL_SCHEMA = pa.schema([
    pa.field("claim_id", pa.string(), nullable=False),
    pa.field("defect", pa.string(), nullable=False),
    pa.field("category", pa.string()),
    pa.field("line", pa.int64()),
    pa.field("preventable", pa.bool_()),
    pa.field("carc", pa.string()),
    pa.field("rarc", pa.string()),
    pa.field("severity", pa.string()),
    pa.field("detail", pa.string()),
])
"""Ground truth, one row per claim: ``defect`` is ``clean`` or the injected defect's name."""


@dataclass(frozen=True)
class ClaimChunk:
    """One chunk of claims with the authorizations made for them and their labels."""

    index: int
    claims: Batch
    authorizations: Batch
    labels: pa.Table


def claims_chunks(pop: Population) -> Iterator[ClaimChunk]:
    """Generate the claims of a world chunk by chunk (bounded memory for any size)."""
    offset = 0
    for k, n in enumerate(chunk_sizes(pop.claims, pop.shape.chunk_claims)):
        yield _Chunk(pop, k, offset, n).build()
        offset += n


_INDEX = {d.name: i for i, d in enumerate(DEFECTS)}
_AUTH = ("missing_prior_auth", "expired_auth", "auth_wrong_code", "auth_denied",
         "auth_units_exhausted")
_COVERAGE_POOL = {
    "coverage_terminated": "terminated",
    "coverage_not_started": "not_started",
    "other_payer_primary": "cob_secondary",
    "wrong_payer": "single",
    "sex_conflict": "adult",
    "benefit_limit_exceeded": "limited",
    **dict.fromkeys(_AUTH, "reserved"),
}
_TEMPLATE_POOL = {
    "invalid_diagnosis_pointer": "plain_professional",
    "dx_not_supporting": "support",
    "units_above_mue": "mue",
    "age_conflict": "preventive",
    "sex_conflict": "sexspec",
    "ncci_unbundled": "ptp",
    "excluded_service": "excluded",
    "benefit_limit_exceeded": "limited",
    "duplicate_claim": "clean",
    "medical_necessity_review": "clean",
    "payer_discretion": "clean",
    "policy_change": "clean",
    **dict.fromkeys(_AUTH, "auth"),
}
_CLEAN = -1
# Claim filing indicator (SBR09) by the payer's line of business.
_FILING = {"commercial": "CI", "medicare_advantage": "16", "medicaid": "MC",
           "aca_marketplace": "CI"}
_FREQ = ["1", "7", "8"]


@dataclass
class _Labels:
    """What injectors recorded: line per claim, and per-claim overrides of the defaults."""

    line: IntArray
    carc: dict[int, str] = field(default_factory=dict)
    rarc: dict[int, str] = field(default_factory=dict)
    detail: dict[int, str] = field(default_factory=dict)


@dataclass
class _Chunk:
    pop: Population
    index: int
    offset: int
    n: int
    rng: np.random.Generator = field(init=False)
    labels: _Labels = field(init=False)

    def __post_init__(self) -> None:
        self.rng = np.random.default_rng(np.random.SeedSequence([self.pop.seed, 1, self.index]))
        self.labels = _Labels(np.full(self.n, -1, dtype=np.int64))
        # Set by injectors: the sex printed on the claim when it differs from enrolment, and
        # the code an authorization was (wrongly) issued for, by claim.
        self.claim_sex: IntArray | None = None
        self.other_code: dict[int, int] = {}

    # ------------------------------------------------------------ decisions

    def build(self) -> ClaimChunk:
        self._choose_defects()
        self._choose_coverage()
        self._choose_templates()
        self._choose_providers()
        self._copy_duplicates()
        self._gather()
        for i, spec in enumerate(DEFECTS):
            who = np.flatnonzero(self.defect == i)
            if len(who):
                _INJECTORS[spec.name](self, who, spec)
        return ClaimChunk(self.index, self._claims_batch(), self._auth_batch(),
                          self._labels_table())

    def _choose_defects(self) -> None:
        rates, rng, n = self.pop.rates, self.rng, self.n
        probs = np.array(rates.probabilities())
        wrong = rng.random(n) < rates.denial_rate
        kind = rng.choice(len(DEFECTS), size=n, p=probs) if probs.sum() > 0 else np.zeros(n)
        self.defect = np.where(wrong, kind, _CLEAN).astype(np.int64)
        # Each reserved member serves one authorization defect at most, so no other approved
        # authorization can make the claim right; an (unlikely) overflow becomes another defect.
        lo, hi = self.pop.reserved_slices[self.index]
        auth = np.flatnonzero(np.isin(self.defect, [_INDEX[a] for a in _AUTH]))
        surplus = auth[hi - lo:]
        self.defect[surplus] = _INDEX["missing_required_field"]

    def _choose_coverage(self) -> None:
        pop, rng, n = self.pop, self.rng, self.n
        self.cov = np.zeros(n, dtype=np.int64)
        self.dos = np.zeros(n, dtype=np.int64)
        names = np.array([_COVERAGE_POOL.get(d.name, "active") for d in DEFECTS] + ["active"])
        pool_of = names[self.defect]  # index -1 picks the trailing "active" for clean claims
        for name in np.unique(pool_of):
            who = np.flatnonzero(pool_of == name)
            if name == "reserved":
                lo, _ = pop.reserved_slices[self.index]
                self.cov[who] = pop.reserved[lo: lo + len(who)]
                self.dos[who] = pop.start + rng.integers(0, pop.end - pop.start + 1, len(who))
                continue
            rows, low, high = pop.pools[str(name)]
            if len(rows) == 0:
                rows, low, high = pop.pools["active"]
                self.defect[who] = _CLEAN
            pick = rng.integers(0, len(rows), len(who))
            lo_d, hi_d = low[pick], high[pick]
            day = lo_d + (rng.random(len(who)) * (hi_d - lo_d + 1)).astype(np.int64)
            # A third of eligibility misses are the classic edge: one day out of coverage.
            edge = rng.random(len(who)) < 0.3
            if name == "terminated":
                day = np.where(edge, lo_d, day)
            elif name == "not_started":
                day = np.where(edge, hi_d, day)
            self.cov[who] = rows[pick]
            self.dos[who] = day
        self.member = pop.c_member[self.cov]
        self.plan = pop.c_plan[self.cov]
        self.payer = pop.c_payer[self.cov].copy()
        wrong = np.flatnonzero(self.defect == _INDEX["wrong_payer"])
        n_payers = len(pop.payer_profiles)
        self.payer[wrong] = (self.payer[wrong] + 1 + rng.integers(0, n_payers - 1, len(wrong))
                             ) % n_payers
        birth = pop.m_birth[self.member]
        self.age = _age(birth, self.dos)
        self.band = np.searchsorted(np.array(cat.AGE_EDGES), self.age, side="right") - 1
        self.sex = pop.m_sex[self.member].copy()

    def _choose_templates(self) -> None:
        self.tmpl = np.zeros(self.n, dtype=np.int64)
        pool_names = [_TEMPLATE_POOL.get(d.name, "plain") for d in DEFECTS] + ["clean"]
        pool_ids = np.array([POOLS.index(p) for p in pool_names])
        todo: BoolArray = np.ones(self.n, dtype=bool)
        for _attempt in range(2):
            failed = self._draw_templates(pool_ids[self.defect], todo)
            if not failed.any():
                break
            # No template fits this defect for this patient: the claim stays clean instead.
            # Only defects drawn on active coverages have pools that can come up empty (the
            # plain pool, used with the other coverage pools, always holds office visits).
            self.defect[failed] = _CLEAN
            todo = failed

    def _draw_templates(self, pool: IntArray, todo: BoolArray) -> BoolArray:
        pop, rng = self.pop, self.rng
        flip = self.defect == _INDEX["sex_conflict"]
        sex_key = np.where(flip, 1 - self.sex, self.sex)
        n_plans, n_bands = pop.pool_mask.shape[1], len(cat.AGE_EDGES)
        key = ((pool * n_plans + self.plan) * 2 + sex_key) * n_bands + self.band
        failed: BoolArray = np.zeros(self.n, dtype=bool)
        where = np.flatnonzero(todo)
        uniq, inverse = np.unique(key[where], return_inverse=True)
        order = np.argsort(inverse, kind="stable")
        bounds = np.searchsorted(inverse[order], np.arange(len(uniq) + 1))
        for g, k in enumerate(uniq.tolist()):
            who = where[order[bounds[g]: bounds[g + 1]]]
            rest, band = divmod(k, n_bands)
            rest, sex = divmod(rest, 2)
            pool_i, plan = divmod(rest, n_plans)
            allowed = pop.eligible(pool_i, plan, sex, band)
            if len(allowed) == 0:
                failed[who] = True
                continue
            self.tmpl[who] = allowed[rng.integers(0, len(allowed), len(who))]
        return failed

    def _choose_providers(self) -> None:
        pop, rng, tpl = self.pop, self.rng, self.pop.templates
        self.ctype = tpl.claim_type[self.tmpl]
        rend_tax = tpl.rendering_tax[self.tmpl]
        self.rendering = np.zeros(self.n, dtype=np.int64)
        key = self.payer * 1000 + rend_tax
        for k in np.unique(key).tolist():
            who = np.flatnonzero(key == k)
            rows = pop.by_payer_taxonomy[divmod(k, 1000)]
            self.rendering[who] = rows[rng.integers(0, len(rows), len(who))]
        self.billing = pop.p_org[self.rendering].copy()
        inst = np.flatnonzero(self.ctype == 1)
        for p in np.unique(self.payer[inst]).tolist():
            who = inst[self.payer[inst] == p]
            rows = pop.hospitals_by_payer[p]
            self.billing[who] = rows[rng.integers(0, len(rows), len(who))]
        self.factor = rng.lognormal(0.0, 0.2, self.n)
        self.lag = 1 + np.minimum(rng.lognormal(np.log(6.0), 0.8, self.n).astype(np.int64), 59)
        self.first = pop.m_first[self.member].copy()
        self.last = pop.m_last[self.member].copy()
        self.birth = pop.m_birth[self.member].copy()
        self.dup_of = np.full(self.n, -1, dtype=np.int64)

    def _copy_duplicates(self) -> None:
        dups = np.flatnonzero(self.defect == _INDEX["duplicate_claim"])
        clean = np.flatnonzero(self.defect == _CLEAN)
        if len(dups) == 0:
            return
        if len(clean) == 0:
            self.defect[dups] = _CLEAN
            return
        # The original is an earlier clean claim of the chunk, so it was sent first.
        before = np.searchsorted(clean, dups)
        keep = before > 0
        self.defect[dups[~keep]] = _CLEAN
        dups, before = dups[keep], before[keep]
        orig = clean[(self.rng.random(len(dups)) * before).astype(np.int64)]
        for name in ("cov", "dos", "member", "plan", "payer", "age", "band", "sex", "tmpl",
                     "ctype", "rendering", "billing", "factor", "lag", "first", "last", "birth"):
            arr = getattr(self, name)
            arr[dups] = arr[orig]
        # Resent days or weeks later: same services, same charges, a new submission.
        self.lag[dups] = self.lag[orig] + self.rng.integers(0, 30, len(dups))
        self.dup_of[dups] = orig

    def _gather(self) -> None:
        tpl = self.pop.templates
        cnt = tpl.line_count[self.tmpl]
        self.l_claim, src = _ragged(cnt, tpl.line_start[self.tmpl])
        self.l_number = src - tpl.line_start[self.tmpl][self.l_claim] + 1
        self.l_proc = tpl.l_proc[src]
        self.l_rev = tpl.l_rev[src]
        self.l_units = tpl.l_units[src]
        self.l_price = tpl.l_price[src]
        self.l_mod = tpl.l_mod[src]
        self.l_ptr = tpl.l_ptr[src]
        self.line_start = np.zeros(self.n, dtype=np.int64)
        self.line_start[1:] = np.cumsum(cnt)[:-1]
        dcnt = tpl.dx_count[self.tmpl]
        self.d_claim, dsrc = _ragged(dcnt, tpl.dx_start[self.tmpl])
        self.d_seq = dsrc - tpl.dx_start[self.tmpl][self.d_claim] + 1
        self.d_code = tpl.d_code[dsrc]
        self.d_qual = tpl.d_qual[dsrc]
        self.d_poa = tpl.d_poa[dsrc]
        self.dx_start = np.zeros(self.n, dtype=np.int64)
        self.dx_start[1:] = np.cumsum(dcnt)[:-1]
        self.dx_count = dcnt.copy()
        los = tpl.los[self.tmpl]
        self.stmt_to = self.dos + los
        self.submitted = self.stmt_to + self.lag
        # Nullable header fields that a defect may blank out.
        self.null: dict[str, BoolArray] = {
            k: np.zeros(self.n, dtype=bool)
            for k in ("place", "tob", "birth", "tax", "stmt", "discharge", "dx")
        }
        self.freq = np.zeros(self.n, dtype=np.int64)
        self.bad_billing = np.zeros(self.n, dtype=bool)
        self.bad_rendering = np.zeros(self.n, dtype=bool)
        self.member_override: dict[int, str] = {}
        # Authorizations: kind 0 none, 1 valid, 2 expired, 3 other code, 4 denied, 5 used up.
        auth_line = tpl.auth_line[self.tmpl]
        code = np.where(auth_line >= 0, self.l_proc[self.line_start + np.maximum(auth_line, 0)],
                        0)
        needs = (auth_line >= 0) & self.pop.plan_auth[self.plan, code]
        self.auth_kind = np.where(needs, 1, 0).astype(np.int64)
        self.auth_kind[self.dup_of >= 0] = 0
        self.auth_line = auth_line

    # ------------------------------------------------------------ helpers for injectors

    def label(self, who: IntArray, line_offset: IntArray | None = None,
              detail: list[str] | None = None, carc: list[str | None] | None = None,
              rarc: list[str | None] | None = None) -> None:
        """Record the line (0-based offset) and the per-claim detail, CARC and RARC."""
        if line_offset is not None:
            self.labels.line[who] = line_offset + 1
        for j, c in enumerate(who.tolist()):
            if detail is not None:
                self.labels.detail[c] = detail[j]
            if carc is not None and carc[j] is not None:
                self.labels.carc[c] = str(carc[j])
            if rarc is not None and rarc[j] is not None:
                self.labels.rarc[c] = str(rarc[j])

    # ------------------------------------------------------------ tables

    def _claims_batch(self) -> Batch:
        pop, voc, n = self.pop, self.pop.vocab, self.n
        ids = _ids("CLM", self.offset, n)
        self.claim_ids = ids
        charge = np.round(self.l_price * self.l_units * self.factor[self.l_claim]).astype(np.int64)
        charge = np.maximum(charge, 100)
        total = np.bincount(self.l_claim, weights=charge, minlength=n).astype(np.int64)
        inst = self.ctype == 1
        place = pop.templates.place[self.tmpl]
        inpatient = pop.templates.los[self.tmpl] > 0
        member_ids = pop.c_subscriber.take(pa.array(self.cov))
        if self.member_override:
            keys = sorted(self.member_override)
            mask = np.zeros(n, dtype=bool)
            mask[keys] = True
            member_ids = pc.replace_with_mask(
                member_ids, pa.array(mask), pa.array([self.member_override[k] for k in keys])
            )
        npi_b = pc.if_else(pa.array(self.bad_billing), pop.bad_npi.take(pa.array(self.billing)),
                           pop.npi.take(pa.array(self.billing)))
        npi_r = pc.if_else(pa.array(self.bad_rendering),
                           pop.bad_npi.take(pa.array(self.rendering)),
                           pop.npi.take(pa.array(self.rendering)))
        self.billing_npi = npi_b
        auth_ids = _ids("PA", self.offset, n)
        referenced = self.auth_kind >= 1
        dup_ref = self.dup_of >= 0
        ref_index = np.where(dup_ref, self.dup_of, np.arange(n))
        has_ref = referenced | (dup_ref & (self.auth_kind[np.maximum(self.dup_of, 0)] >= 1))
        self.auth_ids = auth_ids
        null = self.null
        members = pop.members.tables["members"]
        home = pa.array(self.member)
        office = pa.array(self.billing)
        street, city, state, postal = pop.provider_address
        claims = {
            "claim_id": ids,
            "claim_type": strings(vocab(["professional", "institutional"]), self.ctype),
            "frequency_code": strings(vocab(_FREQ), self.freq),
            "original_claim_ref": pa.nulls(n, pa.string()),
            "payer_id": strings(pop.payer_ids, self.payer),
            "payer_name": strings(vocab([p.name for p in pop.payer_profiles]), self.payer),
            "filing_indicator": strings(
                vocab([_FILING[p.product_line] for p in pop.payer_profiles]), self.payer
            ),
            "member_id": member_ids,
            "patient_first_name": strings(pop.first_names, self.first),
            "patient_last_name": strings(pop.last_names, self.last),
            "patient_birth_date": dates(self.birth, null["birth"]),
            "patient_sex": strings(vocab(["F", "M"]), self.sex_on_claim()),
            "patient_relationship": strings(vocab(["18"]), np.zeros(n, dtype=np.int64)),
            "patient_address_line": members.column("address_line").take(home),
            "patient_city": members.column("city").take(home),
            "patient_state": members.column("state").take(home),
            "patient_postal_code": members.column("postal_code").take(home),
            "billing_npi": npi_b,
            "billing_name": pop.provider_names.take(office),
            "billing_tax_id": strings(pop.tax_id, np.where(null["tax"], -1, self.billing)),
            "billing_taxonomy": strings(vocab(voc.taxonomies), pop.p_tax[self.billing]),
            "billing_address_line": street.take(office),
            "billing_city": city.take(office),
            "billing_state": state.take(office),
            "billing_postal_code": postal.take(office),
            "rendering_npi": npi_r,
            "rendering_name": pop.provider_names.take(pa.array(self.rendering)),
            "rendering_first_name": pop.provider_first_names.take(pa.array(self.rendering)),
            "referring_npi": pa.nulls(n, pa.string()),
            "facility_npi": pa.nulls(n, pa.string()),
            "place_of_service": strings(vocab(voc.places),
                                        np.where(inst | null["place"], -1, place)),
            # The last digit of a type of bill is the claim's frequency code (as in CLM05).
            "type_of_bill": strings(vocab([b[:-1] + f for b in voc.bill_types for f in _FREQ]),
                                    np.where(~inst | null["tob"], -1,
                                             place * len(_FREQ) + self.freq)),
            # A statement period is institutional (837I DTP*434); a professional claim's
            # dates are its lines'.
            "statement_from": dates(self.dos, null["stmt"] | ~inst),
            "statement_to": dates(self.stmt_to, ~inst),
            "admission_date": dates(self.dos, ~inpatient),
            "discharge_status": strings(vocab(["01"]), np.where(inst & ~null["discharge"], 0,
                                                                 -1)),
            "total_charge": decimals(total, 14, 2),
            "prior_auth_number": strings(auth_ids, np.where(has_ref, ref_index, -1)),
            "referral_number": pa.nulls(n, pa.string()),
            "submitted_on": dates(self.submitted),
        }
        keep_dx = ~null["dx"][self.d_claim]
        order = np.lexsort((self.d_seq, self.d_claim))
        order = order[keep_dx[order]]
        dx_owner = self.d_claim[order]
        diagnoses = {
            "claim_id": ids.take(pa.array(dx_owner)),
            "sequence": pa.array(self.d_seq[order]),
            "code": strings(vocab(voc.diagnoses), self.d_code[order]),
            "qualifier": strings(vocab(voc.qualifiers), self.d_qual[order]),
            "present_on_admission": strings(vocab(["Y", "N"]), self.d_poa[order]),
        }
        ptr = np.where(null["dx"][self.l_claim][:, None], 0, self.l_ptr)
        mods = self.l_mod.reshape(-1, 1)
        to = np.where(self.l_rev == voc.revenue.index("0120"), self.stmt_to[self.l_claim], 0)
        lines = {
            "claim_id": ids.take(pa.array(self.l_claim)),
            "line_number": pa.array(self.l_number),
            "procedure_code": strings(vocab(voc.procedures), self.l_proc),
            "modifiers": list_column(mods, vocab(voc.modifiers)),
            "revenue_code": strings(vocab(voc.revenue), self.l_rev),
            "units": decimals(self.l_units * 1000, 12, 3),
            "charge": decimals(charge, 14, 2),
            "service_from": dates(self.dos[self.l_claim]),
            "service_to": dates(to, to == 0),
            "diagnosis_pointers": list_column(np.where(ptr > 0, ptr, -1)),
            "place_of_service": pa.nulls(len(self.l_claim), pa.string()),
            "rendering_npi": pa.nulls(len(self.l_claim), pa.string()),
            "ndc": pa.nulls(len(self.l_claim), pa.string()),
            "prior_auth_number": pa.nulls(len(self.l_claim), pa.string()),
        }
        return batch(Claim, {"claims": claims, "claim_diagnoses": diagnoses,
                             "claim_lines": lines})

    def sex_on_claim(self) -> IntArray:
        return self.sex if self.claim_sex is None else self.claim_sex

    def _auth_batch(self) -> Batch:
        pop, rng = self.pop, self.rng
        who = np.flatnonzero(self.auth_kind >= 1)
        kind = self.auth_kind[who]
        m = len(who)
        row = self.line_start[who] + self.auth_line[who]
        billed = self.l_units[row]
        code = self.l_proc[row].copy()
        other = self.other_code
        for j, c in enumerate(who.tolist()):
            if c in other:
                code[j] = other[c]
        dos = self.dos[who]
        start = dos - rng.integers(0, 21, m)
        end = dos + rng.integers(14, 90, m)
        expired = kind == 2
        end = np.where(expired, dos - rng.integers(1, 60, m), end)
        start = np.where(expired, end - rng.integers(30, 90, m), start)
        approved = billed + rng.integers(0, 4, m)
        used = (rng.random(m) * (approved - billed + 1)).astype(np.int64)
        exhausted = kind == 5
        used = np.where(exhausted, approved - billed + 1 + (rng.random(m) * billed).astype(
            np.int64), used)
        used = np.minimum(used, approved)
        status = np.where(kind == 4, 1, 0)
        decided = start - rng.integers(0, 5, m)
        cols = {
            "auth_id": self.auth_ids.take(pa.array(who)),
            "payer_id": strings(pop.payer_ids, self.payer[who]),
            "member_id": pop.members.tables["members"].column("member_id").take(
                pa.array(self.member[who])),
            "provider_npi": self.billing_npi.take(pa.array(who)),
            "procedure_codes": list_column(code.reshape(-1, 1), vocab(pop.vocab.procedures)),
            "start_date": dates(start),
            "end_date": dates(end),
            "units_approved": decimals(approved * 1000, 12, 3),
            "units_used": decimals(used * 1000, 12, 3),
            "status": strings(vocab(["approved", "denied"]), status),
            "decided_on": dates(decided),
        }
        return batch(Authorization, {"authorizations": cols})

    def _labels_table(self) -> pa.Table:
        specs: list[DefectSpec | None] = [*DEFECTS, None]  # index -1 is a clean claim

        def column(values: list[object], overrides: dict[int, str] | None = None) -> pa.Array:
            out = np.array(values, dtype=object)[self.defect]
            for c, v in (overrides or {}).items():
                out[c] = v
            return pa.array(out, from_pandas=False)

        clean = self.defect == _CLEAN
        line = self.labels.line
        details = {c: v for c, v in self.labels.detail.items() if not clean[c]}
        return pa.Table.from_arrays([
            self.claim_ids,
            column([s.name if s else "clean" for s in specs]).cast(pa.string()),
            column([s.category.value if s else None for s in specs]).cast(pa.string()),
            pa.array(line, pa.int64(), mask=(line < 1) | clean),
            column([s.preventable if s else None for s in specs]).cast(pa.bool_()),
            column([s.carc if s else None for s in specs], self.labels.carc).cast(pa.string()),
            column([s.rarc if s else None for s in specs], self.labels.rarc).cast(pa.string()),
            column([s.severity.value if s else None for s in specs]).cast(pa.string()),
            column([None] * len(specs), details).cast(pa.string()),
        ], schema=LABEL_SCHEMA)


def _ragged(counts: IntArray, starts: IntArray) -> tuple[IntArray, IntArray]:
    """Owner and source row of every item when item ranges ``starts[i]:+counts[i]`` are joined."""
    owner = np.repeat(np.arange(len(counts), dtype=np.int64), counts)
    first = np.cumsum(counts) - counts
    within = np.arange(int(counts.sum()), dtype=np.int64) - np.repeat(first, counts)
    return owner, starts[owner] + within


def _ids(prefix: str, offset: int, n: int) -> pa.Array:
    numbers = pa.array(np.arange(offset + 1, offset + n + 1, dtype=np.int64)).cast(pa.string())
    return pc.binary_join_element_wise(pa.scalar(prefix), pc.utf8_lpad(numbers, 10, "0"), "")


def _age(birth: IntArray, day: IntArray) -> IntArray:
    """Exact age in whole years on ``day`` (both as days since 1970-01-01)."""
    b = birth.astype("datetime64[D]")
    d = day.astype("datetime64[D]")
    by = b.astype("datetime64[Y]").astype(np.int64)
    dy = d.astype("datetime64[Y]").astype(np.int64)
    # Compare month and day, not day of year, so leap years do not shift birthdays.
    bm = b.astype("datetime64[M]").astype(np.int64) % 12
    dm = d.astype("datetime64[M]").astype(np.int64) % 12
    bd = (b - b.astype("datetime64[M]")).astype(np.int64)
    dd = (d - d.astype("datetime64[M]")).astype(np.int64)
    before = (dm < bm) | ((dm == bm) & (dd < bd))
    age: IntArray = (dy - by - before.astype(np.int64)).astype(np.int64)
    return age

