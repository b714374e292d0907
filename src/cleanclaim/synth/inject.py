"""Defect injectors: each changes exactly what makes a claim wrong against the world.

An injector receives the chunk under construction and the claims drawn for its defect (already
given a coverage, date and template suited to it: a terminated coverage, a template with an
authorization-required code, ...). It edits the claim, line or diagnosis arrays and records the
line and a human-readable detail in the labels. Every change is checkable from the world's own
tables; the tests check each one.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import TYPE_CHECKING

import numpy as np

from . import catalog as cat
from ._arrow import EPOCH, IntArray
from .defects import DefectSpec
from .population import format_member_ids

if TYPE_CHECKING:
    from .claims import _Chunk

__all__ = ["INJECTORS"]

Injector = Callable[["_Chunk", IntArray, DefectSpec], None]
INJECTORS: dict[str, Injector] = {}


def _injector(fn: Injector) -> Injector:
    INJECTORS[fn.__name__.removeprefix("_")] = fn
    return fn


def _day(value: int) -> str:
    return (EPOCH + dt.timedelta(days=int(value))).isoformat()


def _nothing(ch: _Chunk, who: IntArray, spec: DefectSpec) -> None:
    """The claim is right by every published rule; the payer decides otherwise."""


for _name in ("medical_necessity_review", "payer_discretion", "policy_change"):
    INJECTORS[_name] = _nothing


# ---------------------------------------------------------------- eligibility


@_injector
def _coverage_terminated(ch: _Chunk, who: IntArray, spec: DefectSpec) -> None:
    term = ch.pop.c_term[ch.cov[who]]
    ch.label(who, detail=[f"coverage ended {_day(t)}, service on {_day(d)}"
                          for t, d in zip(term.tolist(), ch.dos[who].tolist(), strict=True)])


@_injector
def _coverage_not_started(ch: _Chunk, who: IntArray, spec: DefectSpec) -> None:
    eff = ch.pop.c_eff[ch.cov[who]]
    ch.label(who, detail=[f"coverage starts {_day(e)}, service on {_day(d)}"
                          for e, d in zip(eff.tolist(), ch.dos[who].tolist(), strict=True)])


@_injector
def _unknown_member_id(ch: _Chunk, who: IntArray, spec: DefectSpec) -> None:
    pop, rng = ch.pop, ch.rng
    malformed = rng.random(len(who)) < 0.3
    details: list[str] = []
    for j, c in enumerate(who.tolist()):
        payer = int(ch.payer[c])
        profile = pop.payer_profiles[payer]
        if malformed[j]:
            real = pop.c_subscriber[int(ch.cov[c])].as_py()
            value = real[:-1]
            details.append("member ID truncated: does not match the payer's format")
        else:
            # Numbers at or above the count issued map to IDs nobody holds (the map is 1:1).
            spare = 10**profile.id_digits - int(pop.issued[payer])
            number = int(pop.issued[payer]) + int(rng.integers(0, min(spare, 1_000_000)))
            value = format_member_ids(profile, np.array([number]), rng)[0].as_py()
            details.append("member ID in the payer's format but not issued")
        ch.member_override[c] = value
    ch.label(who, detail=details)


@_injector
def _demographic_mismatch(ch: _Chunk, who: IntArray, spec: DefectSpec) -> None:
    rng = ch.rng
    variant = rng.integers(0, 3, len(who))
    n_last = len(cat.LAST_NAMES)
    name, dob, sex = who[variant == 0], who[variant == 1], who[variant == 2]
    ch.last[name] = (ch.last[name] + 1 + rng.integers(0, n_last - 1, len(name))) % n_last
    ch.birth[dob] = ch.birth[dob] - rng.integers(1, 400, len(dob))
    claim_sex = ch.sex.copy()
    claim_sex[sex] = 1 - claim_sex[sex]
    ch.claim_sex = claim_sex
    texts = ("patient last name differs from enrolment", "patient birth date differs from "
             "enrolment", "patient sex differs from enrolment")
    ch.label(who, detail=[texts[v] for v in variant.tolist()],
             carc=["140" if v == 0 else None for v in variant.tolist()])


@_injector
def _wrong_payer(ch: _Chunk, who: IntArray, spec: DefectSpec) -> None:
    real = ch.pop.c_payer[ch.cov[who]]
    ids = [p.payer_id for p in ch.pop.payer_profiles]
    ch.label(who, detail=[f"member is covered by {ids[r]} only, billed to {ids[p]}"
                          for r, p in zip(real.tolist(), ch.payer[who].tolist(), strict=True)])


@_injector
def _other_payer_primary(ch: _Chunk, who: IntArray, spec: DefectSpec) -> None:
    ch.label(who, detail=["billed as primary to the secondary payer; no primary payment"] *
             len(who))


# ---------------------------------------------------------------- missing or invalid data

_PROF_FIELDS = ("place_of_service", "patient_birth_date", "billing_tax_id", "diagnoses",
                "procedure_code")
_INST_FIELDS = ("type_of_bill", "statement_from", "billing_tax_id", "discharge_status",
                "diagnoses")
_NULL_KEY = {"place_of_service": "place", "patient_birth_date": "birth", "billing_tax_id": "tax",
             "diagnoses": "dx", "type_of_bill": "tob", "statement_from": "stmt",
             "discharge_status": "discharge"}


@_injector
def _missing_required_field(ch: _Chunk, who: IntArray, spec: DefectSpec) -> None:
    variant = ch.rng.integers(0, 5, len(who))
    lines = np.full(len(who), -1, dtype=np.int64)
    details: list[str] = []
    code_line = ch.pop.templates.code_line[ch.tmpl]
    for j, c in enumerate(who.tolist()):
        fields = _INST_FIELDS if ch.ctype[c] == 1 else _PROF_FIELDS
        name = fields[int(variant[j])]
        if name == "procedure_code":
            offset = int(code_line[c])
            ch.l_proc[ch.line_start[c] + offset] = -1
            lines[j] = offset
        else:
            ch.null[_NULL_KEY[name]][c] = True
        details.append(f"required {name} is missing")
    ch.label(who, detail=details)
    on_line = lines >= 0
    ch.labels.line[who[on_line]] = lines[on_line] + 1


@_injector
def _invalid_npi(ch: _Chunk, who: IntArray, spec: DefectSpec) -> None:
    billing = ch.rng.random(len(who)) < 0.5
    ch.bad_billing[who[billing]] = True
    ch.bad_rendering[who[~billing]] = True
    ch.label(who, detail=["billing NPI fails the check digit" if b else
                          "rendering NPI fails the check digit" for b in billing.tolist()],
             rarc=[None if b else "N290" for b in billing.tolist()])


@_injector
def _invalid_diagnosis_pointer(ch: _Chunk, who: IntArray, spec: DefectSpec) -> None:
    rows = ch.line_start[who]
    missing = ch.rng.random(len(who)) < 0.5
    ch.l_ptr[rows] = 0
    beyond = ch.dx_count[who] + 1
    ch.l_ptr[rows[~missing], 0] = beyond[~missing]
    ch.label(who, np.zeros(len(who), dtype=np.int64),
             detail=["line 1 has no diagnosis pointer" if m else
                     f"line 1 points to diagnosis {b}, claim has {b - 1}"
                     for m, b in zip(missing.tolist(), beyond.tolist(), strict=True)])


@_injector
def _frequency_code_misuse(ch: _Chunk, who: IntArray, spec: DefectSpec) -> None:
    replacement = ch.rng.random(len(who)) < 0.6
    ch.freq[who] = np.where(replacement, 1, 2)
    ch.label(who, detail=["frequency 7 (replacement) without the original claim reference"
                          if r else "frequency 8 (void) without the original claim reference"
                          for r in replacement.tolist()])


# ---------------------------------------------------------------- authorization


def _auth(ch: _Chunk, who: IntArray, kind: int, text: str) -> None:
    ch.auth_kind[who] = kind
    ch.label(who, ch.auth_line[who], detail=[text] * len(who))


@_injector
def _missing_prior_auth(ch: _Chunk, who: IntArray, spec: DefectSpec) -> None:
    _auth(ch, who, 0, "code requires prior authorization; none on file")


@_injector
def _expired_auth(ch: _Chunk, who: IntArray, spec: DefectSpec) -> None:
    _auth(ch, who, 2, "authorization ended before the date of service")


@_injector
def _auth_wrong_code(ch: _Chunk, who: IntArray, spec: DefectSpec) -> None:
    voc = ch.pop.vocab
    candidates = np.array([voc.proc_index[c] for c in cat.AUTH_CANDIDATES])
    rows = ch.line_start[who] + ch.auth_line[who]
    billed = ch.l_proc[rows]
    pick = candidates[ch.rng.integers(0, len(candidates), len(who))]
    same = pick == billed
    pick[same] = _next_other(candidates, billed[same])
    ch.other_code = dict(zip(who.tolist(), pick.tolist(), strict=True))
    _auth(ch, who, 3, "authorization on file is for another procedure code")


def _next_other(candidates: IntArray, billed: IntArray) -> IntArray:
    position = np.array([int(np.flatnonzero(candidates == b)[0]) for b in billed.tolist()],
                        dtype=np.int64)
    return candidates[(position + 1) % len(candidates)]


@_injector
def _auth_denied(ch: _Chunk, who: IntArray, spec: DefectSpec) -> None:
    _auth(ch, who, 4, "authorization request was denied")


@_injector
def _auth_units_exhausted(ch: _Chunk, who: IntArray, spec: DefectSpec) -> None:
    _auth(ch, who, 5, "authorized units are used up")


# ---------------------------------------------------------------- medical necessity


@_injector
def _dx_not_supporting(ch: _Chunk, who: IntArray, spec: DefectSpec) -> None:
    voc = ch.pop.vocab
    offsets = ch.pop.templates.support_line[ch.tmpl[who]]
    rows = ch.line_start[who] + offsets
    neutral = [voc.dx_index[c] for c in cat.NEUTRAL_DX]
    new_claim: list[int] = []
    new_code: list[int] = []
    new_seq: list[int] = []
    details: list[str] = []
    for c, row in zip(who.tolist(), rows.tolist(), strict=True):
        start, count = int(ch.dx_start[c]), int(ch.dx_count[c])
        present = set(ch.d_code[start: start + count].tolist())
        proc = int(ch.l_proc[row])
        options = [d for d in neutral if not voc.supports[proc, d] and d not in present]
        code = options[int(ch.rng.integers(0, len(options)))]
        seq = count + 1
        new_claim.append(c)
        new_code.append(code)
        new_seq.append(seq)
        ch.l_ptr[row] = [seq, 0, 0, 0]
        details.append(f"{voc.procedures[proc]} billed only with {voc.diagnoses[code]}")
    ch.d_claim = np.concatenate([ch.d_claim, np.array(new_claim, dtype=np.int64)])
    ch.d_code = np.concatenate([ch.d_code, np.array(new_code, dtype=np.int64)])
    ch.d_seq = np.concatenate([ch.d_seq, np.array(new_seq, dtype=np.int64)])
    ch.d_qual = np.concatenate([ch.d_qual, np.ones(len(who), dtype=np.int64)])
    ch.d_poa = np.concatenate([ch.d_poa, np.full(len(who), -1, dtype=np.int64)])
    ch.dx_count[who] += 1
    ch.label(who, offsets, detail=details)


# ---------------------------------------------------------------- coding


def _dx_row(ch: _Chunk, c: int, allowed: Callable[[int], bool]) -> int | None:
    """Row of a diagnosis of claim ``c`` to corrupt, ``None`` when no code qualifies.

    Prefers a diagnosis that no line needs for medical necessity, so the claim is wrong for
    the coding reason alone whenever it can be.
    """
    start, count = int(ch.dx_start[c]), int(ch.dx_count[c])
    rows = [r for r in range(start, start + count) if allowed(int(ch.d_code[r]))]
    if not rows:
        return None
    voc = ch.pop.vocab
    needed: set[int] = set()
    first = int(ch.line_start[c])
    for k in range(int(ch.pop.templates.line_count[ch.tmpl[c]])):
        proc = int(ch.l_proc[first + k])
        if proc >= 0 and voc.restricted_support[proc]:
            needed.update(int(p) for p in ch.l_ptr[first + k] if p > 0)
    spare = [r for r in rows if r - start + 1 not in needed]
    pool = spare or rows
    return pool[int(ch.rng.integers(0, len(pool)))]


@_injector
def _invalid_icd(ch: _Chunk, who: IntArray, spec: DefectSpec) -> None:
    voc = ch.pop.vocab
    details: list[str] = []
    for c in who.tolist():
        row = _dx_row(ch, c, lambda _code: True)
        assert row is not None  # every claim has a diagnosis at this point
        ch.d_code[row] = voc.invalid_form[ch.d_code[row]]
        details.append(f"{voc.diagnoses[ch.d_code[row]]} is not an ICD-10-CM code")
    ch.label(who, detail=details)


@_injector
def _non_billable_icd(ch: _Chunk, who: IntArray, spec: DefectSpec) -> None:
    voc = ch.pop.vocab
    details: list[str] = []
    for c in who.tolist():
        row = _dx_row(ch, c, lambda code: bool(voc.parent_form[code] >= 0))
        if row is None:
            # All codes are three-character leaves (I10, Z23): bill a common category instead.
            row = int(ch.dx_start[c])
            ch.d_code[row] = voc.dx_index["M545"]
        else:
            ch.d_code[row] = voc.parent_form[ch.d_code[row]]
        details.append(f"{voc.diagnoses[ch.d_code[row]]} is a category, not a billable code")
    ch.label(who, detail=details)


@_injector
def _deleted_procedure(ch: _Chunk, who: IntArray, spec: DefectSpec) -> None:
    voc = ch.pop.vocab
    offsets = ch.pop.templates.code_line[ch.tmpl[who]]
    rows = ch.line_start[who] + offsets
    old = ch.l_proc[rows]
    ch.l_proc[rows] = voc.deleted_form[old]
    details = []
    for o, new in zip(old.tolist(), ch.l_proc[rows].tolist(), strict=True):
        code = voc.procedures[new]
        if code in cat.DELETED_PREDECESSOR.values():
            details.append(f"{code} was deleted (now {voc.procedures[o]})")
        else:
            details.append(f"{code} is not a procedure code")
    ch.label(who, offsets, detail=details)


@_injector
def _units_above_mue(ch: _Chunk, who: IntArray, spec: DefectSpec) -> None:
    voc = ch.pop.vocab
    offsets = ch.pop.templates.mue_line[ch.tmpl[who]]
    rows = ch.line_start[who] + offsets
    limit = voc.mue[ch.l_proc[rows]]
    ch.l_units[rows] = limit + ch.rng.integers(1, 4, len(who))
    ch.label(who, offsets, detail=[f"{voc.procedures[p]} billed {u} units, limit {m}"
                                   for p, u, m in zip(ch.l_proc[rows].tolist(),
                                                      ch.l_units[rows].tolist(),
                                                      limit.tolist(), strict=True)])


@_injector
def _age_conflict(ch: _Chunk, who: IntArray, spec: DefectSpec) -> None:
    voc = ch.pop.vocab
    offsets = ch.pop.templates.preventive_line[ch.tmpl[who]]
    rows = ch.line_start[who] + offsets
    bands = len(cat.PREVENTIVE_BANDS)
    band = voc.preventive_band[ch.l_proc[rows]]
    new_band = (band + 1 + ch.rng.integers(0, bands - 1, len(who))) % bands
    new = voc.preventive_new[ch.l_proc[rows]]
    codes = [cat.PREVENTIVE_BANDS[b][2 if n else 3] for b, n in zip(new_band.tolist(),
                                                                     new.tolist(), strict=True)]
    ch.l_proc[rows] = [voc.proc_index[c] for c in codes]
    ch.label(who, offsets, detail=[f"{c} is for ages {cat.PREVENTIVE_BANDS[b][0]}-"
                                   f"{cat.PREVENTIVE_BANDS[b][1]}, patient is {a}"
                                   for c, b, a in zip(codes, new_band.tolist(),
                                                      ch.age[who].tolist(), strict=True)])


@_injector
def _sex_conflict(ch: _Chunk, who: IntArray, spec: DefectSpec) -> None:
    voc = ch.pop.vocab
    offsets = ch.pop.templates.sexspec_line[ch.tmpl[who]]
    rows = ch.line_start[who] + offsets
    sexes = ("female", "male")
    ch.label(who, offsets, detail=[f"{voc.procedures[p]} does not fit a {sexes[s]} patient"
                                   for p, s in zip(ch.l_proc[rows].tolist(),
                                                   ch.sex[who].tolist(), strict=True)])


@_injector
def _ncci_unbundled(ch: _Chunk, who: IntArray, spec: DefectSpec) -> None:
    voc = ch.pop.vocab
    offsets = ch.pop.templates.ptp_line[ch.tmpl[who]]
    rows = ch.line_start[who] + offsets
    removed = ch.l_mod[rows].copy()
    ch.l_mod[rows] = -1
    ch.label(who, offsets, detail=[f"{voc.procedures[p]} billed with its pair without "
                                   f"modifier {voc.modifiers[m]}"
                                   for p, m in zip(ch.l_proc[rows].tolist(),
                                                   removed.tolist(), strict=True)])


# ---------------------------------------------------------------- non-covered


@_injector
def _excluded_service(ch: _Chunk, who: IntArray, spec: DefectSpec) -> None:
    voc = ch.pop.vocab
    offsets = np.zeros(len(who), dtype=np.int64)
    details: list[str] = []
    for j, c in enumerate(who.tolist()):
        start = int(ch.line_start[c])
        count = int(ch.pop.templates.line_count[ch.tmpl[c]])
        procs = ch.l_proc[start: start + count]
        hit = [k for k, p in enumerate(procs.tolist())
               if p >= 0 and ch.pop.plan_excluded[ch.plan[c], p]]
        offsets[j] = hit[0]
        details.append(f"{voc.procedures[int(procs[hit[0]])]} is excluded by the plan")
    ch.label(who, offsets, detail=details)


@_injector
def _benefit_limit_exceeded(ch: _Chunk, who: IntArray, spec: DefectSpec) -> None:
    voc = ch.pop.vocab
    offsets = np.zeros(len(who), dtype=np.int64)
    details: list[str] = []
    for j, c in enumerate(who.tolist()):
        start = int(ch.line_start[c])
        count = int(ch.pop.templates.line_count[ch.tmpl[c]])
        rows = [start + k for k in range(count)
                if ch.l_proc[start + k] >= 0 and voc.limited[ch.l_proc[start + k]]]
        units = ch.l_units[rows]
        limit = int(ch.pop.plan_limit[ch.plan[c]])
        target = rows[int(np.argmax(units))]
        ch.l_units[target] += limit - int(units.sum()) + 1 + int(ch.rng.integers(0, 2))
        offsets[j] = target - start
        details.append(f"{int(ch.l_units[rows].sum())} therapy units in one visit, plan allows "
                       f"{limit}")
    ch.label(who, offsets, detail=details)


# ---------------------------------------------------------------- duplicates, timely filing


@_injector
def _duplicate_claim(ch: _Chunk, who: IntArray, spec: DefectSpec) -> None:
    # The copy itself was made before the lines were gathered; here only the label.
    ch.label(who, detail=[f"same services as claim CLM{int(ch.offset + o + 1):010d}"
                          for o in ch.dup_of[who].tolist()])


@_injector
def _late_filing(ch: _Chunk, who: IntArray, spec: DefectSpec) -> None:
    limit = ch.pop.payer_tf[ch.payer[who]]
    ch.submitted[who] = ch.stmt_to[who] + limit + ch.rng.integers(1, 120, len(who))
    ch.label(who, detail=[f"sent {s - t} days after service, limit {x}"
                          for s, t, x in zip(ch.submitted[who].tolist(), ch.stmt_to[who].tolist(),
                                             limit.tolist(), strict=True)])
