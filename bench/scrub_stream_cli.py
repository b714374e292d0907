"""``cleanclaim scrub`` over a large canonical Parquet claim set: streamed in chunks vs read
whole, and the save of a run's findings on SQLite and PostgreSQL.

``python -m bench scrub_stream_cli [--claims N] [--chunk C] [--repeat R] [--db URL]``

- A synthetic world of ``N`` claims (default 1,000,000) is written chunk by chunk
  (``stream_world``): the claims as ``claims``/``claim_lines``/``claim_diagnoses`` Parquet, the
  parties and code tables as the ``--context`` folder.
- The command line runs as a child process, as a user runs it: ``--chunk-size C`` (streaming)
  and ``--chunk-size 0`` (every claim read as one batch, the way before streaming), each ``R``
  times; printed are the best wall time with the spread, claims per minute, and the child's
  peak RSS (from ``wait4``, the child's own).
- Save: the findings the scrub wrote (JSON Lines) and a decision for each of the ``N`` claims,
  stored as one run by ``save_scrub_run`` (the path of ``scrub --save``) into a migrated
  database of its own, ``R`` times: findings per second, and rows per second with the
  decisions. PostgreSQL gets a database created for the run and dropped after.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import polars as pl
import pyarrow.parquet as pq
import sqlalchemy as sa

from cleanclaim.domain import ScrubRun
from cleanclaim.pipeline.claim_chunks import CHUNK_SIZE
from cleanclaim.pipeline.demo import DEMO_SHAPE
from cleanclaim.rules import OUTPUT_COLUMNS
from cleanclaim.store import make_engine, migrate
from cleanclaim.store.scrubs import save_scrub_run
from cleanclaim.synth import stream_world

from .harness import machine

__all__ = ["main"]

PG_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
_CLAIM_FILES = ("claims", "claim_lines", "claim_diagnoses")


def _world(claims: int, seed: int, root: Path) -> tuple[Path, Path]:
    """Claims folder and context folder of a streamed synthetic world."""
    world, claim_dir = root / "world", root / "claims"
    stream_world(seed, claims, world, shape=DEMO_SHAPE, eligibility_834=False)
    claim_dir.mkdir()
    for name in _CLAIM_FILES:
        shutil.move(world / f"{name}.parquet", claim_dir / f"{name}.parquet")
    (world / "labels.parquet").unlink()
    return claim_dir, world


def _cli() -> list[str]:
    script = Path(sys.executable).with_name("cleanclaim")
    return [str(script)] if script.exists() else [sys.executable, "-m", "cleanclaim.cli.main"]


def _run(args: list[str]) -> tuple[float, float]:
    """Wall seconds and peak RSS (MiB) of one command-line run in a child process."""
    start = time.perf_counter()
    child = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(child.pid, 0)
    seconds = time.perf_counter() - start
    err = child.stderr.read().decode() if child.stderr else ""
    if status != 0:
        raise SystemExit(f"{' '.join(args)} failed ({status}): {err}")
    return seconds, usage.ru_maxrss / 1024


def _scrub_figures(claims: int, claim_dir: Path, context: Path, out: Path, chunk: int,
                   repeat: int) -> list[str]:
    lines = ["| run | best s | spread s | claims/min | peak RSS MiB |",
             "| --- | ---: | ---: | ---: | ---: |"]
    base = [*_cli(), "scrub", str(claim_dir / "claims.parquet"), "--format", "parquet",
            "--context", str(context), "--out", str(out)]
    for label, size in ((f"streamed, --chunk-size {chunk:,}", chunk), ("read whole", 0)):
        runs = [_run([*base, "--chunk-size", str(size)]) for _ in range(repeat)]
        times = [t for t, _ in runs]
        best = min(times)
        lines.append(f"| {label} | {best:.1f} | {max(times) - best:.1f} | "
                     f"{claims / best * 60:,.0f} | {max(r for _, r in runs):,.0f} |")
    return lines


def _save_frames(out: Path, claims: Path) -> tuple[pl.DataFrame, pl.DataFrame]:
    """The run's findings as the scrub wrote them, and a decision for every claim."""
    findings = pl.read_ndjson(out, schema=OUTPUT_COLUMNS)
    held = findings.group_by("claim_id").len()
    decisions = pl.read_parquet(claims / "claims.parquet", columns=["claim_id"]).join(
        held, on="claim_id", how="left").select(
        "claim_id", pl.when(pl.col("len").is_null()).then(pl.lit("submit")).otherwise(
            pl.lit("hold")).alias("decision"),
        pl.col("len").fill_null(0).cast(pl.Int64).alias("stopping_findings"))
    return findings, decisions


