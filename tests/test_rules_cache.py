"""The rules cache read on demand (safesh/rules/cache.py): a load for judging decodes only the
rules a command name can select, and judges exactly as the rules it was cached from."""

from __future__ import annotations

import fnmatch
import pickle
import random
from pathlib import Path

import pytest

from safesh.api import check
from safesh.rules import cache, memo
from safesh.rules.loader import load_ruleset
from safesh.rules.match import _may_apply
from safesh.rules.schema import Rule, RuleSet

# Names that the rules' command globs select (or nearly do), and names no rule gives.
GLOB_NAMES = (
    "python3",
    "pypy3",
    "python",
    "mkfs.ext4",
    "fsck.xfs",
    "newfs_msdos",
    "app-delete",
    "delete-app",
    "delx",
    "x-rm",
    "x.rm.y",
    "rm-x",
    "firm",
    "mysql",
    "psql",
    "athena-query",
    "wipefs",
    "nuke",
    "true",
    "ls",
    "",
    "a|b",
    "[x]",
    "*",
)


@pytest.fixture
def user(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A user with empty configuration, state and cache directories; the working directory."""
    for name, sub in (
        ("HOME", "home"),
        ("XDG_CONFIG_HOME", "config"),
        ("XDG_STATE_HOME", "state"),
        ("XDG_CACHE_HOME", "cache"),
        ("XDG_DATA_HOME", "data"),
    ):
        monkeypatch.setenv(name, str(tmp_path / sub))
    memo.clear()
    work = tmp_path / "work"
    work.mkdir()
    return work


def _rules_for(ruleset: RuleSet, name: str) -> tuple[Rule, ...]:
    """The rules the matcher tries on a command called `name` (before its compiled plans)."""
    return tuple(rule for rule in ruleset.candidates(name) if _may_apply(rule.conditions, name))


def judging_loads(cwd: Path) -> tuple[RuleSet, RuleSet]:
    """The built-in rules built from the file (without examples), and read from the cache."""
    built = cache.without_examples(load_ruleset(str(cwd), use_cache=False))
    load_ruleset(str(cwd))  # writes the cache
    cached = load_ruleset(str(cwd), examples=False)
    assert cached._source is not None  # read on demand
    return built, cached


def test_a_cached_ruleset_selects_the_same_rules_and_tools_for_every_name(user: Path) -> None:
    built, cached = judging_loads(user)
    names = set(GLOB_NAMES) | {name for name, _spec in built.tools}
    for rule in built.rules:
        names |= rule.names or set()
    for name in sorted(names):
        assert _rules_for(cached, name) == _rules_for(built, name), name
        assert cached.tool(name) == built.tool(name), name
    for rule in built.rules:
        assert cached.get(rule.id) == rule
    assert cached.get("no.such-rule") is None


def test_a_cached_ruleset_decodes_only_the_rules_a_line_needs(user: Path) -> None:
    built, cached = judging_loads(user)
    assert cached._source is not None
    decoded = cached._source._decoded  # type: ignore[attr-defined]
    _rules_for(cached, "true")
    assert 0 < sum(rule is not None for rule in decoded) < len(built.rules) // 2
    assert "rules" not in cached.__dict__ and "tools" not in cached.__dict__


def test_a_cached_ruleset_read_whole_equals_the_built_one(user: Path) -> None:
    built, cached = judging_loads(user)
    assert cached.rules == built.rules and cached.tools == built.tools
    assert cached == built and cached.active_rules() == built.active_rules()
    again = load_ruleset(str(user), examples=False)
    assert again == built  # compared field by field: decodes what it needs to
    copied = pickle.loads(pickle.dumps(again))
    assert copied == built and copied._source is None


def test_a_cached_ruleset_keeps_the_settings_of_the_users_file(user: Path, tmp_path: Path) -> None:
    rules = tmp_path / "config" / "safesh" / "rules.toml"
    rules.parent.mkdir(parents=True)
    rules.write_text('[settings]\nshell = "/bin/bash"\n')
    load_ruleset(str(user))
    cached = load_ruleset(str(user), examples=False)
    assert cached._source is not None and cached.setting("shell") == "/bin/bash"


@pytest.mark.parametrize("line", ["true", "git push"])
def test_a_rule_changed_in_a_sealed_cache_is_refused_where_it_is_needed(
    user: Path, line: str
) -> None:
    built, _cached = judging_loads(user)
    first = cache._Cached.read(cache_key(user))
    assert first is not None
    if line == "true":
        part = first._generic_part  # the rules for any name, which every line needs
    else:
        part = next(i for i, rule in enumerate(built.rules) if "git" in (rule.names or ()))
    name = line.split()[0]
    path = Path(cache.cache_file(cache_key(user)))
    data = bytearray(path.read_bytes())
    body = len(data) - len(first._body)
    data[body + first._starts[part] + 3] ^= 0xFF  # inside the part; the head is intact
    path.write_bytes(bytes(data))
    changed = load_ruleset(str(user), examples=False)
    assert changed._source is not None  # the head is still sealed
    if line != "true":
        _rules_for(changed, "true")  # a part it does not need is not read
    with pytest.raises(cache.CacheError):
        _rules_for(changed, name)
    assert not path.exists()  # so the next load builds the cache again
    path.write_bytes(bytes(data))
    memo.clear()
    report = check(line, cwd=str(user))
    assert report.decision == "ask"
    assert [f.rule_id for f in report.analysis.findings] == ["core.internal-error"]
    path.write_bytes(bytes(data))
    assert load_ruleset(str(user)) == load_ruleset(str(user), use_cache=False)  # all checked


def cache_key(cwd: Path) -> str:
    from safesh.rules.reading import read_sources

    return cache.cache_key(read_sources(str(cwd), None, None, frozenset()))


def test_a_glob_hint_never_turns_down_a_name_the_glob_matches() -> None:
    chance = random.Random(12)
    letters = "ab-.[]!*?"
    matched = 0
    for _ in range(100_000):
        glob = "".join(chance.choice(letters) for _ in range(chance.randint(1, 8)))
        name = "".join(chance.choice(letters) for _ in range(chance.randint(0, 7)))
        if fnmatch.fnmatchcase(name, glob):
            matched += 1
            prefix, suffix, held = cache._glob_hint(glob)
            assert name.startswith(prefix) and name.endswith(suffix) and held in name, glob
    assert matched > 1000


@pytest.mark.parametrize(
    ("glob", "hint"),
    [
        ("python*", ("python", "", "python")),
        ("*[-_.:]rm", ("", "rm", "rm")),
        ("*[-_.:]decommission*", ("", "", "decommission")),
        ("del[a-z]*", ("del", "", "del")),
        ("x[ab", ("x[ab", "x[ab", "x[ab")),  # no `]`: the `[` is a literal
        ("[]a]b", ("", "b", "b")),  # `]` first in a class is one of its characters
        ("a?b*c", ("a", "c", "a")),
    ],
)
def test_a_glob_hint_is_the_globs_literal_text(glob: str, hint: tuple[str, str, str]) -> None:
    assert cache._glob_hint(glob) == hint
