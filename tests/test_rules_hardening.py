"""The rules fail closed (issue 9): a planted cache, an oversized project file, a broken rules
file or a copied trusted file never let a command through that the rules would stop."""

from __future__ import annotations

import io
import json
import marshal
import os
import pickle
import re
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path

import pytest
from human_terminal import in_a_terminal, needs_human_session
from userkit import safesh, user_environment

from safesh.api import Report
from safesh.api import check as api_check
from safesh.rules import RulesError, load_ruleset
from safesh.rules import cache as rules_cache
from safesh.rules.lines import Where
from safesh.rules.loader import builtin_rules_file
from safesh.rules.reading import read_sources
from safesh.rules.schema import RuleSet
from safesh.sealed import seal

REFUSED = 77
ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).parent / "fixtures" / "agent-protocols"
STUBBED = ("rm", "dd", "mkfs", "mkfs.ext4", "shred", "wipefs", "terraform", "kubectl", "git")

RULE = """
[[rule]]
id = "proj.rule-{n}"
command = ["tool{n}"]
reversible = false
blast = "project"
reason = "Rule {n}."
match = ["tool{n} --go"]
"""


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """A user with empty config, state and cache directories (for this process too), no
    terminal, and stubs in place of destructive programs."""
    env = user_environment(tmp_path, STUBBED)
    for name in ("HOME", "XDG_CONFIG_HOME", "XDG_STATE_HOME", "XDG_CACHE_HOME"):
        monkeypatch.setenv(name, env[name])
    return env


def user_rules(env: Mapping[str, str]) -> Path:
    path = Path(env["XDG_CONFIG_HOME"]) / "safesh" / "rules.toml"
    path.parent.mkdir(parents=True, exist_ok=True)
    return path


def workdir(tmp_path: Path, name: str = "work") -> Path:
    directory = tmp_path / name
    directory.mkdir(parents=True, exist_ok=True)
    return directory


# -- the cache (item 3) -------------------------------------------------------------------------


def cache_file_for(cwd: Path) -> tuple[str, Path]:
    """The cache key and file a load of the rules for `cwd` would use (this user, no trust)."""
    key = rules_cache.cache_key(read_sources(str(cwd), None, None, frozenset()))
    return key, rules_cache.cache_path(key)


def marker_shell(tmp_path: Path) -> Path:
    shell = tmp_path / "planted-shell"
    shell.write_text(f'#!/bin/sh\necho "$*" >> "{tmp_path}/planted-ran"\n')
    shell.chmod(0o755)
    return shell


def test_a_planted_cache_with_no_rules_and_a_shell_setting_does_not_take_effect(
    tmp_path: Path, env: dict[str, str]
) -> None:
    cwd = workdir(tmp_path)
    _key, path = cache_file_for(cwd)
    path.parent.mkdir(parents=True, exist_ok=True)
    planted = RuleSet(rules=(), settings=(("shell", str(marker_shell(tmp_path))),))
    path.write_bytes(pickle.dumps(planted))
    result = safesh("-c", "terraform destroy", env=env, cwd=cwd)
    assert result.returncode == REFUSED, result.stderr
    assert "iac.destroy" in result.stderr
    assert not (tmp_path / "planted-ran").exists()
    assert not (tmp_path / "stub-ran").exists()


def test_a_cache_file_in_the_cache_format_but_not_sealed_by_this_user_is_rebuilt(
    tmp_path: Path, env: dict[str, str]
) -> None:
    cwd = workdir(tmp_path)
    load_ruleset(str(cwd))  # makes the secret and a genuine cache file
    key, path = cache_file_for(cwd)
    head, body = rules_cache._encode(RuleSet(rules=()))
    length = len(head).to_bytes(4, "big")
    path.write_bytes(rules_cache._MAGIC + os.urandom(32) + length + head + body)
    assert rules_cache.read(key, examples=False) is None
    assert load_ruleset(str(cwd)).get("fs.rm-root") is not None


@pytest.mark.parametrize("what", ["file", "directory"])
def test_a_cache_others_may_write_is_not_used(
    tmp_path: Path, env: dict[str, str], what: str
) -> None:
    cwd = workdir(tmp_path)
    key, path = cache_file_for(cwd)
    rules_cache.write(key, RuleSet(rules=()))  # sealed by us: only the permissions are wrong
    assert rules_cache.read(key) is not None
    (path if what == "file" else path.parent).chmod(0o777 if what == "directory" else 0o666)
    assert rules_cache.read(key) is None
    assert load_ruleset(str(cwd)).get("fs.rm-root") is not None


def test_a_cache_file_that_is_a_link_is_not_used(tmp_path: Path, env: dict[str, str]) -> None:
    cwd = workdir(tmp_path)
    key, path = cache_file_for(cwd)
    rules_cache.write(key, RuleSet(rules=()))
    target = tmp_path / "elsewhere.pickle"
    path.rename(target)
    path.symlink_to(target)
    assert rules_cache.read(key) is None