@contextmanager
def _database(url: str) -> Iterator[str]:
    """``url`` itself, or for PostgreSQL a database of the bench's own, dropped after."""
    if not url.startswith("postgresql"):
        yield url
        return
    admin = sa.create_engine(url, isolation_level="AUTOCOMMIT")
    name = f"cleanclaim_bench_{os.getpid()}"
    with admin.connect() as conn:
        conn.exec_driver_sql(f"CREATE DATABASE {name}")
    try:
        yield sa.make_url(url).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.exec_driver_sql(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        admin.dispose()


def _save_figure(url: str, findings: pl.DataFrame, decisions: pl.DataFrame,
                 repeat: int) -> str:
    """Best time of ``repeat`` saves (each a new run) into an empty, migrated database."""
    engine = make_engine(url)
    migrate(engine)
    times = []
    for i in range(repeat):
        now = time.time()
        run = ScrubRun.model_validate({
            "run_id": f"BENCH-{i}", "started_at": now, "finished_at": now,
            "as_of": "2026-11-27", "sources": ["bench"], "library_version": "bench",
            "rules_run": 0, "claims": decisions.height, "held": 0,
            "findings": findings.height})
        start = time.perf_counter()
        save_scrub_run(engine, run, findings, decisions)
        times.append(time.perf_counter() - start)
    engine.dispose()
    best = min(times)
    rows = findings.height + decisions.height
    return (f"| {engine.dialect.name} | {findings.height:,} + {decisions.height:,} | "
            f"{best:.1f} | {max(times) - best:.1f} | {findings.height / best:,.0f} | "
            f"{rows / best:,.0f} |")


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench scrub_stream_cli")
    parser.add_argument("--claims", type=int, default=1_000_000)
    parser.add_argument("--chunk", type=int, default=CHUNK_SIZE)
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--db", action="append", help="database URL for the save (repeatable;"
                        " default: SQLite and the local PostgreSQL)")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        began = time.perf_counter()
        claim_dir, context = _world(args.claims, args.seed, root)
        size = sum(pq.ParquetFile(claim_dir / f"{n}.parquet").metadata.num_rows
                   for n in _CLAIM_FILES)
        print(f"## scrub_stream_cli: {args.claims:,} claims ({size:,} rows in 3 Parquet files,"
              f" written in {time.perf_counter() - began:.0f} s)")
        print(f"machine: {machine()}\n")
        out = root / "findings.jsonl"
        print("\n".join(_scrub_figures(args.claims, claim_dir, context, out, args.chunk,
                                       args.repeat)))
        findings, decisions = _save_frames(out, claim_dir)
        print(f"\nfindings written by the scrub: {findings.height:,}\n")
        print("| save on | findings + decisions | best s | spread s | findings/s | rows/s |")
        print("| --- | ---: | ---: | ---: | ---: | ---: |")
        urls = args.db or [f"sqlite:///{root / 'bench.db'}", PG_URL]
        for url in urls:
            try:
                with _database(url) as target:
                    print(_save_figure(target, findings, decisions, args.repeat))
            except Exception as exc:  # an unreachable server: say so, keep the other figures
                print(f"| {url} | not measured: {type(exc).__name__}: {exc} | | | | |")
    return 0
