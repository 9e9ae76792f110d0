"""Layering the rules files into one RuleSet: built-in, then the user's file, then the
project's `.safesh.toml`. A layer adds rules; only a trusted layer (built-in, the user's, a
project file the user ran `safesh trust` on) may loosen: disable packs, lower a tier by an
override, add tool options or strict-profile allowances. `[settings]` come only from the
user's own file (docs/rules.md).

May import `safesh.model`, `safesh.rules.reading`, `validate` and `schema`; never the cache
or a front end.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping

from safesh.model import Tier
from safesh.record import field, mutable, replace
from safesh.rules.lines import Where
from safesh.rules.reading import RulesError, Source, may_hold_settings, parse_toml
from safesh.rules.schema import Rule, RuleSet, ToolSpec
from safesh.rules.validate import (
    DEFAULT_PRODUCTION,
    list_of_tables,
    parse_rule,
    parse_tier,
    parse_tool,
    strings,
    suggest,
    table_of,
    unknown_key,
)

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing at start-up

if TYPE_CHECKING:
    from typing import Any


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
# The store's keys are read and checked by `safesh.store.settings`.
STORE_SETTING_KEYS = frozenset(
    {"store", "approval_ttl", "audit_retention", "audit_max_records", "production_approvers"}
)
SETTING_KEYS = (
    frozenset(
        {
            "shell",
            "notify_command",
            "notify_url",
            # Previews and snapshots: checked by `safesh.preview.types.setting_problem`.
            "preview_budget",
            "preview_max_files",
            "preview_network",
            "snapshot_budget",
            "snapshot_retention",
        }
    )
    | STORE_SETTING_KEYS
)


# -- building ----------------------------------------------------------------------------------


# A project file may be the agent's: it holds at most this many rules (see reading.py for
# its size cap). The built-in and user files are the user's own and are not capped.
PROJECT_MAX_RULES = 1000
_SUGGESTIONS = 20


@mutable
class Builder:
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


def build_ruleset(
    sources: Iterable[Source], *, max_project_rules: int | None = PROJECT_MAX_RULES
) -> RuleSet:
    """Layer `sources` in order. A project file with more than `max_project_rules` rules is
    a RulesError (None lifts the cap, for measuring)."""
    sources = tuple(sources)
    builder = Builder(
        {},
        {},
        {},
        set(),
        "default",
        [],
        list(DEFAULT_PRODUCTION),
        [],
    )
    for source in sources:
        text = source.data.decode("utf-8", errors="replace")
        table = parse_toml(source.path, text)
        if source.layer == "project" and max_project_rules is not None:
            _check_rule_count(source, text, table, max_project_rules)
        apply_layer(builder, source, text, table)
    rules = tuple(with_override(rule, builder.overrides) for rule in builder.rules.values())
    unknown = [rule_id for rule_id in builder.overrides if rule_id not in builder.rules]
    for number, rule_id in enumerate(unknown):
        # A close-match search costs O(rules) each: offered for the first few only, so that
        # many unknown overrides still load in linear time.
        hint = suggest(rule_id, builder.rules) if number < _SUGGESTIONS else ""
        builder.warnings.append(f"override for unknown rule {rule_id!r}{hint} is ignored")
    return RuleSet(
        rules=rules,
        tools=tuple(sorted(builder.tools.items())),
        profile=builder.profile,
        strict_allow=tuple(builder.strict_allow),
        production_patterns=tuple(dict.fromkeys(builder.production)),
        sources=tuple(str(s.path) for s in sources),
        warnings=tuple(builder.warnings),
        fingerprint=fingerprint(sources, builder.profile),
        disabled_packs=frozenset(builder.disabled),
        overrides=tuple(sorted(builder.overrides.items())),
        settings=tuple(sorted(builder.settings.items())),
    )


def user_settings(sources: Iterable[Source]) -> tuple[tuple[str, str], ...]:
    """The `[settings]` of the user's file among `sources`, read from its bytes (never from a
    cache: they name programs safesh runs). Costs a TOML parse only when the file can hold
    a settings table at all."""
    found: dict[str, str] = {}
    for source in sources:
        if source.layer != "user" or not may_hold_settings(source.data):
            continue
        text = source.data.decode("utf-8", errors="replace")
        table = parse_toml(source.path, text)
        where = Where(source.path, text)
        found.update(
            _settings(
                source, where, table_of(source.path, where, table.get("settings", {}), "settings")
            )
        )
    return tuple(sorted(found.items()))


def _settings(source: Source, where: Where, settings: dict[str, Any]) -> dict[str, str]:
    found: dict[str, str] = {}
    for name, value in settings.items():
        line = where.key(name)
        if name not in SETTING_KEYS:
            raise RulesError(source.path, line, None, unknown_key("setting", name, SETTING_KEYS))
        if not isinstance(value, str) or not value:
            raise RulesError(source.path, line, None, f"setting {name!r} must be a string")
        if name == "shell" and not value.startswith("/"):
            raise RulesError(source.path, line, None, "setting 'shell' must be an absolute path")
        problem: str | None = None
        if name.startswith(("preview_", "snapshot_")):
            from safesh.preview.types import setting_problem

            problem = setting_problem(name, value)
        if name in STORE_SETTING_KEYS:
            from safesh.store.settings import check_setting

            problem = check_setting(name, value)
        if problem is not None:
            raise RulesError(source.path, line, None, problem)
        found[name] = value
    return found


def _check_rule_count(source: Source, text: str, table: dict[str, Any], limit: int) -> None:
    rules = table.get("rule")
    if isinstance(rules, list) and len(rules) > limit:
        raise RulesError(
            source.path, Where(source.path, text).key("rule"), None,
            f"a project rules file may hold at most {limit} rules; this one has {len(rules)}, "
            "so no command is judged by it (move rules you need into your own rules file)",
        )  # fmt: skip


def fingerprint(sources: tuple[Source, ...], profile: str) -> str:
    digest = hashlib.sha256()
    for source in sources:
        digest.update(f"{source.layer}\0{source.path}\0{source.trusted}\0".encode())
        digest.update(hashlib.sha256(source.data).digest())
    digest.update(profile.encode())
    return digest.hexdigest()


def with_override(rule: Rule, overrides: Mapping[str, Tier]) -> Rule:
    tier = overrides.get(rule.id)
    return rule if tier is None else replace(rule, tier=tier)


def apply_layer(builder: Builder, source: Source, text: str, table: dict[str, Any]) -> None:
    where = Where(source.path, text)
    for key in table:
        if key not in TOP_KEYS:
            raise RulesError(
                source.path, where.key(key), None, unknown_key("top-level key", key, TOP_KEYS)
            )
    loosen_ok = source.trusted
    layer = "project file" if source.layer == "project" else f"{source.layer} file"

    def refuse(what: str, key: str) -> None:
        builder.warnings.append(
            f"{source.path}:{where.key(key) or '?'}: {what} ignored: an untrusted {layer} may "
            "only tighten the rules (run `safesh trust` to accept this file)"
        )

    rules = list_of_tables(source.path, where, table.get("rule", []), "rule")
    for raw in rules:
        rule = parse_rule(source.path, where, raw)
        if rule.id in builder.rules:
            first = builder.rules[rule.id]
            raise RulesError(
                source.path,
                rule.line,
                rule.id,
                f"duplicate rule id (first defined in {first.source}:{first.line})",
            )
        builder.rules[rule.id] = rule

    tools = table_of(source.path, where, table.get("tools", {}), "tools")
    parsed_tools = {
        name: parse_tool(source.path, where, name, spec) for name, spec in tools.items()
    }
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

    profiles = table_of(source.path, where, table.get("profiles", {}), "profiles")
    for name, raw_profile in profiles.items():
        if name != "strict":
            raise RulesError(
                source.path, where.key(name), None, unknown_key("profile", name, {"strict"})
            )
        profile_table = table_of(source.path, where, raw_profile, "profiles.strict")
        for key in profile_table:
            if key != "allow":
                raise RulesError(
                    source.path, where.key(key), None, unknown_key("key", key, {"allow"})
                )
        allow_line = where.key("allow")
        allow = strings(source.path, allow_line, None, "allow", profile_table.get("allow", []))
        if allow and not loosen_ok:
            refuse("[profiles.strict] allow", "allow")
        else:
            builder.strict_allow.extend(allow)

    patterns = table.get("production_patterns")
    if patterns is not None:
        line = where.key("production_patterns")
        values = strings(source.path, line, None, "production_patterns", patterns)
        # More patterns only tighten; replacing the list is the user's privilege.
        if source.layer == "project" and not loosen_ok:
            builder.production.extend(values)
        else:
            builder.production = list(values)

    disable = table.get("disable_packs")
    if disable is not None:
        line = where.key("disable_packs")
        packs = strings(source.path, line, None, "disable_packs", disable)
        if packs and not loosen_ok:
            refuse("disable_packs", "disable_packs")
        else:
            builder.disabled.update(packs)

    settings = table_of(source.path, where, table.get("settings", {}), "settings")
    if settings and source.layer != "user":
        builder.warnings.append(
            f"{source.path}:{where.key('settings') or '?'}: [settings] ignored: only your own "
            "rules file may set them"
        )
        settings = {}
    builder.settings.update(_settings(source, where, settings))

    overrides = table_of(source.path, where, table.get("overrides", {}), "overrides")
    for rule_id, value in overrides.items():
        line = where.quoted_key(rule_id)
        if not isinstance(value, str):
            raise RulesError(source.path, line, rule_id, "an override must be a tier string")
        tier = parse_tier(source.path, line, rule_id, value)
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
