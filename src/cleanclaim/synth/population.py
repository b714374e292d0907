"""The standing part of a synthetic world: payers, plans, members, coverages and providers.

Built once per world (vectorized with numpy), it also holds what claim generation samples from:
claim templates expanded from the encounter recipes of :mod:`cleanclaim.synth.catalog`, pools
of coverages by situation (active, terminated, not yet effective, secondary), in-network
providers by payer and taxonomy, and the members reserved for authorization defects.

Member IDs are issued per payer in that payer's format; a person's ``member_id`` is the ID of
their first coverage, and every coverage carries the ID on its card as ``subscriber_id``.

Payers and plans are built in :mod:`._plans`, members and coverages in :mod:`._members`,
authorizations in :mod:`._auths` and providers in :mod:`._providers`; this module holds the
:class:`Population` they make up and :func:`build_population`.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field

import numpy as np
import pyarrow as pa

from cleanclaim.domain.schema import Batch

from . import catalog as cat
from ._arrow import BoolArray, IntArray, days, vocab
from ._auths import _background_auths
from ._members import _Members, format_member_ids
from ._plans import _payers, _plans
from ._providers import _Providers
from .defects import DEFECTS, DefectRates
from .templates import Templates, Vocab, build_templates, demographic_masks, pool_masks

__all__ = ["Population", "WorldShape", "build_population", "chunk_sizes", "format_member_ids"]


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
    provider_first_names: pa.Array
    provider_address: tuple[pa.Array, pa.Array, pa.Array, pa.Array]  # line, city, state, ZIP
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
        provider_first_names=providers.first_names,
        provider_address=(
            providers.address_line, providers.city, providers.state, providers.postal_code
        ),
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
