"""Lexical path classes (safesh/rules/paths.py)."""

from __future__ import annotations

import pytest

from safesh.model import Context
from safesh.rules.paths import classify_path

CTX = Context(cwd="/home/user/project", home="/home/user", repo_root="/home/user/project")


def classes(word: str, *, static: bool = True, context: Context = CTX) -> frozenset[str]:
    return classify_path(word, context, static=static)


@pytest.mark.parametrize("word", ["/", "/*", "/.", "//", "/usr/.."])
def test_root_spellings_are_root(word: str) -> None:
    assert "root" in classes(word)


@pytest.mark.parametrize("word", ["~", "~/", "/home/user", "~bob"])
def test_home_spellings_are_home(word: str) -> None:
    assert "home" in classes(word)


@pytest.mark.parametrize("word", ["$HOME", "${HOME}"])
def test_home_variables_are_home_even_when_not_static(word: str) -> None:
    assert classes(word, static=False) == {"home"}


@pytest.mark.parametrize(
    "word", ["~/.ssh", "~/.aws/credentials", "~/.kube", "~/.gnupg", "~/.config/x"]
)
def test_credential_dirs_in_home_are_home_dotdir(word: str) -> None:
    assert "home-dotdir" in classes(word)


def test_plain_home_subdir_is_outside_repo_not_home() -> None:
    assert classes("~/Documents") == {"outside-repo", "outside-cwd"}


@pytest.mark.parametrize(
    "word", ["/etc", "/usr/lib", "/bin", "/boot", "/var", "/lib64", "/opt/x", "/proc/1"]
)
def test_system_directories_are_system(word: str) -> None:
    assert "system" in classes(word)


@pytest.mark.parametrize("word", ["/tmp", "/var/tmp"])
def test_the_temp_directory_itself_is_system(word: str) -> None:
    assert classes(word) == {"system"}


@pytest.mark.parametrize("word", ["/dev/sda", "/dev/nvme0n1", "/dev/sdb1", "/dev/mapper/root"])
def test_block_devices_are_device(word: str) -> None:
    assert classes(word) == {"device"}


@pytest.mark.parametrize("word", ["/dev/null", "/dev/zero", "/dev/stdout", "/dev/fd/3"])
def test_pseudo_devices_are_no_danger(word: str) -> None:
    assert "device" not in classes(word)


@pytest.mark.parametrize("word", [".git", ".git/refs/heads", "./.git"])
def test_repository_git_dir_is_git_dir(word: str) -> None:
    assert classes(word) == {"git-dir"}


def test_parent_escape_is_flagged_when_leaving_cwd() -> None:
    assert {"parent-escape", "outside-repo", "outside-cwd"} <= classes("../other")


def test_dotdot_that_stays_inside_cwd_is_not_an_escape() -> None:
    assert classes("src/../lib") == {"project"}


@pytest.mark.parametrize("word", ["*", ".*", "./*", "~/*", "/*"])
def test_whole_directory_globs_are_glob_all(word: str) -> None:
    assert "glob-all" in classes(word)


@pytest.mark.parametrize("word", ["build/*", "*.log", "src/*.py"])
def test_narrower_globs_are_not_glob_all(word: str) -> None:
    assert "glob-all" not in classes(word)


@pytest.mark.parametrize("word", ["/tmp/build-123", "/var/tmp/x", "$TMPDIR/y"])
def test_scratch_paths_are_temp(word: str) -> None:
    assert classes(word, static="$" not in word) == {"temp"}


@pytest.mark.parametrize(
    "word",
    ["build", "dist/x", "node_modules", "target", "pkg/__pycache__", ".pytest_cache",
     ".mypy_cache", "coverage", ".next", "out", "foo.egg-info"],
)  # fmt: skip
def test_regenerable_dirs_inside_project_are_build_output(word: str) -> None:
    assert classes(word) == {"build-output"}


def test_build_named_dir_outside_project_is_not_build_output() -> None:
    assert "build-output" not in classes("/srv/other/build")


def test_ordinary_project_file_is_project() -> None:
    assert classes("notes.txt") == {"project"}


def test_non_static_word_is_unknown() -> None:
    assert classes("$DIR", static=False) == {"unknown"}


def test_relative_path_after_unknown_cd_is_unknown() -> None:
    assert classify_path("src", CTX, cwd_known=False) == {"unknown"}


def test_relative_path_uses_the_commands_cwd() -> None:
    assert classify_path("x", CTX, cwd="/srv/data") == {"system"}


def test_cwd_that_is_root_is_no_project() -> None:
    context = Context(cwd="/", home="/home/user")
    assert classes("etc", context=context) == {"system"}


def test_project_under_tmp_is_project_not_temp() -> None:
    context = Context(cwd="/tmp/proj", home="/home/user", repo_root="/tmp/proj")
    assert classes("src", context=context) == {"project"}


def test_subdir_of_repo_outside_cwd_is_project_and_outside_cwd() -> None:
    context = Context(cwd="/r/sub", home="/home/user", repo_root="/r")
    assert classes("../other", context=context) == {"project", "outside-cwd", "parent-escape"}


def test_a_home_under_a_temp_directory_is_not_scratch() -> None:
    context = Context(cwd="/tmp/ci-home", home="/tmp/ci-home")
    classes = classify_path("build", context)
    assert "temp" not in classes
    assert "outside-repo" in classes


def test_temp_paths_outside_the_home_stay_scratch() -> None:
    context = Context(cwd="/tmp/ci-home", home="/tmp/ci-home")
    assert "temp" in classify_path("/tmp/other/build", context)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("/{etc,usr}", ["/etc", "/usr"]),
        ("a{b,c}d", ["abd", "acd"]),
        ("{1..3}", ["{1..3}"]),
        ("${HOME}/x", ["${HOME}/x"]),
        ("plain", ["plain"]),
    ],
)
def test_brace_expansion(text: str, expected: list[str]) -> None:
    from safesh.rules.paths import expand_braces

    assert expand_braces(text) == expected


def test_a_brace_expansion_has_the_classes_of_every_path_it_names() -> None:
    context = Context(cwd="/home/user/project", home="/home/user", repo_root="/home/user/project")
    classes = classify_path("/{tmp/x,etc}", context)
    assert {"temp", "system"} <= classes


@pytest.mark.parametrize("word", ['"$PWD/build"', "$(pwd)/build", "${PWD}/build"])
def test_the_working_directory_variable_names_the_working_directory(word: str) -> None:
    context = Context(cwd="/home/user/project", home="/home/user", repo_root="/home/user/project")
    assert "build-output" in classify_path(word, context, static=False)


def test_the_working_directory_variable_is_unknown_where_the_directory_is() -> None:
    context = Context(cwd="/home/user/project", home="/home/user", repo_root="/home/user/project")
    assert "unknown" in classify_path("$PWD/build", context, static=False, cwd_known=False)
