"""Payer packs: bundled packs load; a broken pack fails naming the file and the rule."""

from __future__ import annotations

from pathlib import Path

import pytest

from cleanclaim.rules.packs import PackError, bundled_packs, load_packs

GOOD = """\
pack: test
payer_id: PAY01
version: "1"
effective_from: 2025-01-01
rules:
  - id: test.big_units
    title: Many units
    category: coding
    severity: warn
    level: line
    when: [{field: line.units, gt: 3}]
    message: "{line.units} units"
    fix: Check.
    examples:
      - {title: a, fails: true, lines: [{units: 4}]}
      - {title: b, fails: false}
"""


def test_bundled_packs_load() -> None:
    rules = bundled_packs()
    assert {r.pack for r in rules} == {"northwind-commercial", "evergreen-senior-advantage"}
    assert all(r.examples for r in rules)


def test_pack_from_folder(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text(GOOD)
    assert [r.id for r in load_packs([tmp_path])] == ["test.big_units"]


@pytest.mark.parametrize(("change", "expected"), [
    (("field: line.units", "field: line.unit"), "rule test.big_units: when.0: Value error, "
                                                "unknown field 'line.unit'"),
    (("gt: 3", "gt: 3, lt: 9"), "needs exactly one operator"),
    (("severity: warn", "severity: fatal"), "rule test.big_units: severity"),
    (("{title: b, fails: false}", "{title: b, fails: true}"), "one failing and one passing"),
    (("level: line", "level: claim"), "cannot test line fields"),
])
def test_invalid_pack_names_file_and_rule(tmp_path: Path, change: tuple[str, str],
                                          expected: str) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(GOOD.replace(*change))
    with pytest.raises(PackError) as info:
        load_packs([path])
    assert str(path) in str(info.value)
    assert expected in str(info.value)


def test_duplicate_ids_across_files(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text(GOOD)
    (tmp_path / "b.yaml").write_text(GOOD)
    with pytest.raises(PackError, match="already defined"):
        load_packs([tmp_path])


def test_not_yaml(tmp_path: Path) -> None:
    path = tmp_path / "x.yaml"
    path.write_text("rules: [\n")
    with pytest.raises(PackError, match="not valid YAML"):
        load_packs([path])
