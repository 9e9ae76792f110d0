"""Loading, layering and validating rules files (safesh/rules/loader.py)."""

from __future__ import annotations

import hashlib
import os
import time
from pathlib import Path

import pytest

from safesh.model import Tier
from safesh.rules import RulesError, load_ruleset
from safesh.rules.loader import builtin_rules_file, find_project_file, validate_file
from safesh.rules.reading import project_location

RULE = """
[[rule]]
id = "{id}"
reason = "because"
reversible = false
blast = "project"
command = ["{command}"]
match = ["{command} x"]
"""


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


@pytest.fixture
def builtin(tmp_path: Path) -> Path:
    return write(tmp_path / "builtin.toml", RULE.format(id="t.one", command="one"))


def load(
    tmp_path: Path,
    builtin: Path,
    user: str | None = None,
    project: str | None = None,
    trusted: frozenset[str] = frozenset(),
):  # type: ignore[no-untyped-def]
    user_file = tmp_path / "user.toml"
    if user is not None:
        write(user_file, user)
    cwd = tmp_path / "repo" / "sub"
    cwd.mkdir(parents=True, exist_ok=True)
    if project is not None:
        write(tmp_path / "repo" / ".safesh.toml", project)
    # `trusted` names contents; trust binds them to the place of this project file.
    place = project_location(tmp_path / "repo" / ".safesh.toml")
    return load_ruleset(
        str(cwd),
        builtin=builtin,
        user_file=user_file,
        trusted_files=frozenset((place, digest) for digest in trusted),
        use_cache=False,
    )


def error_of(tmp_path: Path, text: str) -> RulesError:
    path = write(tmp_path / "bad.toml", text)
    with pytest.raises(RulesError) as caught:
        load_ruleset(str(tmp_path), builtin=path, user_file=tmp_path / "none", use_cache=False)
    return caught.value


def test_builtin_rules_file_is_valid_and_found() -> None:
    ruleset = validate_file(builtin_rules_file())
    assert len(ruleset.rules) > 40


def test_tier_is_derived_from_reversible_and_blast(tmp_path: Path, builtin: Path) -> None:
    assert load(tmp_path, builtin).get("t.one").tier is Tier.ASK  # type: ignore[union-attr]


def test_error_names_file_line_rule_and_problem(tmp_path: Path) -> None:
    text = RULE.format(id="t.one", command="one").replace('blast = "project"', 'blast = "planet"')
    error = error_of(tmp_path, text)
    assert (error.line, error.rule_id) == (3, "t.one")
    assert str(error).startswith(f"{tmp_path / 'bad.toml'}:3: rule 't.one':")
    assert "unknown blast 'planet'" in str(error)


def test_unknown_key_suggests_closest(tmp_path: Path) -> None:
    error = error_of(tmp_path, RULE.format(id="t.a", command="a") + 'flag_any = ["-f"]\n')
    assert "did you mean 'flags_any'" in str(error)
    assert error.line == 9


def test_wrong_type_is_reported(tmp_path: Path) -> None:
    error = error_of(tmp_path, RULE.format(id="t.a", command="a").replace('["a"]', '"a"'))
    assert "`command` must be a list of strings, not a string" in str(error)


@pytest.mark.parametrize(
    ("extra", "message"),
    [('paths_any = ["roof"]', "unknown path class 'roof'"),
     ('sql_any = ["dropp"]', "unknown sql kind 'dropp'"),
     ('check = "forkbomb"', "unknown check 'forkbomb' (did you mean 'fork-bomb'?)"),
     ('args_any = ["[abc"]', "bad glob '[abc'"),
     ('tier = "maybe"', "unknown tier 'maybe'"),
     ('confirm = "click"', "unknown confirm 'click'")],
)  # fmt: skip
def test_bad_values_are_reported(tmp_path: Path, extra: str, message: str) -> None:
    assert message in str(error_of(tmp_path, RULE.format(id="t.a", command="a") + extra + "\n"))


def test_duplicate_id_is_reported_with_first_location(tmp_path: Path) -> None:
    text = RULE.format(id="t.a", command="a") + RULE.format(id="t.a", command="b")
    error = error_of(tmp_path, text)
    assert "duplicate rule id" in str(error) and error.rule_id == "t.a"


def test_missing_reason_is_reported(tmp_path: Path) -> None:
    error = error_of(tmp_path, RULE.format(id="t.a", command="a").replace('reason = "because"', ""))
    assert "missing `reason`" in str(error)


def test_rule_without_match_example_is_reported(tmp_path: Path) -> None:
    error = error_of(tmp_path, RULE.format(id="t.a", command="a").replace('match = ["a x"]', ""))
    assert "at least one `match` example" in str(error)


def test_rule_without_tier_or_axes_is_reported(tmp_path: Path) -> None:
    error = error_of(tmp_path, RULE.format(id="t.a", command="a").replace("reversible = false", ""))
    assert "give `reversible` and `blast`" in str(error)


def test_toml_syntax_error_has_line(tmp_path: Path) -> None:
    error = error_of(tmp_path, '[[rule]]\nid = "x.y"\nreason = \n')
    assert error.line == 3 and "TOML syntax error" in str(error)


