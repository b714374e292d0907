"""Timing and memory measurement shared by the benchmarks."""

from __future__ import annotations

import gc
import platform
import resource
import time
import tracemalloc
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

__all__ = ["Measure", "cpu_seconds", "machine", "measure", "report"]


@dataclass(frozen=True)
class Measure:
    """One timed run: wall seconds (best of the repeats), items, Python peak allocation."""

    name: str
    seconds: float
    items: int
    unit: str
    peak_mib: float

    @property
    def rate(self) -> float:
        return self.items / self.seconds if self.seconds else float("inf")


def measure(
    name: str, fn: Callable[[], Any], *, items: int, unit: str, repeat: int = 3,
    setup: Callable[[], Any] | None = None, trace_memory: bool = False,
) -> Measure:
    """Best wall time of ``repeat`` runs of ``fn`` (``setup`` runs untimed before each)."""
    best = float("inf")
    peak = 0.0
    for i in range(repeat):
        if setup is not None:
            setup()
        gc.collect()
        tracing = trace_memory and i == 0
        if tracing:
            tracemalloc.start()
        start = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - start)
        if tracing:
            peak = tracemalloc.get_traced_memory()[1] / 2**20
            tracemalloc.stop()
    return Measure(name, best, items, unit, peak)


def cpu_seconds(fn: Callable[[], Any], repeat: int = 3) -> float:
    """Best CPU time of this process over ``repeat`` runs of ``fn``: steadier than wall time on
    a shared machine, where waiting for a core is not work."""
    best = float("inf")
    for _ in range(repeat):
        start = time.process_time()
        fn()
        best = min(best, time.process_time() - start)
    return best


def machine() -> str:
    """A one-line description of the machine the figures come from."""
    import os

    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as f:
            cpu = next(line.split(":", 1)[1].strip() for line in f if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    return f"{cpu}, {os.cpu_count()} cores, Python {platform.python_version()}"


def report(title: str, subject: Measure, baseline: Measure) -> str:
    """A side-by-side table of a workload and its baseline, with the ratio."""
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    lines = [
        f"## {title}",
        f"machine: {machine()}; process peak RSS {rss:.0f} MiB",
        "",
        f"| run | {subject.unit} | seconds | {subject.unit}/s | Python peak MiB |",
        "| --- | ---: | ---: | ---: | ---: |",
    ]
    for m in (subject, baseline):
        peak = f"{m.peak_mib:.1f}" if m.peak_mib else "-"
        lines.append(f"| {m.name} | {m.items:,} | {m.seconds:.3f} | {m.rate:,.0f} | {peak} |")
    lines.append("")
    lines.append(f"ratio: {subject.name} is {baseline.seconds / subject.seconds:.1f}x "
                 f"faster than {baseline.name}")
    return "\n".join(lines)
