"""Load and validate the rules files into one RuleSet (layering as docs/rules.md says).

Validation errors name the file, the line, the rule id and the problem, so a person editing
a rules file can fix it without reading this code. Loading runs for every command an agent
executes, so a validated RuleSet is cached, keyed by the content of every file that went into
it (see `_cache_key`); any cache problem falls back to a normal load.
"""

from __future__ import annotations

import hashlib
import io
import os
import pickle
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path

from safesh.model import Tier
from safesh.rules.checks import CHECKS
from safesh.rules.paths import PATH_CLASSES
from safesh.rules.schema import (
    BLASTS,
    Conditions,
    Example,
    Rule,
    RuleSet,
    ToolSpec,
    derive_tier,
)

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing at start-up

if TYPE_CHECKING:
    from typing import Any

PROJECT_FILE = ".safesh.toml"
PROFILES = ("default", "strict")

TOP_KEYS = frozenset(
    {
        "rule",
        "tools",
        "profile",
        "profiles",
        "disable_packs",
        "production_patterns",
        "overrides",
        "settings",
    }
)
# `[settings]`: how safesh itself behaves. Only the user's own file may set them: a project
# file that named the shell or a notification command would run code of its choosing.
SETTING_KEYS = frozenset({"shell", "notify_command", "notify_url", "approval_ttl"})
LIST_CONDITION_KEYS = (
    "command",
    "subcommand",
    "flags_any",
    "flags_all",
    "flags_none",
    "args_any",
    "args_none",
    "paths_any",
    "paths_all",
    "redirect_paths_any",
    "sql_any",
    "env_any",
    "via_any",
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
        "match",
        "not_match",
    }
    | CONDITION_KEYS
)
EXAMPLE_KEYS = frozenset({"line", "cwd", "home", "repo_root", "env"})
TOOL_KEYS = frozenset({"value_options", "single_dash_long"})
CONFIRM_KINDS = ("type",)
_ID_RE = re.compile(r"^[a-z0-9][a-z0-9_-]*(\.[a-z0-9][a-z0-9_-]*)+$")
_CLASS_KEYS = {"paths_any": PATH_CLASSES, "paths_all": PATH_CLASSES}
_DEFAULT_PRODUCTION = ("prod", "production", "live")


class RulesError(Exception):
    """A rules file is invalid. `line` is 1-based; `rule_id` is None outside a rule."""

    def __init__(self, path: str | Path, line: int | None, rule_id: str | None, message: str):
        super().__init__(message)
        self.path = str(path)
        self.line = line
        self.rule_id = rule_id
        self.message = message

    def __str__(self) -> str:
        where = self.path if self.line is None else f"{self.path}:{self.line}"
        rule = f" rule {self.rule_id!r}:" if self.rule_id else ""
        return f"{where}:{rule} {self.message}"


# -- where the files are -----------------------------------------------------------------------


def builtin_rules_file() -> Path:
    """`safesh/rules.toml` inside an installed wheel, else `rules.toml` at the repo root."""
    package = Path(__file__).resolve().parent.parent
    installed = package / "rules.toml"
    return installed if installed.is_file() else package.parent / "rules.toml"


def find_project_file(cwd: str) -> Path | None:
    """The `.safesh.toml` in `cwd` or the nearest directory above it."""
    current = Path(os.path.abspath(cwd))
    while True:
        candidate = current / PROJECT_FILE
        if candidate.is_file():
            return candidate
        if current.parent == current:
            return None
        current = current.parent


def file_sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


# -- the entry point ---------------------------------------------------------------------------


@dataclass(frozen=True)
class _Source:
    layer: str  # "builtin", "user", "project"
    path: Path
    data: bytes
    trusted: bool  # may loosen (always for builtin and user)


def load_ruleset(
    cwd: str,
    *,
    builtin: Path | None = None,
    user_file: Path | None = None,
    trusted_hashes: frozenset[str] = frozenset(),
    use_cache: bool = True,
) -> RuleSet:
    """The effective rules for a command run in `cwd`. Raises RulesError for an invalid file."""
    sources = _read_sources(cwd, builtin, user_file, trusted_hashes)
    if not use_cache:
        return build_ruleset(sources)
    key = _cache_key(sources)
    cached = _cache_read(key)
    if cached is not None:
        return cached
    ruleset = build_ruleset(sources)
    _cache_write(key, ruleset)
    return ruleset


