"""``python -m bench NAME [options]``: run one benchmark and print its figures."""

from __future__ import annotations

import importlib
import pkgutil
import sys
from pathlib import Path


def _names() -> list[str]:
    here = Path(__file__).parent
    return sorted(
        m.name for m in pkgutil.iter_modules([str(here)])
        if m.name not in {"harness", "__main__"}
    )


def main(argv: list[str]) -> int:
    if not argv or argv[0] in {"-h", "--help"}:
        print("usage: python -m bench NAME [options]\nbenchmarks: " + ", ".join(_names()))
        return 0 if argv else 2
    name, *rest = argv
    if name not in _names():
        print(f"unknown benchmark {name!r}; known: {', '.join(_names())}", file=sys.stderr)
        return 2
    module = importlib.import_module(f"bench.{name}")
    return int(module.main(rest) or 0)


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
