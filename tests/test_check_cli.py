"""`safesh check` and the Python API report without running anything."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

import safesh


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    return {
        **{k: v for k, v in os.environ.items() if not k.startswith(("SAFESH_", "XDG_"))},
        "HOME": str(tmp_path / "home"),
        "XDG_CONFIG_HOME": str(tmp_path / "config"),
        "XDG_STATE_HOME": str(tmp_path / "state"),
        "XDG_CACHE_HOME": str(tmp_path / "cache"),
    }


def run_check(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "safesh", "check", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        stdin=subprocess.DEVNULL,
    )


def test_json_report_lists_every_nested_command_with_its_rules(env: dict[str, str]) -> None:
    result = run_check("--json", "echo ok && sudo bash -c 'rm -rf /'", env=env)
    report = json.loads(result.stdout)
    assert report["decision"] == "block"
    argvs = [c["argv"] for c in report["commands"]]
    assert ["echo", "ok"] in argvs
    assert ["rm", "-rf", "/"] in argvs
    rm = next(c for c in report["commands"] if c["argv"][0] == "rm")
    assert rm["via"] == ["sudo", "bash -c"]
    assert rm["decision"] == "block"
    assert all({"id", "tier", "reason"} <= set(rule) for rule in rm["rules"])
    assert rm["rules"]


def test_json_report_spans_point_into_the_line(env: dict[str, str]) -> None:
    line = "ls; git push -f origin main"
    report = json.loads(run_check("--json", line, env=env).stdout)
    push = next(c for c in report["commands"] if c["argv"][0] == "git")
    start, end = push["span"]
    assert line[start:end] == "git push -f origin main"


def test_check_exit_code_says_whether_it_would_run(env: dict[str, str]) -> None:
    assert run_check("ls -la", env=env).returncode == 0
    assert run_check("terraform destroy", env=env).returncode == 77


def test_human_output_names_the_decision_and_rule(env: dict[str, str]) -> None:
    result = run_check("kubectl delete namespace prod", env=env)
    assert result.stdout.startswith(("ASK", "BLOCK"))
    assert "k8s." in result.stdout


def test_cwd_option_sets_where_paths_are_judged(env: dict[str, str], tmp_path: Path) -> None:
    inside = json.loads(run_check("--json", "--cwd", str(tmp_path), "rm -rf build", env=env).stdout)
    assert inside["cwd"] == str(tmp_path)
    assert inside["decision"] in {"allow", "notify"}


def test_python_api_matches_the_json(env: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("HOME", "XDG_CONFIG_HOME", "XDG_STATE_HOME", "XDG_CACHE_HOME"):
        monkeypatch.setenv(name, env[name])
    report = safesh.check("git push --force origin main", cwd="/tmp")
    assert report.decision == "ask"
    cli = json.loads(
        run_check("--json", "--cwd", "/tmp", "git push --force origin main", env=env).stdout
    )
    assert report.to_dict() == cli


@pytest.mark.parametrize(
    "line",
    [
        'git commit -m "fix rm -rf handling"',
        "echo 'DROP TABLE users'",
        "cat > notes.md <<'EOF'\nrm -rf /\nEOF\n",
        "grep -rn 'terraform destroy' docs/",
    ],
)
def test_data_that_mentions_danger_is_not_danger(line: str) -> None:
    assert safesh.check(line, cwd="/tmp").decision in {"allow", "notify"}


@pytest.mark.parametrize(
    "line",
    [
        "$CMD -rf /",
        "$(echo rm) -rf /tmp/x",
        'eval "$PAYLOAD"',
    ],
)
def test_a_command_word_that_is_not_static_asks(line: str) -> None:
    assert safesh.check(line, cwd="/tmp").decision == "ask"