def validate_file(path: Path, *, builtin: Path | None = None) -> RuleSet:
    """The built-in rules plus `path` as a layer that may do anything: raises RulesError
    when `path` is invalid (or clashes with a built-in rule id)."""
    builtin_path = builtin if builtin is not None else builtin_rules_file()
    sources = [_Source("builtin", builtin_path, builtin_path.read_bytes(), True)]
    if path.resolve() != builtin_path.resolve():
        try:
            data = path.read_bytes()
        except OSError as error:
            raise RulesError(path, None, None, f"cannot read: {error.strerror}") from None
        sources.append(_Source("user", path, data, True))
    return build_ruleset(sources)


def _read_sources(
    cwd: str, builtin: Path | None, user_file: Path | None, trusted: frozenset[str]
) -> tuple[_Source, ...]:
    builtin_path = builtin if builtin is not None else builtin_rules_file()
    try:
        sources = [_Source("builtin", builtin_path, builtin_path.read_bytes(), True)]
    except OSError as error:
        raise RulesError(builtin_path, None, None, f"cannot read: {error.strerror}") from None
    if user_file is None:
        from safesh import locations

        user_file = locations.user_rules_file()
    user_data = _read_optional(user_file)
    if user_data is not None:
        sources.append(_Source("user", user_file, user_data, True))
    project = find_project_file(cwd)
    if project is not None and project.resolve() not in {s.path.resolve() for s in sources}:
        data = _read_optional(project)
        if data is not None:
            digest = hashlib.sha256(data).hexdigest()
            sources.append(_Source("project", project, data, digest in trusted))
    return tuple(sources)


def _read_optional(path: Path) -> bytes | None:
    try:
        return path.read_bytes()
    except FileNotFoundError:
        return None
    except OSError as error:
        raise RulesError(path, None, None, f"cannot read: {error.strerror}") from None


# -- building ----------------------------------------------------------------------------------


@dataclass
class _Builder:
    """Accumulates the layers in order. Local to one build, never shared."""

    rules: dict[str, Rule]
    tools: dict[str, ToolSpec]
    overrides: dict[str, Tier]
    disabled: set[str]
    profile: str
    strict_allow: list[str]
    production: list[str]
    warnings: list[str]
    settings: dict[str, str] = field(default_factory=dict)


def build_ruleset(sources: Iterable[_Source]) -> RuleSet:
    sources = tuple(sources)
    builder = _Builder(
        {},
        {},
        {},
        set(),
        "default",
        [],
        list(_DEFAULT_PRODUCTION),
        [],
    )
    for source in sources:
        text = source.data.decode("utf-8", errors="replace")
        table = _parse_toml(source.path, text)
        _apply_layer(builder, source, text, table)
    rules = tuple(_with_override(rule, builder.overrides) for rule in builder.rules.values())
    for rule_id in builder.overrides:
        if rule_id not in builder.rules:
            hint = _suggest(rule_id, builder.rules)
            builder.warnings.append(f"override for unknown rule {rule_id!r}{hint} is ignored")
    return RuleSet(
        rules=rules,
        tools=tuple(sorted(builder.tools.items())),
        profile=builder.profile,
        strict_allow=tuple(builder.strict_allow),
        production_patterns=tuple(dict.fromkeys(builder.production)),
        sources=tuple(str(s.path) for s in sources),
        warnings=tuple(builder.warnings),
        fingerprint=_fingerprint(sources, builder.profile),
        disabled_packs=frozenset(builder.disabled),
        overrides=tuple(sorted(builder.overrides.items())),
        settings=tuple(sorted(builder.settings.items())),
    )


def _fingerprint(sources: tuple[_Source, ...], profile: str) -> str:
    digest = hashlib.sha256()
    for source in sources:
        digest.update(f"{source.layer}\0{source.path}\0{source.trusted}\0".encode())
        digest.update(hashlib.sha256(source.data).digest())
    digest.update(profile.encode())
    return digest.hexdigest()


def _with_override(rule: Rule, overrides: Mapping[str, Tier]) -> Rule:
    tier = overrides.get(rule.id)
    return rule if tier is None else replace(rule, tier=tier)


