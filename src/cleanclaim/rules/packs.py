"""Payer rule packs: declarative rules in YAML, no code, versioned and effective-dated.

A pack file holds one payer's rules for one period::

    pack: northwind-commercial        # name
    payer_id: NWHP1                   # the rules apply to claims sent to this payer only
    version: "2025.1"
    effective_from: 2025-01-01        # first date of service covered
    effective_to: 2025-12-31          # last date of service covered (optional)
    rules:
      - id: nwhp1.telehealth_modifier # <prefix>.<name>; unique across loaded packs
        title: Telehealth visit without modifier 95
        category: coding              # a DenialCategory value
        severity: deny                # reject | deny | warn
        carc: "4"
        rarc: null
        level: line                   # line (one finding per line) or claim
        when:                         # every condition must hold for a finding
          - {field: claim.place_of_service, in: ["02", "10"]}
          - {field: line.modifiers, not_contains: "95"}
        message: "telehealth line {line.procedure_code} lacks modifier 95"
        fix: Append modifier 95 to telehealth lines.
        examples:                     # changes to the shared example claim (rules/examples.py)
          - {title: telehealth without 95, fails: true, claim: {place_of_service: "10"}}
          - {title: telehealth with 95, fails: false, claim: {place_of_service: "10"},
             lines: [{modifiers: ["95"]}]}

Fields: ``claim.<column>`` and ``line.<column>`` of the canonical claim tables,
``claim.age`` (patient's age on the first date of service), ``claim.diagnosis_codes`` (list),
``member.<first_name|last_name|birth_date|sex>`` (needs members and coverages), and
``ref.mue_value`` (the line code's MUE of the claim's setting, needs MUE reference data).
Operators: ``equals``, ``not_equals``, ``in``, ``not_in``, ``gt``, ``ge``, ``lt``, ``le``,
``is_null`` (true/false), ``matches`` (regex), ``contains`` / ``not_contains`` (list fields),
``any_matches`` / ``none_match`` (regex over a list). A null field fails every comparison
except ``is_null``.

A file that does not follow this fails at load with :class:`PackError` naming the file, the rule
and the cause.

A batch runs each rule's conditions as a Polars plan; one claim in real time runs them through
a one-claim kernel interpreting the same conditions over the claim's rows (:mod:`.single`). A
condition whose value does not fit its field's type (a number for a text field, a float among
the values of ``in`` for a numeric one, a regex Polars does not accept, a list field in the
message) is left to the plan, which rejects or coerces it in Polars' own way.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable
from decimal import Decimal
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any, Literal

import polars as pl
import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from ..domain import Claim, DenialCategory, Member, Severity
from ..domain.schema import table_specs
from ..errors import InputError
from .api import Example, Rule, finding_frame
from .context import ScrubContext
from .single import Hit, OneClaim, Single, applies_on, polars_text

__all__ = ["PackError", "bundled_packs", "load_pack", "load_packs"]

_OPS = ("equals", "not_equals", "in", "not_in", "gt", "ge", "lt", "le", "is_null", "matches",
        "contains", "not_contains", "any_matches", "none_match")
_MEMBER = ("first_name", "last_name", "birth_date", "sex")


class PackError(InputError):
    """A rule pack that cannot be loaded; the message names the file and the rule."""


@cache
def _columns() -> tuple[set[str], set[str]]:
    claims, lines = table_specs(Claim)[0], table_specs(Claim)[2]
    return {c.name for c in claims.columns}, {c.name for c in lines.columns}


class Condition(BaseModel):
    """One test on one field: exactly one operator."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    field: str
    equals: Any = None
    not_equals: Any = None
    in_: list[Any] | None = Field(default=None, alias="in")
    not_in: list[Any] | None = None
    gt: Any = None
    ge: Any = None
    lt: Any = None
    le: Any = None
    is_null: bool | None = None
    matches: str | None = None
    contains: Any = None
    not_contains: Any = None
    any_matches: str | None = None
    none_match: str | None = None

    @model_validator(mode="after")
    def _one_operator(self) -> Condition:
        given = [op for op in _OPS if getattr(self, "in_" if op == "in" else op) is not None]
        if len(given) != 1:
            raise ValueError(f"condition on {self.field!r} needs exactly one operator of "
                             f"{', '.join(_OPS)}; got {given or 'none'}")
        for pattern in (self.matches, self.any_matches, self.none_match):
            if pattern is not None:
                re.compile(pattern)
        claim_cols, line_cols = _columns()
        scope, _, name = self.field.partition(".")
        ok = ((scope == "claim" and (name in claim_cols or name in {"age", "diagnosis_codes"}))
              or (scope == "line" and name in line_cols)
              or (scope == "member" and name in _MEMBER)
              or self.field == "ref.mue_value")
        if not ok:
            raise ValueError(f"unknown field {self.field!r}")
        return self

    @property
    def operator(self) -> tuple[str, Any]:
        op = next(op for op in _OPS if getattr(self, "in_" if op == "in" else op) is not None)
        return op, getattr(self, "in_" if op == "in" else op)


