"""Load the rules files into one RuleSet: the entry points `load_ruleset` and `validate_file`.

The work is done in four rooms, each importable on its own:
  reading.py   where the files are, their bytes and TOML; RulesError
  validate.py  schema checks of one rule, condition, example or tool (`file:line: rule 'id': …`)
  layering.py  built-in + user + trusted project file -> RuleSet (packs on/off, overrides)
  cache.py     the RuleSet cache, so a warm load never parses TOML (and decodes only the
               rules a line needs)

This module only wires them together and keeps the names other modules import from it;
layering.py is imported only when a RuleSet is built (a cached load needs none of it).
May import `safesh.rules.reading`, `validate`, `layering`, `cache` and `schema`.
"""

from __future__ import annotations

from safesh.rules import cache
from safesh.rules.reading import (
    PROJECT_FILE,
    RulesError,
    Source,
    builtin_rules_file,
    file_sha256,
    find_project_file,
    may_hold_settings,
    read_optional,
    read_sources,
)
from safesh.rules.schema import RuleSet

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing at start-up

if TYPE_CHECKING:
    from pathlib import Path  # only the paths callers give (a load locates files as strings)

__all__ = [
    "PROJECT_FILE",
    "RulesError",
    "builtin_rules_file",
    "file_sha256",
    "find_project_file",
    "load_fallback_ruleset",
    "load_ruleset",
    "validate_file",
]


def load_ruleset(
    cwd: str,
    *,
    builtin: str | Path | None = None,
    user_file: Path | None = None,
    trusted_files: frozenset[tuple[str, str]] = frozenset(),
    use_cache: bool = True,
    examples: bool = True,
) -> RuleSet:
    """The effective rules for a command run in `cwd`. Raises RulesError for an invalid file.

    `trusted_files` holds (location, sha256) pairs of trusted project files (trust.py).
    Without `examples`, no rule has its `match`/`not_match` examples: all that judging
    needs, and half as much to read from the cache."""
    sources = read_sources(cwd, builtin, user_file, trusted_files)
    return _build(sources, use_cache, examples)


def load_fallback_ruleset(
    error: RulesError,
    *,
    builtin: Path | None = None,
    user_file: Path | None = None,
    use_cache: bool = True,
) -> RuleSet | None:
    """The rules that still stand when a rules file is broken (`error`): the built-in rules,
    and the user's file too when the broken one is the project's. A line is judged by these
    as well, so what they block stays blocked while the broken file is fixed; None when
    even the built-in rules cannot be read."""
    from pathlib import Path

    builtin_path = builtin if builtin is not None else builtin_rules_file()
    if user_file is None:
        from safesh import locations

        user_file = locations.user_rules_file()
    broken = Path(error.path)
    if broken == builtin_path:
        return None
    try:
        builtin_source = Source("builtin", builtin_path, builtin_path.read_bytes(), True)
    except OSError:
        return None
    layers: list[tuple[Source, ...]] = [(builtin_source,)]
    if broken != user_file:
        try:
            user_data = read_optional(user_file)
        except RulesError:
            user_data = None
        if user_data is not None:
            layers.insert(0, (builtin_source, Source("user", user_file, user_data, True)))
    for sources in layers:
        try:
            return _build(sources, use_cache)
        except RulesError:
            continue
    return None


def _build(sources: tuple[Source, ...], use_cache: bool, examples: bool = True) -> RuleSet:
    # layering (with validate and lines) is imported only to build: a cached load of a user
    # file without settings never needs it.
    if not use_cache:
        ruleset = _layered(sources)
    else:
        key = cache.cache_key(sources)
        cached = cache.read(key, examples=examples, settings=_user_settings(sources))
        if cached is not None:
            return cached
        ruleset = _layered(sources)
        cache.write(key, ruleset)
    return ruleset if examples else cache.without_examples(ruleset)


def _layered(sources: tuple[Source, ...] | list[Source]) -> RuleSet:
    from safesh.rules.layering import build_ruleset

    return build_ruleset(sources)


def _user_settings(sources: tuple[Source, ...]) -> tuple[tuple[str, str], ...]:
    if not any(source.layer == "user" and may_hold_settings(source.data) for source in sources):
        return ()
    from safesh.rules.layering import user_settings

    return user_settings(sources)


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
    return _layered(sources)
