"""Providers of the synthetic population: NPIs (some with bad check digits), names, tax IDs,
taxonomies, and the in-network providers by payer and taxonomy."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from cleanclaim.domain import Provider
from cleanclaim.domain.schema import Batch

from . import catalog as cat
from ._arrow import IntArray, batch, dates, strings, vocab
from .npi import npi_check_digits
from .templates import Vocab

if TYPE_CHECKING:
    from .population import WorldShape

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
        person = self.entity == 1
        firsts = vocab([*cat.FEMALE_NAMES, *cat.MALE_NAMES])
        self.first_names = strings(firsts, np.where(person, self.rng_names[1], -1))
        self._address(bases)

    def _address(self, bases: IntArray) -> None:
        """Each group's or hospital's street address, its clinicians sharing it.

        Derived from the NPI base and the seeded city without further draws, so that adding
        addresses left every other draw of the world as it was. ZIP codes have all 9 digits,
        as the 837 guides want for a billing provider.
        """
        city = self.rng_names[3][self.org]
        where = bases[self.org]
        house = 100 + (where * 37) % 9800
        street = (where // 13) % len(cat.STREETS)
        self.address_line = pc.binary_join_element_wise(
            pa.array(house).cast(pa.string()), strings(vocab(cat.STREETS), street), " "
        )
        self.city = strings(vocab([c[0] for c in cat.CITIES]), city)
        self.state = strings(vocab([c[1] for c in cat.CITIES]), city)
        tail = pa.array((where // 7) % 100 * 10_000 + where % 10_000).cast(pa.string())
        self.postal_code = pc.binary_join_element_wise(
            strings(vocab([c[2] for c in cat.CITIES]), city), pc.utf8_lpad(tail, 6, "0"), ""
        )

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
        name = self.names
        first_name = self.first_names
        state = self.state
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
