"""The world's enrolment as each payer's X12 834 files."""

from __future__ import annotations

from pathlib import Path

import pytest

from cleanclaim.domain import Coverage, Member
from cleanclaim.domain.schema import records_from_batch
from cleanclaim.standards.x12 import parse
from cleanclaim.synth import World, generate_world, write_world
from cleanclaim.synth import world as world_module


@pytest.fixture(scope="module")
def world() -> World:
    return generate_world(5, 1500)


def _read(path: Path) -> tuple[list[Member], list[Coverage]]:
    records = list(parse(path))
    return ([r for r in records if isinstance(r, Member)],
            [r for r in records if isinstance(r, Coverage)])


def test_each_payer_receives_its_members_and_their_cob(
    world: World, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Small files, so that the slicing by members is exercised too.
    monkeypatch.setattr(world_module, "ELIGIBILITY_MEMBERS_PER_FILE", 700)
    write_world(world, tmp_path)
    files = sorted((tmp_path / "eligibility").glob("*.834"))
    assert files
    members = {m.member_id: m for m in records_from_batch(world.members)}
    coverages = [c for c in records_from_batch(world.coverages) if isinstance(c, Coverage)]
    seen_plan: list[Coverage] = []
    for path in files:
        payer = path.stem.rsplit("_", 1)[0]
        got_members, got_covs = _read(path)
        assert got_members and all(members[m.member_id] == m for m in got_members)
        plan_covs = [c for c in got_covs if c.plan_id is not None]
        assert {c.payer_id for c in plan_covs} == {payer}
        seen_plan += plan_covs
        cob = [c for c in got_covs if c.plan_id is None]
        assert all(c.payer_id != payer for c in cob)
    expected = sorted((c for c in coverages if c.plan_id is not None),
                      key=lambda c: c.coverage_id)
    assert sorted(seen_plan, key=lambda c: c.coverage_id) == expected
