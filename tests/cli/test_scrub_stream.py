"""``cleanclaim scrub`` streaming canonical CSV/Parquet in chunks of whole claims, and --save."""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import polars as pl
import pytest
from typer.testing import CliRunner

from cleanclaim.cli.main import app
from cleanclaim.domain import Claim
from cleanclaim.domain.schema import records_from_batch
from cleanclaim.errors import BatchValidationError
from cleanclaim.pipeline import claim_chunks
from cleanclaim.pipeline.claim_chunks import CHUNK_SIZE, iter_claim_chunks
from cleanclaim.pipeline.demo import DEMO_SHAPE
from cleanclaim.standards.tabular import BatchFormat, read_batch_files, write_batch_files
from cleanclaim.standards.x12 import parse_claims, write_837
from cleanclaim.store import make_engine
from cleanclaim.store.scrubs import read_scrub_run, run_findings
from cleanclaim.synth import generate_world, write_world

runner = CliRunner()
CLAIMS = 60
DUPLICATE_RULES = {"adm.duplicate_claim", "adm.duplicate_suspected"}


@pytest.fixture(autouse=True, scope="module")
def _data_dir(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    # One data folder for the module: the reference data store is built once.
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("CLEANCLAIM_DATA_DIR", str(tmp_path_factory.mktemp("data")))
        yield


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small synthetic world: claims as Parquet and as CSV, and a context folder of the
    parties and reference tables (without the claims, which would be taken as history)."""
    root = tmp_path_factory.mktemp("world")
    world = generate_world(11, CLAIMS, shape=DEMO_SHAPE)
    write_world(world, root / "all", eligibility_834=False)
    context = root / "context"
    context.mkdir()
    for path in (root / "all").glob("*.parquet"):
        if not path.name.startswith("claim") and path.name != "labels.parquet":
            shutil.copy(path, context / path.name)
    write_batch_files(world.claims, root / "parquet", BatchFormat.PARQUET)
    write_batch_files(world.claims, root / "csv", BatchFormat.CSV)
    (root / "x12").mkdir()
    with (root / "x12" / "claims.x12").open("w", encoding="ascii", newline="") as stream:
        write_837(records_from_batch(world.claims), stream)
    return root


def _scrub(world: Path, source: Path, out: Path, *extra: str) -> list[dict[str, object]]:
    args = ["scrub", str(source), "--context", str(world / "context"), "--as-of", "2026-11-27",
            "--out", str(out), "--json", *extra]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    return [json.loads(line) for line in out.read_text().splitlines()]


def _key(row: dict[str, object]) -> tuple[str, ...]:
    return tuple(str(row[k]) for k in ("claim_id", "rule_id", "line", "message", "carc"))


def _original(row: dict[str, object]) -> str:
    found = re.search(r"claim (\S+)$", str(row["message"]))
    assert found, row
    return found.group(1)


@pytest.mark.parametrize(("fmt", "sizes"), [("parquet", (1, 7, CHUNK_SIZE)),
                                            ("csv", (7, CHUNK_SIZE)), ("x12", (7,))])
def test_streaming_gives_the_findings_of_one_batch(world: Path, tmp_path: Path, fmt: str,
                                                   sizes: tuple[int, ...]) -> None:
    source = world / fmt / f"claims.{fmt}"  # the 837 as claims.x12
    whole = _scrub(world, source, tmp_path / "whole.jsonl", "--chunk-size", "0")
    assert whole, "the world has defects: the scrub must find some"
    order = ([c.claim_id for c in parse_claims(source)] if fmt == "x12" else
             pl.read_parquet(world / "parquet" / "claims.parquet")["claim_id"].to_list())
    position = {claim_id: i for i, claim_id in enumerate(order)}
    for size in sizes:
        streamed = _scrub(world, source, tmp_path / f"s{size}.jsonl", "--chunk-size", str(size))
        got, expected = {_key(r) for r in streamed}, {_key(r) for r in whole}
        assert len(got) == len(streamed)
        assert got <= expected, size
        # Duplicates are judged within a chunk (and against the context's history): a claim
        # repeating one of another chunk is the only finding a chunk can miss.
        for row in whole:
            if _key(row) not in got:
                assert row["rule_id"] in DUPLICATE_RULES, (size, row)
                chunk = position[str(row["claim_id"])] // size
                assert position[_original(row)] // size != chunk, (size, row)
        if size >= CLAIMS:
            assert streamed == whole


@pytest.mark.parametrize(("fmt", "sizes"), [(BatchFormat.PARQUET, (1, 7, 50)),
                                            (BatchFormat.CSV, (7, 50))])
def test_claims_are_never_split_across_chunks(world: Path, fmt: BatchFormat,
                                              sizes: tuple[int, ...]) -> None:
    expected = records_from_batch(read_batch_files(world / fmt.value, Claim))
    for size in sizes:
        chunks = list(iter_claim_chunks(world / fmt.value, fmt.value, size))
        assert [len(c) for c in chunks[:-1]] == [size] * (len(chunks) - 1)
        got = [r for c in chunks for r in records_from_batch(c)]
        # Every claim arrives whole (lines and diagnoses with it), once, in file order.
        assert got == expected, size


def _copy(world: Path, fmt: str, tmp_path: Path) -> Path:
    folder = tmp_path / "in"
    shutil.copytree(world / fmt, folder)
    return folder


def _fail(folder: Path, fmt: str, size: int = 7) -> str:
    result = runner.invoke(app, ["scrub", str(folder / f"claims.{fmt}"), "--chunk-size",
                                 str(size), "--out", str(folder / "f.jsonl")])
    assert result.exit_code == 2, result.output
    return result.output


def _rewrite(path: Path, frame: pl.DataFrame) -> None:
    if path.suffix == ".parquet":
        frame.write_parquet(path, row_group_size=4)  # batches smaller than the chunks
    else:
        frame.write_csv(path)


def _read(path: Path) -> pl.DataFrame:
    if path.suffix == ".parquet":
        return pl.read_parquet(path)
    return pl.read_csv(path, infer_schema=False)


@pytest.mark.parametrize("fmt", ["parquet", "csv"])
def test_a_bad_cell_in_a_later_chunk_names_its_file_row(world: Path, tmp_path: Path,
                                                        fmt: str) -> None:
    folder = _copy(world, fmt, tmp_path)
    path = folder / f"claim_lines.{fmt}"
    lines = _read(path).with_row_index("__n")
    lines = lines.with_columns(pl.when(pl.col("__n") == 30).then(None).otherwise(
        pl.col("service_from")).alias("service_from")).drop("__n")
    _rewrite(path, lines)
    output = _fail(folder, fmt)
    assert f"{path} (claim_lines), row 31, field 'service_from': required field is missing" \
        in output
    # A bad cell of the claims file, in its third chunk of 7 (the lines fine again).
    shutil.copy(world / fmt / path.name, path)
    claims = folder / f"claims.{fmt}"
    frame = _read(claims).with_row_index("__n")
    _rewrite(claims, frame.with_columns(pl.when(pl.col("__n") == 19).then(pl.lit("20x")).otherwise(
        pl.col("total_charge").cast(pl.String)).alias("total_charge")).drop("__n"))
    output = _fail(folder, fmt)
    assert f"{claims} (claims), row 20, field 'total_charge': not a valid decimal" in output


@pytest.mark.parametrize("fmt", ["parquet", "csv"])
def test_child_rows_out_of_order_are_refused(world: Path, tmp_path: Path, fmt: str) -> None:
    folder = _copy(world, fmt, tmp_path)
    path = folder / f"claim_lines.{fmt}"
    lines = _read(path)
    moved = lines.head(1)  # the first claim's first line, moved
    # Near its claim (within the rows read ahead), the misplaced row itself is named: here
    # after the lines of the sixth claim, which the second chunk of five claims holds.
    sixth = pl.read_parquet(world / "parquet" / "claims.parquet")["claim_id"][5]
    after = int(lines.with_row_index("__n").filter(pl.col("claim_id") == sixth)["__n"].max())
    _rewrite(path, pl.concat([lines.slice(1, after), moved, lines.slice(after + 1)]))
    output = _fail(folder, fmt, size=5)
    assert f"{path} (claim_lines), row {after + 1}, field 'claim_id': claim " in output
    assert "the rows of a claim must be together and in the order of the claims file" in output
    # At the end of the file: still named, as the rest of the file is its claim's chunk's.
    _rewrite(path, pl.concat([lines.slice(1), moved]))
    output = _fail(folder, fmt, size=50)
    assert f"{path} (claim_lines), row {lines.height}, field 'claim_id': claim " in output


def test_a_row_beyond_the_read_ahead_leaves_its_claim_without_rows(
        world: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = _copy(world, "parquet", tmp_path)
    lines = pl.read_parquet(folder / "claim_lines.parquet")
    pl.concat([lines.slice(1), lines.head(1)]).write_parquet(folder / "claim_lines.parquet")
    monkeypatch.setattr(claim_chunks, "_AHEAD", 1)  # read no further ahead than needed
    with pytest.raises(BatchValidationError) as info:
        list(claim_chunks.iter_claim_chunks(folder, "parquet", 5))
    text = str(info.value)
    assert f"{folder / 'claims.parquet'} (claims), row 1, field 'lines': needs at least 1 " \
        "row(s) in claim_lines" in text
    assert "rows of the claim elsewhere in the file count as missing" in text


@pytest.mark.parametrize("fmt", ["parquet", "csv"])
def test_a_child_row_without_its_claim_is_refused(world: Path, tmp_path: Path,
                                                  fmt: str) -> None:
    folder = _copy(world, fmt, tmp_path)
    path = folder / f"claim_diagnoses.{fmt}"
    diagnoses = _read(path)
    orphan = diagnoses.tail(1).with_columns(pl.lit("NO-SUCH-CLAIM").alias("claim_id"))
    _rewrite(path, pl.concat([diagnoses, orphan]))
    output = _fail(folder, fmt)
    row = diagnoses.height + 1
    assert f"{path} (claim_diagnoses), row {row}, field 'claim_id': claim 'NO-SUCH-CLAIM' is " \
        "not in claims" in output


def test_an_unreadable_parquet_file_is_named(world: Path, tmp_path: Path) -> None:
    folder = _copy(world, "parquet", tmp_path)
    (folder / "claims.parquet").write_bytes(b"PAR1 this is not parquet")
    output = _fail(folder, "parquet")
    assert f"{folder / 'claims.parquet'}: cannot be read" in output


def _lines(out: Path) -> Iterator[dict[str, Any]]:
    return (json.loads(line) for line in out.read_text().splitlines())


def test_save_stores_the_run_and_its_findings(world: Path, tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'store.db'}"
    out = tmp_path / "f.jsonl"
    args = ["scrub", str(world / "parquet" / "claims.parquet"), "--context",
            str(world / "context"), "--chunk-size", "25", "--out", str(out), "--save",
            "--db", db]
    result = runner.invoke(app, [*args, "--json"])
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    run_id = summary["run_id"]
    engine = make_engine(db)
    run = read_scrub_run(engine, run_id)
    assert run is not None
    assert (run.claims, run.held, run.findings) == (CLAIMS, summary["held"], summary["findings"])
    assert run.sources == [str(world / "parquet" / "claims.parquet")]
    assert {p.pack for p in run.packs}, "the bundled payer packs are part of the rule set"
    stored = run_findings(engine, run_id)
    written = list(_lines(out))
    assert sorted((f.claim_id, f.rule_id, f.line, f.message, f.repair) for f in stored) == sorted(
        (r["claim_id"], r["rule_id"], r["line"], r["message"], r["repair"]) for r in written)
    engine.dispose()
    text = runner.invoke(app, args)
    assert text.exit_code == 0 and re.search(r"saved as scrub run SR\d{8}T\d{6}-", text.stdout)


def test_a_claim_id_repeated_in_a_later_chunk_is_refused(world: Path, tmp_path: Path) -> None:
    source = world / "x12" / "claims.x12"
    text = source.read_text(encoding="ascii")
    ids = re.findall(r"CLM\*([^*]+)\*", text)
    # Claim 20 (the third chunk of 7) takes the ID of claim 3 (the first chunk).
    repeated = tmp_path / "repeated.x12"
    repeated.write_text(text.replace(f"CLM*{ids[19]}*", f"CLM*{ids[2]}*"), encoding="ascii")
    db = f"sqlite:///{tmp_path / 'store.db'}"
    args = ["scrub", str(repeated), "--context", str(world / "context"), "--chunk-size", "7",
            "--out", str(tmp_path / "f.jsonl"), "--save", "--db", db]
    result = runner.invoke(app, args)
    assert result.exit_code == 2
    assert (f"{repeated}: claim ID '{ids[2]}' (claim 20 of the input) repeats the ID of an "
            "earlier claim") in result.output
    engine = make_engine(db)
    with engine.connect() as conn:
        from sqlalchemy import text as sql

        assert conn.execute(sql("select count(*) from scrub_runs")).scalar() == 0
    engine.dispose()
