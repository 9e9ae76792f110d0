"""The matcher (safesh/rules/match.py) on hand-built Commands."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from safesh.model import Command, Context, Redirect, Span, Tier, Word
from safesh.rules import RuleSet, classify, load_ruleset
from safesh.rules.loader import validate_file
from safesh.rules.match import parse_args
from safesh.rules.schema import Conditions, Rule, ToolSpec

CTX = Context(cwd="/home/user/project", home="/home/user", repo_root="/home/user/project")


def cmd(*argv: str, **fields: object) -> Command:
    words = tuple(Word(a, a, Span(0, 0), static="$" not in a) for a in argv)
    return Command(
        name=argv[0], argv=argv, words=words, span=Span(0, 0), source=" ".join(argv), **fields
    )  # type: ignore[arg-type]


def rule(rule_id: str = "t.rule", **conditions: object) -> Rule:
    return Rule(
        id=rule_id, pack="t", reason="r", conditions=Conditions(**conditions),  # type: ignore[arg-type]
        tier=Tier.ASK, reversible=False, blast="shared",
    )  # fmt: skip


def ids(command: Command, ruleset: RuleSet) -> list[str]:
    return [f.rule_id for f in classify((command,), CTX, ruleset)]


def matches(subject: Command, **conditions: object) -> bool:
    return bool(ids(subject, RuleSet(rules=(rule(**conditions),))))


@pytest.fixture(scope="module")
def builtin() -> RuleSet:
    return validate_file(Path(__file__).resolve().parent.parent / "rules.toml")


# -- option normalisation ----------------------------------------------------------------------


def test_short_cluster_is_split() -> None:
    assert {"-r", "-f"} <= parse_args(("rm", "-rf", "x"), ToolSpec()).flags


def test_long_option_value_is_dropped_from_the_flag() -> None:
    args = parse_args(("x", "--force=yes"), ToolSpec())
    assert "--force" in args.flags and args.values == (("--force", "yes"),)


def test_double_dash_ends_options() -> None:
    args = parse_args(("rm", "--", "-rf"), ToolSpec())
    assert args.positional == (2,) and "-r" not in args.flags


def test_value_option_consumes_next_word() -> None:
    args = parse_args(("kubectl", "-n", "prod", "delete", "pod"), ToolSpec(frozenset({"-n"})))
    assert args.positional == (3, 4) and args.values == (("-n", "prod"),)


def test_short_value_option_ends_a_cluster() -> None:
    args = parse_args(("git", "commit", "-am", "msg", "x"), ToolSpec(frozenset({"-m"})))
    assert args.values == (("-m", "msg"),) and args.positional == (1, 4)


def test_short_value_option_glued_value() -> None:
    args = parse_args(("kubectl", "-nprod", "get"), ToolSpec(frozenset({"-n"})))
    assert args.values == (("-n", "prod"),)


def test_single_dash_long_tool_keeps_option_whole() -> None:
    args = parse_args(("find", "-name", "x", "-delete"), ToolSpec(frozenset({"-name"}), True))
    assert args.flags == {"-name", "-delete"} and args.positional == ()


# -- conditions --------------------------------------------------------------------------------


def test_command_glob() -> None:
    assert matches(cmd("mkfs.ext4", "/dev/sdb"), command=("mkfs*",))


def test_subcommand_skips_options_of_the_tool() -> None:
    ruleset = RuleSet(rules=(rule(command=("kubectl",), subcommand=("delete",)),),
                      tools=(("kubectl", ToolSpec(frozenset({"-n"}))),))  # fmt: skip
    assert ids(cmd("kubectl", "-n", "prod", "delete", "pod", "x"), ruleset) == ["t.rule"]


def test_subcommand_alternatives_with_bar() -> None:
    assert matches(cmd("git", "stash", "clear"), subcommand=("stash", "drop|clear"))


def test_flags_all_needs_every_flag() -> None:
    assert not matches(cmd("git", "branch", "-d", "x"), flags_all=("-d", "-f"))


def test_flags_none_vetoes() -> None:
    assert not matches(cmd("git", "clean", "-fn"), flags_any=("-f",), flags_none=("-n",))


def test_flag_with_value_glob() -> None:
    assert matches(cmd("kubectl", "scale", "--replicas=0"), flags_any=("--replicas=0",))
    assert not matches(cmd("kubectl", "scale", "--replicas=3"), flags_any=("--replicas=0",))


def test_args_are_the_words_after_the_subcommand() -> None:
    assert not matches(cmd("git", "push", "origin"), subcommand=("push",), args_any=("push",))


def test_args_none_vetoes() -> None:
    assert not matches(cmd("dd", "of=/dev/null"), args_any=("of=*",), args_none=("of=/dev/null",))


def test_paths_any_classifies_positional_words() -> None:
    assert matches(cmd("rm", "-rf", "build", "/etc"), paths_any=("system",))


def test_paths_all_needs_every_word() -> None:
    assert not matches(cmd("rm", "-rf", "build", "src"), paths_all=("build-output",))
    assert matches(cmd("rm", "-rf", "build", "dist"), paths_all=("build-output",))


def test_paths_all_fails_without_paths() -> None:
    assert not matches(cmd("rm", "-rf"), paths_all=("build-output",))


def test_redirect_paths_only_look_at_output_redirects() -> None:
    target = Word("/dev/sda", "/dev/sda", Span(0, 0))
    assert matches(cmd("cat", "x", redirects=(Redirect(">", target, Span(0, 0)),)),
                   redirect_paths_any=("device",))  # fmt: skip
    assert not matches(cmd("cat", redirects=(Redirect("<", target, Span(0, 0)),)),
                       redirect_paths_any=("device",))  # fmt: skip


def test_env_any_reads_assignments() -> None:
    assert matches(cmd("rails", "db:drop", assignments=(("RAILS_ENV", "production"),)),
                   env_any=("RAILS_ENV=prod*",))  # fmt: skip


def test_via_any_reads_the_wrapper_chain() -> None:
    assert matches(cmd("rm", "x", via=("ssh db1",)), via_any=("ssh *",))
    assert not matches(cmd("rm", "x"), via_any=("ssh *",))


def test_any_needs_one_table() -> None:
    tables = (Conditions(flags_any=("-f",)), Conditions(args_any=("+*",)))
    assert matches(cmd("git", "push", "origin", "+main"), any=tables)
    assert not matches(cmd("git", "push", "origin", "main"), any=tables)


def test_check_condition_runs_the_named_check() -> None:
    assert matches(cmd("$X", dynamic=True), check="dynamic-command")


def test_sql_condition_only_for_database_clients() -> None:
    assert not matches(cmd("echo", "DROP TABLE x"), sql_any=("drop",))
    assert matches(cmd("psql", "-c", "DROP TABLE x"), sql_any=("drop",))


# -- findings ----------------------------------------------------------------------------------


def test_finding_carries_rule_fields_and_evidence(builtin: RuleSet) -> None:
    (finding,) = [f for f in classify((cmd("git", "push", "-f", "origin", "main"),), CTX, builtin)]
    assert finding.rule_id == "git.push-force" and finding.tier is Tier.ASK
    assert finding.alternative == "git push --force-with-lease" and finding.pack == "git"
    assert finding.evidence == "git push -f"


def test_push_target_is_the_branch(builtin: RuleSet) -> None:
    (finding,) = classify((cmd("git", "push", "origin", "+main"),), CTX, builtin)
    assert finding.confirm == "type" and finding.target == "main"


def test_kubectl_target_is_namespace_and_resource(builtin: RuleSet) -> None:
    findings = classify((cmd("kubectl", "-n", "staging", "delete", "ns", "web"),), CTX, builtin)
    assert findings[0].target == "staging/web"


def test_s3_target_is_the_bucket(builtin: RuleSet) -> None:
    command = cmd("aws", "s3", "rm", "s3://logs-bucket/2024", "--recursive")
    assert classify((command,), CTX, builtin)[0].target == "logs-bucket"


def test_production_name_raises_a_shared_rule_to_production(builtin: RuleSet) -> None:
    (finding,) = classify(
        (cmd("kubectl", "--context", "prod-eu", "delete", "pod", "x"),), CTX, builtin
    )
    assert finding.tier is Tier.BLOCK


def test_production_pattern_matches_whole_tokens_only(builtin: RuleSet) -> None:
    (finding,) = classify((cmd("kubectl", "delete", "pod", "products-1"),), CTX, builtin)
    assert finding.tier is Tier.ASK


def test_disabled_pack_does_not_match(tmp_path: Path) -> None:
    user = tmp_path / "u.toml"
    user.write_text('disable_packs = ["git"]\n')
    ruleset = load_ruleset(str(tmp_path), user_file=user, use_cache=False)
    assert classify((cmd("git", "push", "-f"),), CTX, ruleset) == ()


def test_override_sets_the_finding_tier(tmp_path: Path) -> None:
    user = tmp_path / "u.toml"
    user.write_text('[overrides]\n"git.push-force" = "block"\n')
    ruleset = load_ruleset(str(tmp_path), user_file=user, use_cache=False)
    assert classify((cmd("git", "push", "-f"),), CTX, ruleset)[0].tier is Tier.BLOCK


def test_strict_profile_asks_for_unlisted_command() -> None:
    ruleset = RuleSet(rules=(), profile="strict", strict_allow=("ls", "git status"))
    (finding,) = classify((cmd("make"),), CTX, ruleset)
    assert finding.rule_id == "core.strict-not-allowed" and finding.tier is Tier.ASK


def test_strict_profile_allows_name_and_subcommand_prefix() -> None:
    ruleset = RuleSet(rules=(), profile="strict", strict_allow=("ls", "git status"))
    assert classify((cmd("ls", "-la"), cmd("git", "status", "-s")), CTX, ruleset) == ()
    assert len(classify((cmd("git", "push"),), CTX, ruleset)) == 1


@pytest.mark.parametrize(
    "argv",
    [("rm", "notes.txt"), ("rm", "-rf", "/tmp/build-123"), ("kubectl", "get", "pods"),
     ("terraform", "plan"), ("git", "push", "origin", "feature"),
     ("git", "push", "--force-with-lease"),
     ("git", "commit", "-m", "remove rm -rf"), ("echo", "DROP TABLE")],
)  # fmt: skip
def test_everyday_commands_pass(builtin: RuleSet, argv: tuple[str, ...]) -> None:
    assert classify((cmd(*argv),), CTX, builtin) == ()


@pytest.mark.parametrize(
    ("word", "pattern", "expected"),
    [
        ("git", "git", True),
        ("gitk", "git", False),
        ("delete-stack", "delete-*", True),
        ("delete-", "delete-*", True),
        ("undelete-x", "delete-*", False),
        ("mkfs.ext4", "mkfs*", True),
        ("x.tar.gz", "*.gz", True),
        ("ab", "a*b*", True),
        ("aXb", "a?b", True),
        ("a", "a*a", False),
        ("drop", "drop|clear", True),
        ("b", "[abc]", True),
        ("db-drop", "*[-_.]drop", True),
        ("true", "*[-_.]drop[-_.]*", False),
        ("model", "*[!o]del", False),
        ("[[", "[[][[]", True),
        ("x[", "x[", True),
        ("x]a", "x[]]a", True),
    ],
)
def test_glob_match_agrees_with_fnmatch(word: str, pattern: str, expected: bool) -> None:
    from fnmatch import fnmatchcase

    from safesh.rules.match import glob_match

    assert glob_match(word, pattern) is expected
    assert any(fnmatchcase(word, p) for p in pattern.split("|")) is expected


@given(
    word=st.text(alphabet="ab-.*[]!", max_size=6),
    pattern=st.text(alphabet="ab-.*?[]!", max_size=7),
)
def test_glob_match_fast_paths_never_disagree_with_fnmatch(word: str, pattern: str) -> None:
    from fnmatch import fnmatchcase

    from safesh.rules.match import glob_match

    assert glob_match(word, pattern) == any(fnmatchcase(word, p) for p in pattern.split("|"))


@pytest.mark.parametrize(
    "line",
    ["kubectl --token abc delete pod x", "kubectl --request-timeout 5s delete ns x"],
)
def test_an_unlisted_long_option_with_a_value_does_not_hide_the_subcommand(line: str) -> None:
    from safesh.analyze import analyze

    context = Context(cwd="/home/user/project", home="/home/user", repo_root="/home/user/project")
    analysis = analyze(line, context, load_ruleset(context.cwd, use_cache=False))
    assert "k8s.delete" in {f.rule_id for f in analysis.findings}


def test_an_unlisted_long_flag_without_a_value_keeps_the_subcommand() -> None:
    from safesh.analyze import analyze

    context = Context(cwd="/home/user/project", home="/home/user", repo_root="/home/user/project")
    analysis = analyze("git --no-pager log", context, load_ruleset(context.cwd, use_cache=False))
    assert analysis.decision is Tier.ALLOW


def _every_command_word(ruleset: RuleSet) -> set[str]:
    def words(cond: Conditions) -> set[str]:
        found = {p for g in (*cond.command, *cond.command_none) for p in g.split("|")}
        for sub in cond.any:
            found |= words(sub)
        return found

    names = {"true", "ls", "", "x"}
    for rule in ruleset.rules:
        for word in words(rule.conditions):
            names |= {word, word.replace("*", ""), word.replace("*", "zz").replace("?", "q")}
    return names


def test_a_rules_command_names_include_every_name_it_can_apply_to() -> None:
    from safesh.rules.match import _may_apply

    ruleset = load_ruleset(str(Path.cwd()))
    names = _every_command_word(ruleset)
    for rule in ruleset.rules:
        for name in names:
            if _may_apply(rule.conditions, name):
                assert rule.names is None or name in rule.names, (rule.id, name)


@given(
    commands=st.lists(st.sampled_from(["rm", "rm|rmdir", "git", "mkfs*", "kube?tl"]), max_size=2),
    subs=st.lists(st.sampled_from(["", "dd", "psql|mysql", "*sql*"]), max_size=2),
    name=st.sampled_from(["rm", "rmdir", "git", "mkfs.ext4", "kubectl", "dd", "psql", "mysqlsh"]),
)
def test_command_names_are_exactly_the_plainly_named_commands(
    commands: list[str], subs: list[str], name: str
) -> None:
    from safesh.rules.match import _may_apply
    from safesh.rules.schema import command_names

    cond = Conditions(
        command=tuple(commands),
        any=tuple(Conditions(command=(s,) if s else ()) for s in subs),
    )
    names = command_names(cond)
    if _may_apply(cond, name):
        assert names is None or name in names
    if names is not None:
        assert not any(ch in "*?[" for n in names for ch in n)
