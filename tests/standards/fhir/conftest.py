"""Without the optional fhir.resources, only the test of running without it is collected."""

from __future__ import annotations

from importlib.util import find_spec


def _installed() -> bool:
    try:
        return find_spec("fhir.resources") is not None
    except ImportError:
        return False


collect_ignore_glob = [] if _installed() else ["test_[!o]*.py"]
