"""The registry of rules: every rule of the library and of loaded payer packs, by id."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import replace

from ..domain import ClaimType, DenialCategory, Severity
from .api import Check, Example, Rule
from .single import Single

__all__ = ["Registry", "default_registry", "register", "rule", "single"]


class Registry:
    """An ordered set of rules; ids are unique."""

    def __init__(self, rules: Iterable[Rule] = ()) -> None:
        self._rules: dict[str, Rule] = {}
        for r in rules:
            self.add(r)

    def add(self, rule: Rule) -> Rule:
        if rule.id in self._rules:
            raise ValueError(f"rule {rule.id} is registered twice")
        self._rules[rule.id] = rule
        return rule

    def __iter__(self) -> Iterator[Rule]:
        return iter(self._rules.values())

    def __len__(self) -> int:
        return len(self._rules)

    def __contains__(self, rule_id: object) -> bool:
        return rule_id in self._rules

    def get(self, rule_id: str) -> Rule:
        return self._rules[rule_id]

    def extended(self, rules: Iterable[Rule]) -> Registry:
        """A new registry with these rules added (e.g. a payer's packs)."""
        return Registry([*self, *rules])


_LIBRARY = Registry()


def register(rule: Rule) -> Rule:
    """Add a rule to the library registry (done by the modules of ``rules.library``)."""
    return _LIBRARY.add(rule)


def rule(
    id: str,
    *,
    title: str,
    category: DenialCategory,
    severity: Severity,
    carc: str | None,
    rarc: str | None = None,
    fix: str,
    source: str,
    needs: Iterable[str] = (),
    claim_types: Iterable[ClaimType] = tuple(ClaimType),
    examples: Iterable[Example] = (),
    description: str = "",
) -> Callable[[Check], Check]:
    """Decorator declaring and registering a library rule around its check function."""

    def wrap(check: Check) -> Check:
        register(Rule(
            id=id, title=title, category=category, severity=severity, carc=carc, rarc=rarc,
            fix=fix, source=source, check=check, needs=frozenset(needs),
            claim_types=frozenset(claim_types), examples=tuple(examples),
            description=description or (check.__doc__ or "").strip(),
        ))
        return check

    return wrap


def single(rule_id: str) -> Callable[[Single], Single]:
    """Decorator attaching a one-claim kernel to the library rule ``rule_id`` (declared
    just above it, in the same module)."""

    def wrap(kernel: Single) -> Single:
        _LIBRARY._rules[rule_id] = replace(_LIBRARY.get(rule_id), single=kernel)
        return kernel

    return wrap


def default_registry() -> Registry:
    """Every rule of the library (importing the families registers them)."""
    from . import library  # noqa: F401  (import registers the families)

    return _LIBRARY
