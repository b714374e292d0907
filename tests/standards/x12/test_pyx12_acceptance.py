"""OPTIONAL PEER CHECK (skipped without pyx12): pyx12's validator on what our writers produce.

pyx12 is a dev-only peer, not a dependency: this module is skipped when it is not importable,
so CI does not need it. For every writer whose 5010 guide pyx12 has a map for, the file written
from generated data may only draw the errors listed in :data:`KNOWN_GAPS`: values the guide
requires that the canonical records do not carry (addresses, provider names, the payer's EIN),
and the 277CA structure still open (see its entry). Any other error is a writer fault to fix;
a gap that stops showing up should be taken off the list. ``python -m bench x12_pyx12`` prints
the full report.
"""

from __future__ import annotations

import re

import pytest

pytest.importorskip("pyx12", reason="pyx12 (optional peer) is not installed")

from bench.x12_pyx12 import PYX12_MAPS, check, written_files

_ADDRESS = r'Mandatory segment ".*(Address|City, State, ZIP Code)" \(N[34]\) missing'
_PROVIDER_NAME = r'Mandatory data element ".*(Name)" \(NM103\) is missing'

KNOWN_GAPS: dict[str, tuple[str, ...]] = {
    # Claim records carry no addresses and only the NPI of the other providers.
    "837P": (_ADDRESS, _PROVIDER_NAME),
    "837I": (_ADDRESS, _PROVIDER_NAME),
    # Payment records carry no payer EIN (TRN03 is "1" + EIN), payer address or technical
    # contact, nor the patient's name (2100 NM1*QC).
    "835": (
        r'"Payer Identifier" \(TRN03\) is too short',
        _ADDRESS,
        r'Mandatory segment "Payer Technical Contact Information" \(PER\) missing',
        r'Mandatory segment "Patient Name" \(NM1\) missing',
    ),
    "834": (),
    # Open: the receiver status (2200B STC) and the provider trace loop (2200C TRN) of the
    # 277CA are not written.
    "277CA": (
        r'Mandatory segment "Information Receiver Status Information" \(STC\) missing',
        r'Mandatory loop "Provider of Service Information Trace Identifier" \(2200C\) missing',
    ),
    "999": (),
}


@pytest.mark.parametrize("kind", PYX12_MAPS)
def test_pyx12_reports_only_the_known_gaps(kind: str) -> None:
    text = dict(written_files(count=5, seed=3))[kind]
    result = check(kind, text)
    allowed = [re.compile(p) for p in KNOWN_GAPS[kind]]
    unexpected = [e for e in result.errors if not any(p.search(e.text) for p in allowed)]
    assert unexpected == []
    if not KNOWN_GAPS[kind]:
        assert result.accepted