class PackExample(BaseModel):
    """An example claim of a pack rule (see :class:`~cleanclaim.rules.api.Example`)."""

    model_config = ConfigDict(extra="forbid")

    title: str
    fails: bool
    claim: dict[str, Any] = Field(default_factory=dict)
    lines: list[dict[str, Any]] | None = None
    diagnoses: list[str] | None = None
    line: int | None = None


class PackRule(BaseModel):
    """One declarative rule."""

    model_config = ConfigDict(extra="forbid")

    id: str = Field(pattern=r"^[a-z0-9_]+\.[a-z0-9_]+$")
    title: str
    category: DenialCategory
    severity: Severity
    carc: str | None = None
    rarc: str | None = None
    level: Literal["claim", "line"] = "claim"
    when: list[Condition] = Field(min_length=1)
    message: str
    fix: str
    examples: list[PackExample] = Field(min_length=2)

    @model_validator(mode="after")
    def _consistent(self) -> PackRule:
        if self.level == "claim" and any(c.field.startswith(("line.", "ref."))
                                         for c in self.when):
            raise ValueError("a claim-level rule cannot test line fields; use level: line")
        if {e.fails for e in self.examples} != {True, False}:
            raise ValueError("needs at least one failing and one passing example")
        kinds = _kinds()
        for cond in self.when:
            reason = _misfit(cond, kinds)
            if reason is not None:
                raise ValueError(reason)
        for name in re.findall(r"\{([^}]*)\}", self.message):
            Condition.model_validate({"field": name, "is_null": False})
            if kinds[name].startswith("list"):
                raise ValueError(f"message field {{{name}}} is a list; a message shows "
                                 "single values")
        return self


class Pack(BaseModel):
    """A pack file."""

    model_config = ConfigDict(extra="forbid")

    pack: str
    payer_id: str
    version: str
    effective_from: dt.date
    effective_to: dt.date | None = None
    rules: list[PackRule] = Field(min_length=1)


def _value(v: Any) -> pl.Expr:
    return pl.lit(v)


def _expr(cond: Condition) -> pl.Expr:
    col = pl.col(cond.field)
    op, v = cond.operator
    simple = {
        "equals": lambda: col == _value(v), "not_equals": lambda: col != _value(v),
        "in": lambda: col.is_in(list(v)), "not_in": lambda: ~col.is_in(list(v)),
        "gt": lambda: col > _value(v), "ge": lambda: col >= _value(v),
        "lt": lambda: col < _value(v), "le": lambda: col <= _value(v),
        "is_null": lambda: col.is_null() if v else col.is_not_null(),
        "matches": lambda: col.cast(pl.String).str.contains(str(v)),
        "contains": lambda: col.list.contains(_value(v)),
        "not_contains": lambda: ~col.list.contains(_value(v)),
        "any_matches": lambda: col.list.eval(pl.element().str.contains(str(v))).list.any(),
        "none_match": lambda: ~col.list.eval(pl.element().str.contains(str(v))).list.any(),
    }
    expr: pl.Expr = simple[op]()
    return expr.fill_null(False)


def _message(template: str) -> pl.Expr:
    names = re.findall(r"\{([^}]*)\}", template)
    text = re.sub(r"\{[^}]*\}", "{}", template)
    if not names:
        return pl.lit(text)
    return pl.format(text, *[pl.col(n).cast(pl.String).fill_null("") for n in names])


def _month_day(d: pl.Expr) -> pl.Expr:
    return d.dt.month().cast(pl.Int32) * 100 + d.dt.day().cast(pl.Int32)