def test_a_secret_others_can_read_disables_the_cache(tmp_path: Path, env: dict[str, str]) -> None:
    cwd = workdir(tmp_path)
    load_ruleset(str(cwd))
    secret = Path(env["XDG_STATE_HOME"]) / "safesh" / "cache.key"
    assert secret.stat().st_mode & 0o777 == 0o600
    secret.chmod(0o644)
    key, _path = cache_file_for(cwd)
    assert rules_cache.read(key) is None


def test_settings_are_read_from_the_users_file_never_from_the_cache(
    tmp_path: Path, env: dict[str, str]
) -> None:
    cwd = workdir(tmp_path)
    user_rules(env).write_text('[settings]\nshell = "/bin/bash"\n')
    cold = load_ruleset(str(cwd))
    warm = load_ruleset(str(cwd))
    assert cold.setting("shell") == warm.setting("shell") == "/bin/bash"
    _key, path = cache_file_for(cwd)
    assert b"/bin/bash" not in path.read_bytes()
    user_rules(env).write_text("")  # a different user file: a different cache key as well
    assert load_ruleset(str(cwd)).setting("shell") is None


def test_a_sealed_cache_holding_settings_is_refused(tmp_path: Path, env: dict[str, str]) -> None:
    cwd = workdir(tmp_path)
    load_ruleset(str(cwd))
    key, path = cache_file_for(cwd)
    secret = (Path(env["XDG_STATE_HOME"]) / "safesh" / "cache.key").read_bytes()
    head, body = rules_cache._encode(RuleSet(rules=()))
    fields = list(marshal.loads(head))
    fields[0] = {**fields[0], "settings": (("shell", "/tmp/evil"),)}
    head = marshal.dumps(tuple(fields))
    length = len(head).to_bytes(4, "big")
    sealed = seal(secret, rules_cache._HEAD + key, head)
    path.write_bytes(rules_cache._MAGIC + sealed + length + head + body)
    assert rules_cache.read(key) is None and rules_cache.read(key, examples=False) is None
    assert load_ruleset(str(cwd)).setting("shell") is None


# -- project file caps and linear loading (item 6) ---------------------------------------------


def project_file(directory: Path, text: str) -> Path:
    path = directory / ".safesh.toml"
    path.write_text(text)
    return path


def test_a_project_file_over_the_rule_cap_is_a_clear_error(
    tmp_path: Path, env: dict[str, str]
) -> None:
    cwd = workdir(tmp_path)
    project_file(cwd, "".join(RULE.format(n=n) for n in range(3000)))
    with pytest.raises(RulesError) as caught:
        load_ruleset(str(cwd), use_cache=False)
    assert "at most 1000 rules" in str(caught.value) and ".safesh.toml" in str(caught.value)


def test_a_project_file_at_the_rule_cap_loads(tmp_path: Path, env: dict[str, str]) -> None:
    cwd = workdir(tmp_path)
    project_file(cwd, "".join(RULE.format(n=n) for n in range(1000)))
    ruleset = load_ruleset(str(cwd), use_cache=False)
    rule = ruleset.get("proj.rule-999")
    assert rule is not None and rule.line == 999 * 8 + 3  # eight lines a rule, `id` third


def test_a_project_file_over_the_size_cap_is_a_clear_error(
    tmp_path: Path, env: dict[str, str]
) -> None:
    cwd = workdir(tmp_path)
    project_file(cwd, "# padding\n" * 200_000)
    with pytest.raises(RulesError) as caught:
        load_ruleset(str(cwd), use_cache=False)
    assert "at most 1024 KiB" in str(caught.value)


def test_an_oversized_project_file_fails_closed(tmp_path: Path, env: dict[str, str]) -> None:
    cwd = workdir(tmp_path)
    project_file(
        cwd, 'disable_packs = ["fs", "disk"]\n' + "".join(RULE.format(n=n) for n in range(1500))
    )
    assert api_check("ls", cwd=str(cwd)).decision == "ask"
    assert api_check("rm -rf /", cwd=str(cwd)).decision == "block"


def test_line_lookups_agree_with_their_patterns_on_the_builtin_rules() -> None:
    """The one-pass indexes give the first line each documented pattern matches."""
    path = builtin_rules_file()
    text = path.read_text()
    where = Where(path, text)
    lines = text.splitlines()

    def first(pattern: str) -> int | None:
        regex = re.compile(pattern)
        return next((n for n, line in enumerate(lines, 1) if regex.search(line)), None)

    ids = re.findall(r'^id = "([^"]+)"', text, flags=re.M)
    keys = {
        *re.findall(r"^\[+([^\]]+)\]+", text, flags=re.M),
        *re.findall(r"^(\w+) =", text, flags=re.M),
    }
    assert ids and keys
    for rule_id in ids:
        assert where.rule(rule_id) == first(rf"^\s*id\s*=\s*[\"']{re.escape(rule_id)}[\"']")
    for key in keys:
        assert where.key(key) == first(rf"^\s*(\[+\s*)?[\"']?{re.escape(key)}[\"']?\s*[=\].]")
        assert where.quoted_key(key) == first(rf"^\s*[\"']?{re.escape(key)}[\"']?\s*=")


