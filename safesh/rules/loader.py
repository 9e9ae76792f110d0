"""Load the rules files into one RuleSet: the entry points `load_ruleset` and `validate_file`.

The work is done in four rooms, each importable on its own:
  reading.py   where the files are, their bytes and TOML; RulesError
  validate.py  schema checks of one rule, condition, example or tool (`file:line: rule 'id': …`)
  layering.py  built-in + user + trusted project file -> RuleSet (packs on/off, overrides)
  cache.py     the pickled RuleSet cache, so a warm load never parses TOML

This module only wires them together and keeps the names other modules import from it.
May import `safesh.rules.reading`, `validate`, `layering`, `cache` and `schema`.
"""

from __future__ import annotations

from pathlib import Path

from safesh.rules import cache
from safesh.rules.layering import PROFILES, SETTING_KEYS, TOP_KEYS, build_ruleset
from safesh.rules.reading import (
    PROJECT_FILE,
    RulesError,
    Source,
    builtin_rules_file,
    file_sha256,
    find_project_file,
    read_sources,
)
from safesh.rules.schema import RuleSet

__all__ = [
    "PROFILES",
    "PROJECT_FILE",
    "SETTING_KEYS",
    "TOP_KEYS",
    "RulesError",
    "build_ruleset",
    "builtin_rules_file",
    "file_sha256",
    "find_project_file",
    "load_ruleset",
    "validate_file",
]


def load_ruleset(
    cwd: str,
    *,
    builtin: Path | None = None,
    user_file: Path | None = None,
    trusted_hashes: frozenset[str] = frozenset(),
    use_cache: bool = True,
) -> RuleSet:
    """The effective rules for a command run in `cwd`. Raises RulesError for an invalid file."""
    sources = read_sources(cwd, builtin, user_file, trusted_hashes)
    if not use_cache:
        return build_ruleset(sources)
    key = cache.cache_key(sources)
    cached = cache.read(key)
    if cached is not None:
        return cached
    ruleset = build_ruleset(sources)
    cache.write(key, ruleset)
    return ruleset


def validate_file(path: Path, *, builtin: Path | None = None) -> RuleSet:
    """The built-in rules plus `path` as a layer that may do anything: raises RulesError
    when `path` is invalid (or clashes with a built-in rule id)."""
    builtin_path = builtin if builtin is not None else builtin_rules_file()
    sources = [Source("builtin", builtin_path, builtin_path.read_bytes(), True)]
    if path.resolve() != builtin_path.resolve():
        try:
            data = path.read_bytes()
        except OSError as error:
            raise RulesError(path, None, None, f"cannot read: {error.strerror}") from None
        sources.append(Source("user", path, data, True))
    return build_ruleset(sources)