def _frame(ctx: ScrubContext, rule: PackRule) -> pl.LazyFrame:
    """The claims (or lines) with every field the rule may name, as ``scope.name`` columns."""
    claims = ctx.claims
    bd, dos = pl.col("patient_birth_date"), pl.col("dos")
    dx = ctx.claim_diagnoses.group_by("claim_id").agg(pl.col("code").alias("diagnosis_codes"))
    claims = claims.join(dx, on="claim_id", how="left").with_columns(
        (dos.dt.year() - bd.dt.year() - (_month_day(dos) < _month_day(bd)).cast(pl.Int32))
        .alias("age"))
    frame = claims.select(pl.col("claim_id"), pl.col("dos").alias("_dos"),
                          pl.col("payer_id").alias("_payer"),
                          pl.all().exclude("claim_id").name.prefix("claim."),
                          pl.col("claim_id").alias("claim.claim_id"))
    fields = {c.field for c in rule.when} | set(re.findall(r"\{([^}]*)\}", rule.message))
    if any(f.startswith("member.") for f in fields) and ctx.members is not None \
            and ctx.coverages is not None:
        members = ctx.members.select(pl.col("member_id").alias("person_id"),
                                     *[pl.col(m).alias(f"member.{m}") for m in _MEMBER])
        elig = ctx.eligibility.filter(pl.col("active")).select("claim_id", "person_id")
        frame = frame.join(elig.join(members, on="person_id"), on="claim_id", how="left")
    if rule.level == "line":
        lines = ctx.claim_lines.select(
            "claim_id", pl.col("line_number").alias("_line"),
            *[pl.col(c).alias(f"line.{c}") for c in _columns()[1] if c != "claim_id"])
        frame = lines.join(frame, on="claim_id")
        if "ref.mue_value" in fields and ctx.reference.mue is not None:
            from ..refdata import applies_on

            # The MUE table of the claim's setting: facility values for institutional claims.
            mue = pl.concat([
                getattr(ctx.reference, ctx.reference.for_claim_type("mue", inst)).select(
                    pl.col("code").alias("line.procedure_code"),
                    pl.col("mue_value").alias("ref.mue_value"), "valid_from", "valid_before",
                    pl.lit(inst).alias("_inst"))
                for inst in (False, True)])
            setting = (pl.col("claim.claim_type") == "institutional").alias("_inst")
            hit = frame.with_columns(setting).join(mue, on=["line.procedure_code", "_inst"]
                                                   ).filter(applies_on("line.service_from")
                                                            ).select("claim_id", "_line",
                                                                     "ref.mue_value")
            frame = frame.join(hit, on=["claim_id", "_line"], how="left")
    return frame


def _check(pack: Pack, rule: PackRule) -> Any:
    def check(ctx: ScrubContext) -> pl.LazyFrame:
        frame = _frame(ctx, rule)
        names = set(frame.collect_schema().names())
        if any(c.field not in names for c in rule.when):
            return frame.head(0).select("claim_id").with_columns(
                pl.lit(None, pl.Int64).alias("line"), pl.lit("").alias("message"),
                pl.lit("").alias("fix"))
        in_force = (pl.col("_payer") == pack.payer_id) & (pl.col("_dos") >= pack.effective_from)
        if pack.effective_to is not None:
            in_force = in_force & (pl.col("_dos") <= pack.effective_to)
        mask = in_force
        for cond in rule.when:
            mask = mask & _expr(cond)
        hits = frame.filter(mask.fill_null(False))
        return finding_frame(hits, _message(rule.message), rule.fix,
                             line=pl.col("_line") if rule.level == "line" else None)

    return check


# One claim in real time: the same conditions interpreted over the claim's plain rows
# (:mod:`.single`), with the plan's null semantics (a null field fails every test but
# ``is_null``; a null in a message reads as empty).

Test = Callable[[Any], bool]
Values = dict[str, Any]


@cache
def _kinds() -> dict[str, str]:
    """The kind of value of every field a condition may name: text, date, number, or a list
    of text or numbers (``list``, ``list_int``)."""
    def kind(dtype: pl.DataType) -> str:
        if isinstance(dtype, pl.List):
            return "list" if dtype.inner == pl.String else "list_int"
        if dtype == pl.String:
            return "text"
        return "date" if dtype == pl.Date else "number"

    claims, _, lines = table_specs(Claim)
    out = {f"claim.{c.name}": kind(c.polars_type()) for c in claims.columns}
    out |= {f"line.{c.name}": kind(c.polars_type()) for c in lines.columns}
    members = {c.name: kind(c.polars_type()) for c in table_specs(Member)[0].columns}
    out |= {f"member.{m}": members[m] for m in _MEMBER}
    out |= {"claim.age": "number", "claim.diagnosis_codes": "list", "ref.mue_value": "number"}
    return out


