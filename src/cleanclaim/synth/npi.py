"""National Provider Identifier check digits (Luhn over the card-issuer prefix 80840).

An NPI is nine digits plus a check digit computed with the Luhn formula as if the number were
prefixed by ``80840`` (the health-industry issuer identifier). The synthetic world uses this to
mint valid NPIs in bulk and to corrupt one on purpose; the tests use it to prove both.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

__all__ = ["is_valid_npi", "npi_check_digit", "npi_check_digits"]

_PREFIX = "80840"


def _luhn_sum(digits: str) -> int:
    """Luhn sum of a payload whose check digit will be appended on the right."""
    total = 0
    # The rightmost payload digit sits next to the check digit, so it is the one doubled.
    for position, char in enumerate(reversed(digits)):
        d = int(char)
        if position % 2 == 0:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return total


def npi_check_digit(base: str) -> int:
    """The check digit of a nine-digit NPI base."""
    if len(base) != 9 or not base.isdigit():
        raise ValueError(f"an NPI base is nine digits, got {base!r}")
    return (10 - _luhn_sum(_PREFIX + base) % 10) % 10


def is_valid_npi(npi: str) -> bool:
    """True when ``npi`` is ten digits whose last is the Luhn check digit over 80840 + base."""
    if len(npi) != 10 or not npi.isdigit():
        return False
    return npi_check_digit(npi[:9]) == int(npi[9])


# The prefix always sits at the same distance from the check digit, so it adds a constant (24)
# to every sum; the vectorized form only has to add the nine base digits to it.
_PREFIX_SUM = _luhn_sum(_PREFIX + "000000000")


def npi_check_digits(bases: npt.NDArray[np.int64]) -> npt.NDArray[np.int64]:
    """Vectorized :func:`npi_check_digit` for bases given as integers below 10**9."""
    total = np.full(bases.shape, _PREFIX_SUM, dtype=np.int64)
    rest = bases.astype(np.int64, copy=True)
    for position in range(9):
        d = rest % 10
        rest //= 10
        if position % 2 == 0:
            d = d * 2
            d = np.where(d > 9, d - 9, d)
        total += d
    return (10 - total % 10) % 10