def _parse_toml(path: Path, text: str) -> dict[str, Any]:
    # Imported here: a warm (cached) load never parses TOML.
    import tomllib

    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        found = re.search(r"\(at line (\d+), column (\d+)\)", str(error))
        line = int(found.group(1)) if found else None
        raise RulesError(path, line, None, f"TOML syntax error: {error}") from None


def _apply_layer(builder: _Builder, source: _Source, text: str, table: dict[str, Any]) -> None:
    where = _Where(source.path, text)
    for key in table:
        if key not in TOP_KEYS:
            raise RulesError(
                source.path, where.key(key), None, _unknown_key("top-level key", key, TOP_KEYS)
            )
    loosen_ok = source.trusted
    layer = "project file" if source.layer == "project" else f"{source.layer} file"

    def refuse(what: str, key: str) -> None:
        builder.warnings.append(
            f"{source.path}:{where.key(key) or '?'}: {what} ignored: an untrusted {layer} may "
            "only tighten the rules (run `safesh trust` to accept this file)"
        )

    rules = _list_of_tables(source.path, where, table.get("rule", []), "rule")
    for raw in rules:
        rule = _rule(source.path, where, raw)
        if rule.id in builder.rules:
            first = builder.rules[rule.id]
            raise RulesError(
                source.path,
                rule.line,
                rule.id,
                f"duplicate rule id (first defined in {first.source}:{first.line})",
            )
        builder.rules[rule.id] = rule

    tools = _table(source.path, where, table.get("tools", {}), "tools")
    parsed_tools = {name: _tool(source.path, where, name, spec) for name, spec in tools.items()}
    if parsed_tools and not loosen_ok:
        refuse("[tools]", "tools")
    else:
        for name, spec in parsed_tools.items():
            old = builder.tools.get(name, ToolSpec())
            builder.tools[name] = ToolSpec(
                old.value_options | spec.value_options,
                spec.single_dash_long or old.single_dash_long,
            )

    if "profile" in table:
        profile = table["profile"]
        if profile not in PROFILES:
            raise RulesError(
                source.path, where.key("profile"), None,
                f"unknown profile {profile!r} (expected one of: {', '.join(PROFILES)})",
            )  # fmt: skip
        if profile == "default" and builder.profile == "strict" and not loosen_ok:
            refuse("profile = 'default'", "profile")
        else:
            builder.profile = profile

    profiles = _table(source.path, where, table.get("profiles", {}), "profiles")
    for name, raw_profile in profiles.items():
        if name != "strict":
            raise RulesError(
                source.path, where.key(name), None, _unknown_key("profile", name, {"strict"})
            )
        profile_table = _table(source.path, where, raw_profile, "profiles.strict")
        for key in profile_table:
            if key != "allow":
                raise RulesError(
                    source.path, where.key(key), None, _unknown_key("key", key, {"allow"})
                )
        allow_line = where.key("allow")
        allow = _strings(source.path, allow_line, None, "allow", profile_table.get("allow", []))
        if allow and not loosen_ok:
            refuse("[profiles.strict] allow", "allow")
        else:
            builder.strict_allow.extend(allow)

    patterns = table.get("production_patterns")
    if patterns is not None:
        line = where.key("production_patterns")
        values = _strings(source.path, line, None, "production_patterns", patterns)
        # More patterns only tighten; replacing the list is the user's privilege.
        if source.layer == "project" and not loosen_ok:
            builder.production.extend(values)
        else:
            builder.production = list(values)

    disable = table.get("disable_packs")
    if disable is not None:
        line = where.key("disable_packs")
        packs = _strings(source.path, line, None, "disable_packs", disable)
        if packs and not loosen_ok:
            refuse("disable_packs", "disable_packs")
        else:
            builder.disabled.update(packs)

    settings = _table(source.path, where, table.get("settings", {}), "settings")
    if settings and source.layer != "user":
        builder.warnings.append(
            f"{source.path}:{where.key('settings') or '?'}: [settings] ignored: only your own "
            "rules file may set them"
        )
        settings = {}
    for name, value in settings.items():
        line = where.key(name)
        if name not in SETTING_KEYS:
            raise RulesError(source.path, line, None, _unknown_key("setting", name, SETTING_KEYS))
        if not isinstance(value, str) or not value:
            raise RulesError(source.path, line, None, f"setting {name!r} must be a string")
        if name == "shell" and not value.startswith("/"):
            raise RulesError(source.path, line, None, "setting 'shell' must be an absolute path")
        builder.settings[name] = value

    overrides = _table(source.path, where, table.get("overrides", {}), "overrides")
    for rule_id, value in overrides.items():
        line = where.quoted_key(rule_id)
        if not isinstance(value, str):
            raise RulesError(source.path, line, rule_id, "an override must be a tier string")
        tier = _tier(source.path, line, rule_id, value)
        current = builder.overrides.get(rule_id)
        if current is None and rule_id in builder.rules:
            current = builder.rules[rule_id].tier
        if current is not None and tier.severity < current.severity and not loosen_ok:
            builder.warnings.append(
                f"{source.path}:{line or '?'}: override {rule_id} = {value!r} ignored: an "
                f"untrusted {layer} may only raise a tier (it is {current.value})"
            )
            continue
        builder.overrides[rule_id] = tier