# -- a broken rules file keeps the built-in blocks (item 7) ------------------------------------


def claude_payload(command: str, cwd: Path) -> str:
    data = json.loads((FIXTURES / "claude-pretooluse-input.json").read_text())
    data["cwd"] = str(cwd)
    data["tool_input"]["command"] = command
    return json.dumps(data)


def claude_decision(result: subprocess.CompletedProcess[str]) -> str:
    return str(json.loads(result.stdout)["hookSpecificOutput"]["permissionDecision"])


@pytest.mark.parametrize("broken", ["user", "project"])
@pytest.mark.parametrize(
    ("line", "decision"),
    [
        ("mkfs.ext4 /dev/sda", "deny"),
        ("rm -rf /", "deny"),
        ("git push --force", "ask"),
        ("ls", "ask"),
    ],
)
def test_with_a_broken_rules_file_the_hook_still_denies_what_the_builtin_rules_block(
    tmp_path: Path, env: dict[str, str], broken: str, line: str, decision: str
) -> None:
    cwd = workdir(tmp_path)
    target = user_rules(env) if broken == "user" else cwd / ".safesh.toml"
    target.write_text("[[rule]\nid = \n")
    result = safesh("hook", "claude-code", env=env, cwd=cwd, stdin=claude_payload(line, cwd))
    assert claude_decision(result) == decision


def test_with_a_broken_project_file_the_users_own_blocks_still_hold(
    tmp_path: Path, env: dict[str, str]
) -> None:
    cwd = workdir(tmp_path)
    user_rules(env).write_text('[overrides]\n"git.push-force" = "block"\n')
    project_file(cwd, "profile = \n")
    assert api_check("git push --force", cwd=str(cwd)).decision == "block"


def test_with_broken_rules_the_interactive_shell_never_offers_a_blocked_line(
    tmp_path: Path, env: dict[str, str]
) -> None:
    from safesh.interactive.bash_session import RunResult
    from safesh.interactive.repl import AuditTrail, Session
    from safesh.parse import parse_line

    work = workdir(tmp_path)
    user_rules(env).write_text("[[rule]\n")
    ran: list[str] = []
    out = io.StringIO()
    lines = iter(["mkfs.ext4 /dev/sda"])

    class Runner:
        def __init__(self) -> None:
            self.cwd = str(work)
            self.env = {"HOME": str(tmp_path / "home")}

        def run(self, text: str) -> RunResult:
            ran.append(text)
            return RunResult(0, exited=text.startswith("exit"))

        def show_pending(self) -> None:
            pass

        def set_status(self, _status: int) -> None:
            pass

    def check(text: str, directory: str, environment: Mapping[str, str]) -> Report:
        return api_check(text, cwd=directory, env=environment)

    def read_line(_prompt: str) -> str:
        try:
            return next(lines)
        except StopIteration:
            raise EOFError from None

    class NoStore:
        def record(self, _event: object) -> int:
            return 1

        def finish(self, *_args: object) -> None:
            pass

        def close(self) -> None:
            pass

    session = Session(
        check=check,
        parse=parse_line,
        runner=Runner(),
        read_line=read_line,
        out=out,
        tty_in=io.StringIO("y\n"),
        tty_out=out,
        audit=AuditTrail(warn=out.write, open_store=NoStore),
        dry_run=False,
    )
    session.loop()
    assert [text for text in ran if not text.startswith("exit")] == []
    assert "[y/N]" not in out.getvalue() and "disk.mkfs" in out.getvalue()


# -- trust binds the place and the content ------------------------------------------------------


def trust_as_human(env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    """`safesh trust` typed by a human in a terminal of their own (an agent cannot trust)."""
    return in_a_terminal([sys.executable, "-m", "safesh", "trust"], env, cwd=cwd)


@needs_human_session
def test_a_trusted_project_file_copied_elsewhere_is_not_trusted(
    tmp_path: Path, env: dict[str, str]
) -> None:
    text = '[overrides]\n"git.push-force" = "allow"\n'
    trusted_repo = workdir(tmp_path, "trusted")
    other_repo = workdir(tmp_path, "other")
    project_file(trusted_repo, text)
    assert trust_as_human(env, trusted_repo).returncode == 0
    project_file(other_repo, text)

    def decision(cwd: Path) -> str:
        result = safesh("check", "--json", "git push --force", env=env, cwd=cwd)
        return str(json.loads(result.stdout)["decision"])

    assert decision(trusted_repo) == "allow"
    assert decision(other_repo) == "ask"


@needs_human_session
def test_a_link_to_a_trusted_project_file_is_not_trusted(
    tmp_path: Path, env: dict[str, str]
) -> None:
    trusted_repo = workdir(tmp_path, "trusted")
    other_repo = workdir(tmp_path, "other")
    original = project_file(trusted_repo, '[overrides]\n"git.push-force" = "allow"\n')
    assert trust_as_human(env, trusted_repo).returncode == 0
    (other_repo / ".safesh.toml").symlink_to(original)
    assert api_check("git push --force", cwd=str(other_repo)).decision == "ask"
