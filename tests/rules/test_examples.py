"""Every rule's examples: the failing claim is found (on the stated line), the passing one not."""

from __future__ import annotations

import pytest

from cleanclaim.rules import Example, Rule, default_registry, scrub_claim
from cleanclaim.rules.examples import example_claim, example_context
from cleanclaim.rules.packs import bundled_packs

REGISTRY = default_registry().extended(bundled_packs())
CASES = [
    pytest.param(r, ex, id=f"{r.id}:{ex.title}")
    for r in REGISTRY for ex in r.examples
]


@pytest.mark.parametrize(("rule", "example"), CASES)
def test_example(rule: Rule, example: Example) -> None:
    claim = example_claim(example)
    found = [f for f in scrub_claim(claim, example_context(), registry=REGISTRY)
             if f.rule_id == rule.id]
    if example.fails:
        assert found, f"{rule.id} found nothing on: {example.title}"
        if example.line is not None:
            assert {f.line for f in found} == {example.line}
        for f in found:
            assert f.severity is rule.severity and f.category is rule.category
            assert f.message and f.fix
    else:
        assert not found, f"{rule.id} fired on: {example.title}: {found}"


def test_every_rule_has_a_failing_and_a_passing_example() -> None:
    for r in REGISTRY:
        kinds = {ex.fails for ex in r.examples}
        assert kinds == {True, False}, r.id


def test_the_base_example_claim_is_clean() -> None:
    findings = scrub_claim(example_claim(), example_context())
    assert findings == []
