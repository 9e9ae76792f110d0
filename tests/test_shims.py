"""`safesh shims DIR`: `bash` / `sh` shims that route through safesh and otherwise behave like
the real shell (arguments, stdin, exit status), found through a real PATH."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

from safesh.cli.commands.shims import (
    MAX_DEPTH,
    command,
    find_real_shell,
    is_shim,
    plan_shims,
    render_shim,
    shim_launcher,
    write_shims,
)
from safesh.execute import real_shell_of

SYSTEM_PATH = os.environ.get("PATH", os.defpath)


def stand_in(tmp_path: Path, body: str) -> Path:
    """A stand-in for safesh, so the shim mechanism is tested on its own."""
    path = tmp_path / "fake-safesh"
    path.write_text("#!/bin/sh\n" + body + "\n")
    path.chmod(0o755)
    return path


@pytest.fixture
def shim_dir(tmp_path: Path) -> Path:
    """Shims whose 'safesh' just execs the real shell it was given."""
    directory = tmp_path / "shims"
    directory.mkdir()
    fake = stand_in(tmp_path, 'exec "$SAFESH_REAL_SHELL" "$@"')
    write_shims(plan_shims(directory, SYSTEM_PATH, (str(fake),)))
    return directory


def run(
    directory: Path, argv: list[str], stdin: str = "", **env: str
) -> subprocess.CompletedProcess[str]:
    environment = {**os.environ, "PATH": f"{directory}{os.pathsep}{SYSTEM_PATH}", **env}
    return subprocess.run(
        argv,
        input=stdin,
        capture_output=True,
        text=True,
        env=environment,
        cwd=directory.parent,  # a scratch directory: a refused line must have nothing to harm
        timeout=60,
        start_new_session=True,  # no controlling terminal: safesh cannot prompt
    )


# ------------------------------------------------------------------ the shim mechanism


def test_bash_by_name_reaches_the_shim(shim_dir: Path) -> None:
    result = run(shim_dir, ["bash", "-c", 'echo "$SAFESH_SHIM_DEPTH"'])
    assert result.stdout == "1\n"


def test_bash_c_prints_and_keeps_the_exit_status(shim_dir: Path) -> None:
    result = run(shim_dir, ["bash", "-c", "echo hi; exit 3"])
    assert (result.stdout, result.returncode) == ("hi\n", 3)


def test_arguments_pass_through_unchanged(shim_dir: Path) -> None:
    result = run(shim_dir, ["bash", "-c", 'printf "%s|" "$@"', "name", "a b", "", "*", "$HOME"])
    assert result.stdout == "a b||*|$HOME|"


def test_stdin_passes_through(shim_dir: Path) -> None:
    assert run(shim_dir, ["bash", "-c", "cat"], stdin="line 1\nline 2\n").stdout == (
        "line 1\nline 2\n"
    )


def test_a_script_on_stdin_runs(shim_dir: Path) -> None:
    assert run(shim_dir, ["bash"], stdin="echo from stdin\n").stdout == "from stdin\n"


def test_sh_behaves_like_the_real_sh(shim_dir: Path) -> None:
    probe = 'echo "${BASH_VERSION:-posix}"'
    real_sh = find_real_shell("sh", SYSTEM_PATH, shim_dir)
    assert real_sh is not None
    expected = subprocess.run([real_sh, "-c", probe], capture_output=True, text=True).stdout
    assert run(shim_dir, ["sh", "-c", probe]).stdout == expected


def test_the_real_shell_is_outside_the_shim_dir(shim_dir: Path) -> None:
    for name in ("bash", "sh"):
        real = real_shell_of((shim_dir / name).read_text())
        assert real is not None
        assert Path(real).parent != shim_dir
        assert not is_shim(Path(real))


def test_a_loop_back_into_the_shim_stops(tmp_path: Path) -> None:
    directory = tmp_path / "shims"
    directory.mkdir()
    # A 'safesh' that ignores SAFESH_REAL_SHELL and runs `bash` by name would loop forever.
    looping = stand_in(tmp_path, 'exec bash "$@"')
    write_shims(plan_shims(directory, SYSTEM_PATH, (str(looping),)))
    result = run(directory, ["bash", "-c", "echo never"])
    assert result.returncode == 126
    assert f"re-entered {MAX_DEPTH} times" in result.stderr
    assert result.stdout == ""


def test_real_shell_search_skips_shims_in_other_directories(tmp_path: Path) -> None:
    first, second = tmp_path / "a", tmp_path / "b"
    first.mkdir()
    second.mkdir()
    fake = stand_in(tmp_path, "exit 0")
    write_shims(plan_shims(first, SYSTEM_PATH, (str(fake),)))
    search = f"{first}{os.pathsep}{SYSTEM_PATH}"
    real = find_real_shell("bash", search, second)
    assert real is not None and Path(real).parent != first


def test_real_shell_search_ignores_relative_path_entries(tmp_path: Path) -> None:
    (tmp_path / "bash").write_text("#!/bin/sh\n")
    (tmp_path / "bash").chmod(0o755)
    found = find_real_shell("bash", f".{os.pathsep}{SYSTEM_PATH}", tmp_path / "shims")
    assert found is not None and os.path.isabs(found)


def test_shims_are_recognised_by_the_shell_front() -> None:
    execute = pytest.importorskip("safesh.execute")
    text = render_shim("bash", "/bin/bash", ("/usr/bin/safesh",))
    assert execute.SHIM_MARKER in text.encode()[:512]


def test_launcher_for_a_checkout_does_not_leak_pythonpath() -> None:
    launcher = shim_launcher(("env", "PYTHONPATH=/src/x", "/usr/bin/python3", "-P", "-m", "safesh"))
    assert launcher[:3] == ("/usr/bin/python3", "-P", "-c")
    assert "'/src/x'" in launcher[3]
    assert not any("PYTHONPATH" in part for part in launcher)


# ------------------------------------------------------------------ the command


def test_command_writes_executable_shims(tmp_path: Path) -> None:
    directory = tmp_path / "new" / "shims"
    result = CliRunner().invoke(command, [str(directory)])
    assert result.exit_code == 0, result.output
    for name in ("bash", "sh"):
        assert os.access(directory / name, os.X_OK)
        assert is_shim(directory / name)
    assert "export PATH=" in result.output


def test_command_rewrites_its_own_shims(tmp_path: Path) -> None:
    directory = tmp_path / "shims"
    assert CliRunner().invoke(command, [str(directory)]).exit_code == 0
    assert CliRunner().invoke(command, [str(directory)]).exit_code == 0


def test_command_refuses_to_clobber_a_file_that_is_not_a_shim(tmp_path: Path) -> None:
    directory = tmp_path / "bin"
    directory.mkdir()
    (directory / "sh").write_text("#!/bin/sh\necho mine\n")
    result = CliRunner().invoke(command, [str(directory)])
    assert result.exit_code == 1
    assert "not a safesh shim" in result.output
    assert (directory / "sh").read_text() == "#!/bin/sh\necho mine\n"
    assert not (directory / "bash").exists()  # all or nothing


def test_command_refuses_to_replace_a_symlink_to_the_real_shell(tmp_path: Path) -> None:
    directory = tmp_path / "bin"
    directory.mkdir()
    real = shutil.which("bash")
    assert real is not None
    (directory / "bash").symlink_to(real)
    assert CliRunner().invoke(command, [str(directory)]).exit_code == 1
    assert (directory / "bash").is_symlink()


# ------------------------------------------------------------------ through the real safesh


@pytest.fixture
def real_shims(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    directory = tmp_path / "shims"
    monkeypatch.setattr("shutil.which", lambda name, *a, **k: None)  # use this checkout
    result = CliRunner().invoke(command, [str(directory)])
    assert result.exit_code == 0, result.output
    return directory


def isolated(tmp_path: Path) -> dict[str, str]:
    return {
        "HOME": str(tmp_path),
        "XDG_CONFIG_HOME": str(tmp_path / "config"),
        "XDG_STATE_HOME": str(tmp_path / "state"),
    }


def test_safesh_runs_an_allowed_bash_line_with_its_status(real_shims: Path, tmp_path: Path) -> None:
    result = run(real_shims, ["bash", "-c", "echo hi; exit 3"], **isolated(tmp_path))
    assert (result.stdout, result.returncode) == ("hi\n", 3), result.stderr


def test_safesh_passes_stdin_to_an_allowed_line(real_shims: Path, tmp_path: Path) -> None:
    result = run(real_shims, ["bash", "-c", "cat"], stdin="payload\n", **isolated(tmp_path))
    assert result.stdout == "payload\n", result.stderr


def test_safesh_runs_sh_lines_with_the_real_sh(real_shims: Path, tmp_path: Path) -> None:
    probe = 'echo "${BASH_VERSION:-posix}"'
    real_sh = real_shell_of((real_shims / "sh").read_text())
    assert real_sh is not None
    expected = subprocess.run([real_sh, "-c", probe], capture_output=True, text=True).stdout
    assert run(real_shims, ["sh", "-c", probe], **isolated(tmp_path)).stdout == expected


def test_safesh_refuses_a_line_that_needs_a_human(real_shims: Path, tmp_path: Path) -> None:
    marker = tmp_path / "ran"
    line = f"git push --force origin main; touch {marker}"
    result = run(real_shims, ["bash", "-c", line], **isolated(tmp_path))
    assert result.returncode == 77, result.stderr
    assert "git.push-force" in result.stderr
    assert not marker.exists()


def test_a_script_started_through_a_shim_runs_unjudged(real_shims: Path, tmp_path: Path) -> None:
    """Shebang scripts of installed tools (pyenv's wrappers) must keep working: a script the
    shim receives as `bash SCRIPT` is handed straight to the real shell."""
    script = tmp_path / "tool"
    script.write_text('#!/usr/bin/env bash\n"$@"\n')  # a dynamic command word: -c would ask
    script.chmod(0o755)
    result = run(real_shims, [str(script), "echo", "ran"], **isolated(tmp_path))
    assert (result.stdout, result.returncode) == ("ran\n", 0), result.stderr


def test_a_dynamic_bash_c_line_through_a_shim_is_still_judged(
    real_shims: Path, tmp_path: Path
) -> None:
    result = run(real_shims, ["bash", "-c", '"$@"', "x", "echo", "ran"], **isolated(tmp_path))
    assert result.returncode == 77, result.stderr