def test_unknown_top_level_key_is_reported(tmp_path: Path) -> None:
    assert "did you mean 'overrides'" in str(error_of(tmp_path, "overides = {}\n"))


def test_any_entries_are_validated(tmp_path: Path) -> None:
    text = RULE.format(id="t.a", command="a") + 'any = [{ flags_anyy = ["-f"] }]\n'
    assert "did you mean 'flags_any'" in str(error_of(tmp_path, text))


def test_user_file_may_lower_a_tier(tmp_path: Path, builtin: Path) -> None:
    ruleset = load(tmp_path, builtin, user='[overrides]\n"t.one" = "allow"\n')
    assert ruleset.get("t.one").tier is Tier.ALLOW  # type: ignore[union-attr]


def test_user_file_may_disable_packs(tmp_path: Path, builtin: Path) -> None:
    ruleset = load(tmp_path, builtin, user='disable_packs = ["t"]\n')
    assert ruleset.active_rules() == ()


def test_project_file_is_found_from_a_subdirectory(tmp_path: Path) -> None:
    project = write(tmp_path / "a" / ".safesh.toml", "")
    (tmp_path / "a" / "b" / "c").mkdir(parents=True)
    assert find_project_file(str(tmp_path / "a" / "b" / "c")) == project


def test_project_file_may_add_rules(tmp_path: Path, builtin: Path) -> None:
    ruleset = load(tmp_path, builtin, project=RULE.format(id="p.two", command="two"))
    assert ruleset.get("p.two") is not None
    assert str(tmp_path / "repo" / ".safesh.toml") in ruleset.sources


def test_project_file_may_raise_a_tier(tmp_path: Path, builtin: Path) -> None:
    ruleset = load(tmp_path, builtin, project='[overrides]\n"t.one" = "block"\n')
    assert ruleset.get("t.one").tier is Tier.BLOCK  # type: ignore[union-attr]


def test_untrusted_project_cannot_lower_a_tier(tmp_path: Path, builtin: Path) -> None:
    ruleset = load(tmp_path, builtin, project='[overrides]\n"t.one" = "allow"\n')
    assert ruleset.get("t.one").tier is Tier.ASK  # type: ignore[union-attr]
    assert any("may only raise" in w for w in ruleset.warnings)


def test_untrusted_project_cannot_lower_a_user_override(tmp_path: Path, builtin: Path) -> None:
    ruleset = load(tmp_path, builtin, user='[overrides]\n"t.one" = "block"\n',
                   project='[overrides]\n"t.one" = "ask"\n')  # fmt: skip
    assert ruleset.get("t.one").tier is Tier.BLOCK  # type: ignore[union-attr]


@pytest.mark.parametrize(
    "project",
    ['disable_packs = ["t"]\n', '[profiles.strict]\nallow = ["rm"]\n',
     '[tools.one]\nvalue_options = ["-x"]\n'],
)  # fmt: skip
def test_untrusted_project_loosening_is_ignored_with_warning(
    tmp_path: Path, builtin: Path, project: str
) -> None:
    ruleset = load(tmp_path, builtin, project=project)
    assert ruleset.active_rules() and not ruleset.strict_allow and not ruleset.tools
    assert len(ruleset.warnings) == 1 and "safesh trust" in ruleset.warnings[0]


def test_untrusted_project_cannot_leave_the_strict_profile(tmp_path: Path, builtin: Path) -> None:
    ruleset = load(tmp_path, builtin, user='profile = "strict"\n', project='profile = "default"\n')
    assert ruleset.profile == "strict" and ruleset.warnings


def test_project_may_enter_the_strict_profile(tmp_path: Path, builtin: Path) -> None:
    assert load(tmp_path, builtin, project='profile = "strict"\n').profile == "strict"


def test_trusted_project_may_loosen(tmp_path: Path, builtin: Path) -> None:
    text = 'disable_packs = ["x"]\n[overrides]\n"t.one" = "allow"\n'
    digest = hashlib.sha256(text.encode()).hexdigest()
    ruleset = load(tmp_path, builtin, project=text, trusted=frozenset({digest}))
    assert ruleset.get("t.one").tier is Tier.ALLOW  # type: ignore[union-attr]
    assert ruleset.warnings == () and "x" in ruleset.disabled_packs


def test_trust_of_other_content_does_not_apply(tmp_path: Path, builtin: Path) -> None:
    text = '[overrides]\n"t.one" = "allow"\n'
    digest = hashlib.sha256(b"something else").hexdigest()
    ruleset = load(tmp_path, builtin, project=text, trusted=frozenset({digest}))
    assert ruleset.get("t.one").tier is Tier.ASK  # type: ignore[union-attr]


def test_project_production_patterns_are_added_not_replaced(tmp_path: Path, builtin: Path) -> None:
    ruleset = load(tmp_path, builtin, project='production_patterns = ["prd"]\n')
    assert {"prod", "prd"} <= set(ruleset.production_patterns)