def _is_number(v: Any) -> bool:
    return isinstance(v, int | float) and not isinstance(v, bool)


def _fits(kind: str, v: Any) -> bool:
    """Whether literal ``v`` compares with a field of ``kind`` as the same kind of value (a
    text field with a number, say, is an error or a silent false in Polars)."""
    if kind == "text":
        return isinstance(v, str)
    if kind == "date":
        return type(v) is dt.date
    return kind == "number" and _is_number(v)


def _rust_regex(pattern: str) -> bool:
    """Whether Polars' regex engine accepts ``pattern`` (Python's accepts more)."""
    try:
        pl.select(pl.lit("").str.contains(pattern))
    except pl.exceptions.PolarsError:
        return False
    return True


_LIST_OPS = ("contains", "not_contains", "any_matches", "none_match")
_KIND_HINT = {"text": "text (quote the value)", "date": "a date (write it unquoted, YYYY-MM-DD)",
              "number": "a number"}


def _misfit(cond: Condition, kinds: dict[str, str]) -> str | None:
    """Why the condition's operator or value does not fit its field's kind, or None when it
    does: a misfit would fail, or coerce in Polars' own way, when the rule runs."""
    op, v = cond.operator
    kind = kinds[cond.field]
    listed = kind.startswith("list")
    if op == "is_null":
        return None
    if listed != (op in _LIST_OPS):
        return (f"{cond.field} is a list: test it with {', '.join(_LIST_OPS)}" if listed
                else f"{op} tests a list, and {cond.field} is not one")
    return (_list_misfit if listed else _scalar_misfit)(cond.field, op, v, kind)


def _scalar_misfit(name: str, op: str, v: Any, kind: str) -> str | None:
    if op in ("in", "not_in"):
        present = [e for e in v if e is not None]
        if kind == "number" and not all(type(e) is int for e in present):
            return f"{op} on {name} takes whole numbers; use gt/ge/lt/le for others"
        if not all(_fits(kind, e) for e in present):
            return f"{name} is {_KIND_HINT[kind]}; {op} {v!r} has other values"
        return None
    if op == "matches":
        return _pattern_misfit(op, v)
    return None if _fits(kind, v) else f"{name} is {_KIND_HINT[kind]}; {op} {v!r} is not"


def _list_misfit(name: str, op: str, v: Any, kind: str) -> str | None:
    text = kind == "list"
    if op in ("contains", "not_contains"):
        if type(v) is not (str if text else int):
            return f"{name} holds {'text' if text else 'whole numbers'}"
        return None
    return _pattern_misfit(op, v) if text else f"{name} holds numbers: {op} tests text"


def _pattern_misfit(op: str, v: Any) -> str | None:
    if _rust_regex(str(v)):
        return None
    return f"{op} {v!r} is not a supported pattern (look-around and back-references are not)"


def _same(x: Any, v: Any) -> Any:
    """A field value ready to compare with literal ``v``: Polars compares a decimal with a
    float as a float."""
    return float(x) if isinstance(x, Decimal) and isinstance(v, float) else x


def _test(cond: Condition) -> Test:
    """The condition as a test of one field value (None: the field is null)."""
    op, v = cond.operator
    if op == "is_null":
        return (lambda x: x is None) if v else (lambda x: x is not None)
    compare: dict[str, Callable[[Any, Any], bool]] = {
        "equals": lambda x, y: bool(x == y), "not_equals": lambda x, y: bool(x != y),
        "gt": lambda x, y: bool(x > y), "ge": lambda x, y: bool(x >= y),
        "lt": lambda x, y: bool(x < y), "le": lambda x, y: bool(x <= y)}
    if op in compare:
        how = compare[op]
        return lambda x: x is not None and how(_same(x, v), v)
    if op in ("in", "not_in"):
        values = [e for e in v if e is not None]
        wanted = op == "in"
        return lambda x: x is not None and any(x == e for e in values) == wanted
    if op == "matches":
        pattern = re.compile(str(v))
        return lambda x: x is not None and pattern.search(str(polars_text(x))) is not None
    if op in ("contains", "not_contains"):
        wanted = op == "contains"
        return lambda x: x is not None and (v in x) == wanted
    pattern = re.compile(str(v))
    wanted = op == "any_matches"
    return lambda x: x is not None and any(
        e is not None and pattern.search(e) is not None for e in x) == wanted


