"""NPI check digits: the Luhn formula over the prefix 80840, scalar and vectorized."""

from __future__ import annotations

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from cleanclaim.synth import is_valid_npi, npi_check_digit, npi_check_digits


def _luhn_valid(number: str) -> bool:
    """Textbook Luhn over the full number (check digit included), written independently."""
    total = 0
    for i, ch in enumerate(reversed(number)):
        d = int(ch) * (2 if i % 2 else 1)
        total += d - 9 if d > 9 else d
    return total % 10 == 0


def test_published_example() -> None:
    # The example of the CMS NPI check-digit note: base 123456789 has check digit 3.
    assert npi_check_digit("123456789") == 3
    assert is_valid_npi("1234567893")
    assert not is_valid_npi("1234567894")


def test_rejects_malformed() -> None:
    for value in ("", "123456789", "12345678931", "12345678a3", "123456789 "):
        assert not is_valid_npi(value)


@given(st.integers(min_value=100_000_000, max_value=299_999_999))
def test_check_digit_is_luhn_over_prefix(base: int) -> None:
    digit = npi_check_digit(str(base))
    assert _luhn_valid(f"80840{base}{digit}")
    assert is_valid_npi(f"{base}{digit}")
    for wrong in range(10):
        if wrong != digit:
            assert not is_valid_npi(f"{base}{wrong}")


@given(st.lists(st.integers(min_value=0, max_value=999_999_999), min_size=1, max_size=50))
def test_vectorized_matches_scalar(bases: list[int]) -> None:
    got = npi_check_digits(np.array(bases, dtype=np.int64)).tolist()
    assert got == [npi_check_digit(f"{b:09d}") for b in bases]