def test_override_of_unknown_rule_is_a_warning_with_suggestion(
    tmp_path: Path, builtin: Path
) -> None:
    ruleset = load(tmp_path, builtin, user='[overrides]\n"t.onee" = "block"\n')
    assert any("did you mean 't.one'" in w for w in ruleset.warnings)


def test_fingerprint_changes_with_project_content(tmp_path: Path, builtin: Path) -> None:
    first = load(tmp_path, builtin, project=RULE.format(id="p.a", command="a")).fingerprint
    second = load(tmp_path, builtin, project=RULE.format(id="p.b", command="b")).fingerprint
    assert first != second


def test_fingerprint_changes_with_profile(tmp_path: Path, builtin: Path) -> None:
    assert (
        load(tmp_path, builtin).fingerprint
        != load(tmp_path, builtin, user='profile = "strict"\n').fingerprint
    )


# -- the cache ---------------------------------------------------------------------------------


@pytest.fixture
def cache_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    return tmp_path / "cache" / "safesh"


def test_cached_load_equals_fresh_load(tmp_path: Path, builtin: Path, cache_home: Path) -> None:
    fresh = load_ruleset(str(tmp_path), builtin=builtin, user_file=tmp_path / "n", use_cache=False)
    load_ruleset(str(tmp_path), builtin=builtin, user_file=tmp_path / "n")
    cached = load_ruleset(str(tmp_path), builtin=builtin, user_file=tmp_path / "n")
    assert list(cache_home.glob("rules-*")) and cached == fresh


def test_cache_sees_edited_file(tmp_path: Path, builtin: Path, cache_home: Path) -> None:
    load_ruleset(str(tmp_path), builtin=builtin, user_file=tmp_path / "n")
    write(builtin, RULE.format(id="t.two", command="two"))
    assert load_ruleset(str(tmp_path), builtin=builtin, user_file=tmp_path / "n").get("t.two")


def test_corrupt_cache_falls_back_to_a_normal_load(
    tmp_path: Path, builtin: Path, cache_home: Path
) -> None:
    load_ruleset(str(tmp_path), builtin=builtin, user_file=tmp_path / "n")
    for entry in cache_home.glob("rules-*"):
        entry.write_bytes(b"garbage")
    assert load_ruleset(str(tmp_path), builtin=builtin, user_file=tmp_path / "n").get("t.one")


def test_cache_refuses_a_planted_pickle(tmp_path: Path, builtin: Path, cache_home: Path) -> None:
    import pickle

    load_ruleset(str(tmp_path), builtin=builtin, user_file=tmp_path / "n")
    for entry in cache_home.glob("rules-*"):
        entry.write_bytes(pickle.dumps(print))
    assert load_ruleset(str(tmp_path), builtin=builtin, user_file=tmp_path / "n").get("t.one")


def test_a_load_for_judging_has_the_same_rules_without_their_examples(
    tmp_path: Path, builtin: Path, cache_home: Path
) -> None:
    user_file = tmp_path / "n"
    full = load_ruleset(str(tmp_path), builtin=builtin, user_file=user_file)
    for _ in range(2):  # built, then from the cache
        judging = load_ruleset(str(tmp_path), builtin=builtin, user_file=user_file, examples=False)
        rule = judging.get("t.one")
        assert rule is not None and rule.match == () and rule.not_match == ()
        assert judging.fingerprint == full.fingerprint
        assert [r.id for r in judging.rules] == [r.id for r in full.rules]
    warm = load_ruleset(str(tmp_path), builtin=builtin, user_file=user_file)
    assert warm == full and warm.get("t.one").match  # type: ignore[union-attr]


def test_a_cached_ruleset_whose_examples_are_missing_is_built_again_for_them(
    tmp_path: Path, builtin: Path, cache_home: Path
) -> None:
    user_file = tmp_path / "n"
    full = load_ruleset(str(tmp_path), builtin=builtin, user_file=user_file)
    for entry in cache_home.glob("examples-*"):
        entry.unlink()
    assert load_ruleset(str(tmp_path), builtin=builtin, user_file=user_file) == full


def test_a_rules_file_edited_and_its_times_set_back_is_read_again(
    tmp_path: Path, builtin: Path, cache_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # As if every file were old enough to be known by its identity: an edit that keeps the
    # size and mtime still changes the ctime, and with it the cache key.
    from safesh.rules import reading

    monkeypatch.setattr(reading, "RACY_SECONDS", 0.0)
    user_file = tmp_path / "n"
    assert load_ruleset(str(tmp_path), builtin=builtin, user_file=user_file).get("t.one")
    before = builtin.stat()
    time.sleep(0.05)  # past the filesystem's timestamp granularity
    swapped = RULE.format(id="t.ttt", command="one")
    assert len(swapped) == before.st_size
    write(builtin, swapped)
    os.utime(builtin, ns=(before.st_atime_ns, before.st_mtime_ns))
    loaded = load_ruleset(str(tmp_path), builtin=builtin, user_file=user_file)
    assert loaded.get("t.ttt") is not None and loaded.get("t.one") is None