# -- validating one rule -----------------------------------------------------------------------


@dataclass(frozen=True)
class _Where:
    """Finds the line of a key or of a rule in the file's text (tomllib gives no positions)."""

    path: Path
    text: str

    def rule(self, rule_id: str) -> int | None:
        return self._find(rf"^\s*id\s*=\s*[\"']{re.escape(rule_id)}[\"']")

    def key(self, key: str, after: int | None = None) -> int | None:
        return self._find(rf"^\s*(\[+\s*)?[\"']?{re.escape(key)}[\"']?\s*[=\].]", after)

    def quoted_key(self, key: str) -> int | None:
        return self._find(rf"^\s*[\"']?{re.escape(key)}[\"']?\s*=")

    def _find(self, pattern: str, after: int | None = None) -> int | None:
        regex = re.compile(pattern)
        for number, line in enumerate(self.text.splitlines(), start=1):
            if after is not None and number < after:
                continue
            if regex.search(line):
                return number
        return None


def _rule(path: Path, where: _Where, raw: dict[str, Any]) -> Rule:
    rule_id = raw.get("id")
    if not isinstance(rule_id, str) or not rule_id:
        line = where.key("id") if rule_id is not None else None
        raise RulesError(path, line, None, "a rule needs an `id` string (pack.name)")
    line = where.rule(rule_id)

    def fail(message: str) -> RulesError:
        return RulesError(path, line, rule_id, message)

    if not _ID_RE.match(rule_id):
        raise fail("the id must look like `pack.name` (lowercase letters, digits, - and _)")
    for key in raw:
        if key not in RULE_KEYS:
            key_line = where.key(key, after=line)
            raise RulesError(path, key_line, rule_id, _unknown_key("key", key, RULE_KEYS))
    reason = raw.get("reason")
    if not isinstance(reason, str) or not reason.strip():
        raise fail("missing `reason`: say in a sentence what the command would destroy")
    pack = _optional_str(raw, "pack", fail) or rule_id.split(".", 1)[0]
    alternative = _optional_str(raw, "alternative", fail)
    confirm = _optional_str(raw, "confirm", fail)
    if confirm is not None and confirm not in CONFIRM_KINDS:
        raise fail(f"unknown confirm {confirm!r} (expected one of: {', '.join(CONFIRM_KINDS)})")
    reversible = raw.get("reversible")
    if reversible is not None and not isinstance(reversible, bool):
        raise fail("`reversible` must be true or false")
    blast = _optional_str(raw, "blast", fail)
    if blast is not None and blast not in BLASTS:
        raise fail(_unknown_value("blast", blast, BLASTS))
    explicit = _optional_str(raw, "tier", fail)
    if explicit is not None:
        tier = _tier(path, line, rule_id, explicit)
    elif reversible is None or blast is None:
        raise fail("give `reversible` and `blast` (the tier follows from them) or a `tier`")
    else:
        tier = derive_tier(reversible, blast)
    conditions = _conditions(
        path, line, rule_id, {k: v for k, v in raw.items() if k in CONDITION_KEYS}
    )
    if conditions.is_empty():
        raise fail("a rule needs at least one condition (command, check, …)")
    match = _examples(path, line, rule_id, "match", raw.get("match", []))
    not_match = _examples(path, line, rule_id, "not_match", raw.get("not_match", []))
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
        match=match,
        not_match=not_match,
        source=str(path),
        line=line,
    )