def _age(dos: dt.date | None, birth: dt.date | None) -> int | None:
    if dos is None or birth is None:
        return None
    return dos.year - birth.year - ((dos.month, dos.day) < (birth.month, birth.day))


def _claim_values(one: OneClaim, fields: Iterable[str]) -> Values:
    """The ``claim.*`` fields among ``fields``, as the plan's frame has them."""
    c = one.claim
    out: Values = {}
    for field in fields:
        scope, _, name = field.partition(".")
        if scope != "claim":
            continue
        if name == "age":
            out[field] = _age(c["dos"], c["patient_birth_date"])
        elif name == "diagnosis_codes":
            out[field] = [d["code"] for d in one.diagnoses] or None
        else:
            out[field] = c[name]
    return out


def _member_values(one: OneClaim) -> list[Values]:
    """The ``member.*`` fields: the active coverage's person's member records (none found:
    one row of nulls, as the plan's left join gives)."""
    e = one.eligibility
    person = e["person_id"] if e["active"] else None
    rows = [m for m in one.members or () if person is not None and m["member_id"] == person]
    return [{f"member.{k}": m[k] for k in _MEMBER} for m in rows] or [
        dict.fromkeys(f"member.{k}" for k in _MEMBER)]


def _mue_values(one: OneClaim) -> dict[int, list[Any]]:
    """``ref.mue_value`` by line number: the MUE of the claim's setting in force on each
    line's date (the plan joins them back by line number)."""
    lines = one.lines
    rows: dict[str, list[dict[str, Any]]] = {}
    for m in one.reference_rows(one.table("mue"), "code",
                                (ln["procedure_code"] for ln in lines)):
        rows.setdefault(m["code"], []).append(m)
    out: dict[int, list[Any]] = {}
    for ln in lines:
        for m in rows.get(ln["procedure_code"], ()):
            if ln["line_number"] is not None and applies_on(m, ln["service_from"]):
                out.setdefault(ln["line_number"], []).append(m["mue_value"])
    return out


def _line_rows(one: OneClaim, base: list[Values], fields: Iterable[str], with_mue: bool
               ) -> list[tuple[int | None, Values]]:
    """Each line of the claim with its ``line.*`` fields among ``fields`` and those of
    ``base`` (the claim's, per member row)."""
    mue = _mue_values(one) if with_mue else {}
    names = [f for f in fields if f.startswith("line.")]
    out = []
    for ln in one.lines:
        own = {f: ln[f[5:]] for f in names}
        refs = mue.get(ln["line_number"], [None]) if with_mue else [None]
        for ref in refs:
            for row in base:
                values = {**row, **own}
                if with_mue:
                    values["ref.mue_value"] = ref
                out.append((ln["line_number"], values))
    return out


def _kernel(pack: Pack, rule: PackRule) -> Single:
    """The rule's one-claim kernel: its conditions tested on the claim's values (the pack
    refuses at load a condition that does not fit its field's kind)."""
    names = re.findall(r"\{([^}]*)\}", rule.message)
    tests = [(c.field, _test(c)) for c in rule.when]
    fields = {c.field for c in rule.when} | set(names)
    members = any(f.startswith("member.") for f in fields)
    mue = rule.level == "line" and "ref.mue_value" in fields

    # Literal text at even positions, field names at odd ones.
    parts = re.split(r"\{([^}]*)\}", rule.message)

    def message(values: Values) -> str:
        return "".join(part if i % 2 == 0 else polars_text(values[part]) or ""
                       for i, part in enumerate(parts))

    def kernel(one: OneClaim) -> list[Hit]:
        have = {"claim"}
        if members and one.members is not None and one.coverages is not None:
            have.add("member")
        if rule.level == "line":
            have.add("line")
            if mue and one.reference.has("mue"):
                have.add("ref")
        if any(c.field.partition(".")[0] not in have for c in rule.when):
            return []
        missing = [n for n in names if n.partition(".")[0] not in have]
        if missing:
            raise KeyError(f"message field {missing[0]!r} is not available")
        c = one.claim
        dos = c["dos"]
        if (c["payer_id"] != pack.payer_id or dos is None or dos < pack.effective_from
                or (pack.effective_to is not None and dos > pack.effective_to)):
            return []
        base = [_claim_values(one, fields)]
        if "member" in have:
            base = [{**base[0], **m} for m in _member_values(one)]
        rows = (_line_rows(one, base, fields, "ref" in have) if rule.level == "line"
                else [(None, row) for row in base])
        return [Hit(line, message(values), rule.fix)
                for line, values in rows if all(test(values[f]) for f, test in tests)]

    return kernel


