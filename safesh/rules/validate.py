"""Validating one parsed rules file, piece by piece: a rule, its conditions, its examples,
a `[tools]` entry. Every problem is a RulesError that reads `file:line: rule 'id': problem`,
so a person editing a rules file can fix it without reading this code.

May import `safesh.model`, `safesh.rules.reading` (RulesError), `schema`, `checks`, `paths`
and `sql` (the vocabularies a rule may name); never layering, the cache or a front end.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path

from safesh.lazy_re import later
from safesh.model import Tier
from safesh.rules.checks import CHECKS
from safesh.rules.lines import Where
from safesh.rules.paths import PATH_CLASSES
from safesh.rules.reading import RulesError
from safesh.rules.schema import (
    BLASTS,
    EFFECTS,
    Conditions,
    Example,
    Rule,
    ToolSpec,
    derive_tier,
)

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing at start-up

if TYPE_CHECKING:
    from typing import Any


LIST_CONDITION_KEYS = (
    "command",
    "command_none",
    "subcommand",
    "flags_any",
    "flags_all",
    "flags_none",
    "args_any",
    "args_none",
    "paths_any",
    "paths_all",
    "redirect_paths_any",
    "input_paths_any",
    "sql_any",
    "env_any",
    "via_any",
    "verbs_any",
    "verbs_none",
    "effects_any",
    "effects_none",
)
CONDITION_KEYS = frozenset((*LIST_CONDITION_KEYS, "check", "any"))
RULE_KEYS = frozenset(
    {
        "id",
        "pack",
        "reason",
        "alternative",
        "reversible",
        "blast",
        "tier",
        "confirm",
        "effect",
        "match",
        "not_match",
    }
    | CONDITION_KEYS
)
EXAMPLE_KEYS = frozenset({"line", "cwd", "home", "repo_root", "env"})
TOOL_KEYS = frozenset({"value_options", "single_dash_long"})
CONFIRM_KINDS = ("type",)
ID_RE = later(r"^[a-z0-9][a-z0-9_-]*(\.[a-z0-9][a-z0-9_-]*)+$")
_CLASS_KEYS = {"paths_any": PATH_CLASSES, "paths_all": PATH_CLASSES}
DEFAULT_PRODUCTION = ("prod", "production", "live")


# -- validating one rule -----------------------------------------------------------------------


def parse_rule(path: str | Path, where: Where, raw: dict[str, Any]) -> Rule:
    rule_id = raw.get("id")
    if not isinstance(rule_id, str) or not rule_id:
        line = where.key("id") if rule_id is not None else None
        raise RulesError(path, line, None, "a rule needs an `id` string (pack.name)")
    line = where.rule(rule_id)

    def fail(message: str) -> RulesError:
        return RulesError(path, line, rule_id, message)

    if not ID_RE.match(rule_id):
        raise fail("the id must look like `pack.name` (lowercase letters, digits, - and _)")
    for key in raw:
        if key not in RULE_KEYS:
            key_line = where.key(key, after=line)
            raise RulesError(path, key_line, rule_id, unknown_key("key", key, RULE_KEYS))
    reason = raw.get("reason")
    if not isinstance(reason, str) or not reason.strip():
        raise fail("missing `reason`: say in a sentence what the command would destroy")
    pack = optional_str(raw, "pack", fail) or rule_id.split(".", 1)[0]
    alternative = optional_str(raw, "alternative", fail)
    confirm = optional_str(raw, "confirm", fail)
    if confirm is not None and confirm not in CONFIRM_KINDS:
        raise fail(f"unknown confirm {confirm!r} (expected one of: {', '.join(CONFIRM_KINDS)})")
    effect = optional_str(raw, "effect", fail)
    if effect is not None and effect not in EFFECTS:
        raise fail(unknown_value("effect", effect, EFFECTS))
    reversible = raw.get("reversible")
    if reversible is not None and not isinstance(reversible, bool):
        raise fail("`reversible` must be true or false")
    blast = optional_str(raw, "blast", fail)
    if blast is not None and blast not in BLASTS:
        raise fail(unknown_value("blast", blast, BLASTS))
    explicit = optional_str(raw, "tier", fail)
    if explicit is not None:
        tier = parse_tier(path, line, rule_id, explicit)
    elif reversible is None or blast is None:
        raise fail("give `reversible` and `blast` (the tier follows from them) or a `tier`")
    else:
        tier = derive_tier(reversible, blast)
    conditions = parse_conditions(
        path, line, rule_id, {k: v for k, v in raw.items() if k in CONDITION_KEYS}
    )
    if conditions.is_empty():
        raise fail("a rule needs at least one condition (command, check, …)")
    match = parse_examples(path, line, rule_id, "match", raw.get("match", []))
    not_match = parse_examples(path, line, rule_id, "not_match", raw.get("not_match", []))
    line_level = conditions.check is not None and CHECKS[conditions.check].line_level
    if not match and not line_level:
        raise fail("a rule needs at least one `match` example")
    return Rule(
        id=rule_id,
        pack=pack,
        reason=reason.strip(),
        conditions=conditions,
        tier=tier,
        reversible=reversible,
        blast=blast,
        explicit_tier=explicit is not None,
        alternative=alternative,
        confirm=confirm,
        effect=effect,
        match=match,
        not_match=not_match,
        source=str(path),
        line=line,
    )


def parse_conditions(
    path: str | Path, line: int | None, rule_id: str, raw: dict[str, Any]
) -> Conditions:
    values: dict[str, Any] = {}
    for key in LIST_CONDITION_KEYS:
        if key not in raw:
            continue
        items = strings(path, line, rule_id, key, raw[key])
        if not items:
            raise RulesError(path, line, rule_id, f"`{key}` is empty")
        for item in items:
            check_item(path, line, rule_id, key, item)
        values[key] = items
    if "check" in raw:
        check = raw["check"]
        if not isinstance(check, str):
            raise RulesError(path, line, rule_id, "`check` must be a string")
        if check not in CHECKS:
            raise RulesError(path, line, rule_id, unknown_value("check", check, CHECKS))
        values["check"] = check
    if "any" in raw:
        tables = raw["any"]
        if not isinstance(tables, list) or not tables:
            raise RulesError(path, line, rule_id, "`any` must be a non-empty list of tables")
        parsed = []
        for table in tables:
            if not isinstance(table, dict):
                raise RulesError(path, line, rule_id, "each entry of `any` must be a table")
            for key in table:
                if key not in CONDITION_KEYS:
                    message = unknown_key("condition in `any`", key, CONDITION_KEYS)
                    raise RulesError(path, line, rule_id, message)
            sub = parse_conditions(path, line, rule_id, table)
            if sub.is_empty():
                raise RulesError(path, line, rule_id, "an entry of `any` has no condition")
            parsed.append(sub)
        values["any"] = tuple(parsed)
    return Conditions(**values)


def check_item(path: str | Path, line: int | None, rule_id: str, key: str, item: str) -> None:
    def fail(message: str) -> RulesError:
        return RulesError(path, line, rule_id, message)

    if not item:
        raise fail(f"`{key}` holds an empty string")
    if key in {"paths_any", "paths_all", "redirect_paths_any", "input_paths_any"} and (
        item not in PATH_CLASSES
    ):
        raise fail(unknown_value("path class", item, sorted(PATH_CLASSES)))
    from safesh.rules.sql import SQL_KINDS

    if key == "sql_any" and item not in SQL_KINDS:
        raise fail(unknown_value("sql kind", item, sorted(SQL_KINDS)))
    if key in {"effects_any", "effects_none"} and "@" not in item:
        raise fail(f"`{key}` entries are KIND@TARGET globs (docs/rules.md), got {item!r}")
    if key == "env_any" and "=" not in item:
        raise fail(f"`env_any` entries are NAME=glob, got {item!r}")
    bad = glob_problem(item)
    if bad is not None:
        raise fail(f"bad glob {item!r} in `{key}`: {bad}")


def glob_problem(pattern: str) -> str | None:
    """fnmatch accepts anything, so catch what is surely a mistake: an unclosed `[`."""
    index = 0
    while index < len(pattern):
        if pattern[index] == "[":
            close = pattern.find(
                "]", index + 2 if pattern[index + 1 : index + 2] in "!^]" else index + 1
            )
            if close == -1:
                return "unclosed '['"
            index = close
        index += 1
    return None


def parse_examples(
    path: str | Path, line: int | None, rule_id: str, key: str, raw: object
) -> tuple[Example, ...]:
    if not isinstance(raw, list):
        raise RulesError(path, line, rule_id, f"`{key}` must be a list of example lines")
    examples = []
    for item in raw:
        if isinstance(item, str) and item.strip():
            examples.append(Example(item))
            continue
        if not isinstance(item, dict) or not isinstance(item.get("line"), str):
            raise RulesError(
                path, line, rule_id,
                f"each `{key}` example is a command line or a table with `line`",
            )  # fmt: skip
        for example_key in item:
            if example_key not in EXAMPLE_KEYS:
                message = unknown_key(f"`{key}` example key", example_key, EXAMPLE_KEYS)
                raise RulesError(path, line, rule_id, message)
        env = item.get("env", {})
        if not isinstance(env, dict) or not all(isinstance(v, str) for v in env.values()):
            raise RulesError(path, line, rule_id, "an example's `env` maps names to strings")
        cwd = item.get("cwd", Example.cwd)
        home = item.get("home", Example.home)
        repo_root = item.get("repo_root", cwd)
        for name, value in (("cwd", cwd), ("home", home), ("repo_root", repo_root)):
            if not isinstance(value, str):
                raise RulesError(path, line, rule_id, f"an example's `{name}` must be a string")
        examples.append(
            Example(item["line"], cwd, home, repo_root or None, tuple(sorted(env.items())))
        )
    return tuple(examples)


def parse_tool(path: str | Path, where: Where, name: str, raw: object) -> ToolSpec:
    line = where.key(f"tools.{name}") or where.key(name)
    if not isinstance(raw, dict):
        raise RulesError(path, line, None, f"[tools.{name}] must be a table")
    for key in raw:
        if key not in TOOL_KEYS:
            message = unknown_key(f"key in [tools.{name}]", key, TOOL_KEYS)
            raise RulesError(path, line, None, message)
    options = strings(path, line, None, f"tools.{name}.value_options", raw.get("value_options", []))
    for option in options:
        if not option.startswith("-") and not raw.get("single_dash_long"):
            raise RulesError(path, line, None, f"value option {option!r} must start with '-'")
    single = raw.get("single_dash_long", False)
    if not isinstance(single, bool):
        raise RulesError(path, line, None, f"tools.{name}.single_dash_long must be true or false")
    return ToolSpec(frozenset(options), single)


# -- small validators --------------------------------------------------------------------------


def parse_tier(path: str | Path, line: int | None, rule_id: str | None, text: str) -> Tier:
    try:
        return Tier.parse(text)
    except ValueError as error:
        raise RulesError(path, line, rule_id, str(error)) from None


def strings(
    path: str | Path, line: int | None, rule_id: str | None, key: str, raw: object
) -> tuple[str, ...]:
    if isinstance(raw, str):
        raise RulesError(path, line, rule_id, f"`{key}` must be a list of strings, not a string")
    if not isinstance(raw, list) or not all(isinstance(item, str) for item in raw):
        raise RulesError(path, line, rule_id, f"`{key}` must be a list of strings")
    return tuple(raw)


def optional_str(raw: Mapping[str, Any], key: str, fail: Any) -> str | None:
    value = raw.get(key)
    if value is not None and (not isinstance(value, str) or not value.strip()):
        raise fail(f"`{key}` must be a non-empty string")
    return value


def table_of(path: str | Path, where: Where, raw: object, name: str) -> dict[str, Any]:
    if not isinstance(raw, dict):
        raise RulesError(path, where.key(name), None, f"`{name}` must be a table")
    return raw


def list_of_tables(path: str | Path, where: Where, raw: object, name: str) -> list[dict[str, Any]]:
    if not isinstance(raw, list) or not all(isinstance(item, dict) for item in raw):
        raise RulesError(path, where.key(name), None, f"use [[{name}]] tables for `{name}`")
    return raw


def suggest(word: str, valid: Iterable[str]) -> str:
    import difflib

    close = difflib.get_close_matches(word, list(valid), n=1, cutoff=0.6)
    return f" (did you mean {close[0]!r}?)" if close else ""


def unknown_key(what: str, key: str, valid: Iterable[str]) -> str:
    return f"unknown {what} {key!r}{suggest(key, valid)}"


def unknown_value(what: str, value: str, valid: Iterable[str]) -> str:
    names = sorted(valid)
    return f"unknown {what} {value!r}{suggest(value, names)}; expected one of: {', '.join(names)}"