def _conditions(path: Path, line: int | None, rule_id: str, raw: dict[str, Any]) -> Conditions:
    values: dict[str, Any] = {}
    for key in LIST_CONDITION_KEYS:
        if key not in raw:
            continue
        items = _strings(path, line, rule_id, key, raw[key])
        if not items:
            raise RulesError(path, line, rule_id, f"`{key}` is empty")
        for item in items:
            _check_item(path, line, rule_id, key, item)
        values[key] = items
    if "check" in raw:
        check = raw["check"]
        if not isinstance(check, str):
            raise RulesError(path, line, rule_id, "`check` must be a string")
        if check not in CHECKS:
            raise RulesError(path, line, rule_id, _unknown_value("check", check, CHECKS))
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
                    message = _unknown_key("condition in `any`", key, CONDITION_KEYS)
                    raise RulesError(path, line, rule_id, message)
            sub = _conditions(path, line, rule_id, table)
            if sub.is_empty():
                raise RulesError(path, line, rule_id, "an entry of `any` has no condition")
            parsed.append(sub)
        values["any"] = tuple(parsed)
    return Conditions(**values)


def _check_item(path: Path, line: int | None, rule_id: str, key: str, item: str) -> None:
    def fail(message: str) -> RulesError:
        return RulesError(path, line, rule_id, message)

    if not item:
        raise fail(f"`{key}` holds an empty string")
    if key in {"paths_any", "paths_all", "redirect_paths_any"} and item not in PATH_CLASSES:
        raise fail(_unknown_value("path class", item, sorted(PATH_CLASSES)))
    from safesh.rules.sql import SQL_KINDS

    if key == "sql_any" and item not in SQL_KINDS:
        raise fail(_unknown_value("sql kind", item, sorted(SQL_KINDS)))
    if key == "env_any" and "=" not in item:
        raise fail(f"`env_any` entries are NAME=glob, got {item!r}")
    bad = _glob_problem(item)
    if bad is not None:
        raise fail(f"bad glob {item!r} in `{key}`: {bad}")


def _glob_problem(pattern: str) -> str | None:
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