def _needs(rule: PackRule) -> frozenset[str]:
    fields = {c.field for c in rule.when}
    needs = set()
    if any(f.startswith("member.") for f in fields):
        needs |= {"members", "coverages"}
    if "ref.mue_value" in fields:
        needs.add("mue")
    return frozenset(needs)


def _rule(pack: Pack, item: PackRule, source: str) -> Rule:
    examples = tuple(
        Example(e.title, e.fails, claim={"payer_id": pack.payer_id, **e.claim},
                lines=None if e.lines is None else tuple(e.lines),
                diagnoses=None if e.diagnoses is None else tuple(e.diagnoses), line=e.line)
        for e in item.examples)
    window = f"{pack.effective_from}" + (f" to {pack.effective_to}" if pack.effective_to
                                         else " onward")
    return Rule(
        id=item.id, title=item.title, category=item.category, severity=item.severity,
        carc=item.carc, rarc=item.rarc, fix=item.fix,
        source=f"payer pack {pack.pack} v{pack.version} ({source}), payer {pack.payer_id}, "
        f"dates of service {window}",
        check=_check(pack, item), single=_kernel(pack, item), needs=_needs(item),
        examples=examples,
        description=f"YAML conditions: {_describe(item)}", pack=pack.pack,
        pack_version=pack.version)


def _describe(item: PackRule) -> str:
    parts = []
    for c in item.when:
        op, v = c.operator
        parts.append(f"`{c.field} {op} {v!r}`")
    return " and ".join(parts)


def _where(exc: ValidationError, data: Any) -> str:
    first = exc.errors()[0]
    loc = first["loc"]
    rule_id = None
    if len(loc) >= 2 and loc[0] == "rules" and isinstance(loc[1], int):
        try:
            rule_id = data["rules"][loc[1]].get("id")
        except (KeyError, IndexError, TypeError, AttributeError):
            rule_id = None
        label = f"rule {rule_id or '#' + str(loc[1] + 1)}"
        rest = ".".join(str(x) for x in loc[2:])
        return f"{label}{': ' + rest if rest else ''}: {first['msg']}"
    return f"{'.'.join(str(x) for x in loc) or 'pack'}: {first['msg']}"


def load_pack(text: str, source: str = "<pack>") -> list[Rule]:
    """The rules of one pack's YAML text; PackError naming ``source`` and the rule."""
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise PackError(f"{source}: not valid YAML: {exc}") from exc
    try:
        pack = Pack.model_validate(data)
    except ValidationError as exc:
        raise PackError(f"{source}: {_where(exc, data)}") from exc
    return [_rule(pack, item, source) for item in pack.rules]


def load_packs(paths: Iterable[Path]) -> list[Rule]:
    """The rules of every ``*.yaml`` file given (folders are searched); ids must be unique."""
    rules: list[Rule] = []
    seen: dict[str, str] = {}
    for path in paths:
        files = sorted(path.glob("*.yaml")) if path.is_dir() else [path]
        for file in files:
            try:
                text = file.read_text(encoding="utf-8")
            except OSError as exc:
                raise PackError(f"{file}: cannot be read: {exc}") from exc
            for r in load_pack(text, str(file)):
                if r.id in seen:
                    raise PackError(f"{file}: rule {r.id}: already defined in {seen[r.id]}")
                seen[r.id] = str(file)
                rules.append(r)
    return rules


def bundled_packs() -> list[Rule]:
    """The example packs shipped in ``cleanclaim/rules/packs/``."""
    rules: list[Rule] = []
    folder = resources.files(__package__).joinpath("packs")
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if entry.name.endswith(".yaml"):
            rules += load_pack(entry.read_text(encoding="utf-8"), f"packs/{entry.name}")
    return rules