def _examples(
    path: Path, line: int | None, rule_id: str, key: str, raw: object
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
                message = _unknown_key(f"`{key}` example key", example_key, EXAMPLE_KEYS)
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


def _tool(path: Path, where: _Where, name: str, raw: object) -> ToolSpec:
    line = where.key(f"tools.{name}") or where.key(name)
    if not isinstance(raw, dict):
        raise RulesError(path, line, None, f"[tools.{name}] must be a table")
    for key in raw:
        if key not in TOOL_KEYS:
            message = _unknown_key(f"key in [tools.{name}]", key, TOOL_KEYS)
            raise RulesError(path, line, None, message)
    options = _strings(
        path, line, None, f"tools.{name}.value_options", raw.get("value_options", [])
    )
    for option in options:
        if not option.startswith("-") and not raw.get("single_dash_long"):
            raise RulesError(path, line, None, f"value option {option!r} must start with '-'")
    single = raw.get("single_dash_long", False)
    if not isinstance(single, bool):
        raise RulesError(path, line, None, f"tools.{name}.single_dash_long must be true or false")
    return ToolSpec(frozenset(options), single)


# -- small validators --------------------------------------------------------------------------


def _tier(path: Path, line: int | None, rule_id: str | None, text: str) -> Tier:
    try:
        return Tier.parse(text)
    except ValueError as error:
        raise RulesError(path, line, rule_id, str(error)) from None


def _strings(
    path: Path, line: int | None, rule_id: str | None, key: str, raw: object
) -> tuple[str, ...]:
    if isinstance(raw, str):
        raise RulesError(path, line, rule_id, f"`{key}` must be a list of strings, not a string")
    if not isinstance(raw, list) or not all(isinstance(item, str) for item in raw):
        raise RulesError(path, line, rule_id, f"`{key}` must be a list of strings")
    return tuple(raw)


def _optional_str(raw: Mapping[str, Any], key: str, fail: Any) -> str | None:
    value = raw.get(key)
    if value is not None and (not isinstance(value, str) or not value.strip()):
        raise fail(f"`{key}` must be a non-empty string")
    return value


def _table(path: Path, where: _Where, raw: object, name: str) -> dict[str, Any]:
    if not isinstance(raw, dict):
        raise RulesError(path, where.key(name), None, f"`{name}` must be a table")
    return raw


def _list_of_tables(path: Path, where: _Where, raw: object, name: str) -> list[dict[str, Any]]:
    if not isinstance(raw, list) or not all(isinstance(item, dict) for item in raw):
        raise RulesError(path, where.key(name), None, f"use [[{name}]] tables for `{name}`")
    return raw


def _suggest(word: str, valid: Iterable[str]) -> str:
    import difflib

    close = difflib.get_close_matches(word, list(valid), n=1, cutoff=0.6)
    return f" (did you mean {close[0]!r}?)" if close else ""


def _unknown_key(what: str, key: str, valid: Iterable[str]) -> str:
    return f"unknown {what} {key!r}{_suggest(key, valid)}"


def _unknown_value(what: str, value: str, valid: Iterable[str]) -> str:
    names = sorted(valid)
    return f"unknown {what} {value!r}{_suggest(value, names)}; expected one of: {', '.join(names)}"


# -- the cache ---------------------------------------------------------------------------------

_CACHE_VERSION = "1"
_ALLOWED_CLASSES = {
    ("safesh.rules.schema", "RuleSet"),
    ("safesh.rules.schema", "Rule"),
    ("safesh.rules.schema", "Conditions"),
    ("safesh.rules.schema", "Example"),
    ("safesh.rules.schema", "ToolSpec"),
    ("safesh.model", "Tier"),
    ("builtins", "frozenset"),
    ("builtins", "set"),
    ("copyreg", "_reconstructor"),
    ("builtins", "object"),
}


class _SafeUnpickler(pickle.Unpickler):
    """Unpickles only the ruleset's own classes, so a planted cache file cannot run code."""

    def find_class(self, module: str, name: str) -> Any:
        if (module, name) == ("builtins", "getattr"):
            # Python pickles an enum member as getattr(Tier, "ASK"); only that is allowed.
            return _tier_member
        if (module, name) not in _ALLOWED_CLASSES:
            raise pickle.UnpicklingError(f"{module}.{name} is not allowed in a rules cache")
        return super().find_class(module, name)


def _tier_member(cls: object, name: str) -> Tier:
    if cls is not Tier or not isinstance(name, str) or name not in Tier.__members__:
        raise pickle.UnpicklingError("only Tier members may be looked up in a rules cache")
    return Tier[name]


def _code_stamp() -> str:
    """Changes whenever the code that builds a RuleSet changes (dev installs too)."""
    import safesh

    here = Path(__file__).resolve().parent
    parts = [safesh.__version__, _CACHE_VERSION]
    for module in [*sorted(here.glob("*.py")), here.parent / "model.py"]:
        try:
            stat = module.stat()
        except OSError:
            continue
        parts.append(f"{module.name}:{stat.st_mtime_ns}:{stat.st_size}")
    return "|".join(parts)


def _cache_key(sources: tuple[_Source, ...]) -> str:
    digest = hashlib.sha256(_code_stamp().encode())
    for source in sources:
        digest.update(f"\0{source.layer}\0{source.path}\0{source.trusted}\0".encode())
        digest.update(hashlib.sha256(source.data).digest())
    return digest.hexdigest()


def _cache_path(key: str) -> Path:
    from safesh import locations

    return locations.cache_dir() / f"rules-{key[:32]}.pickle"


def _cache_read(key: str) -> RuleSet | None:
    try:
        data = _cache_path(key).read_bytes()
        ruleset = _SafeUnpickler(io.BytesIO(data)).load()
    except Exception:
        return None
    return ruleset if isinstance(ruleset, RuleSet) else None


def _cache_write(key: str, ruleset: RuleSet) -> None:
    try:
        path = _cache_path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        _prune(path.parent, keep=path)
        import tempfile

        fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=".rules-", suffix=".tmp")
        with os.fdopen(fd, "wb") as handle:
            pickle.dump(ruleset, handle, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(temporary, path)
    except Exception:
        return


_CACHE_ENTRIES = 16


def _prune(directory: Path, keep: Path) -> None:
    """Keep the newest few cached rulesets (one per project file in use, roughly)."""
    entries = sorted(
        (p for p in directory.glob("rules-*.pickle") if p != keep),
        key=lambda p: p.stat().st_mtime_ns,
        reverse=True,
    )
    for old in entries[_CACHE_ENTRIES - 1 :]:
        old.unlink(missing_ok=True)
