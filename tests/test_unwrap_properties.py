"""Properties of the unwrap stage: an option cluster, a wrapper, a variable, an alias or a path
prefix never weakens a decision. Each test draws a destructive command, dresses it one of
those ways (or several), and checks the decision is at least the plain command's."""

from __future__ import annotations

import shlex

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from judgekit import decide

from safesh.model import Tier

SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


DESTRUCTIVE = [
    ("rm", ["-rf", "/"]),
    ("rm", ["-rf", "~"]),
    ("rm", ["-rf", "/etc"]),
    ("rm", ["-rf", "/srv/data"]),
    ("rm", ["-rf", "src"]),
    ("git", ["reset", "--hard"]),
    ("git", ["push", "--force", "origin", "main"]),
    ("git", ["push", "origin", "+main"]),
    ("git", ["clean", "-fdx"]),
    ("dd", ["if=/dev/zero", "of=/dev/sda"]),
    ("chmod", ["-R", "777", "/"]),
    ("find", ["/", "-name", "*.log", "-delete"]),
]
commands = st.sampled_from(DESTRUCTIVE)


def plain(command: tuple[str, list[str]]) -> str:
    program, args = command
    return shlex.join([program, *args])


def baseline(line: str) -> Tier:
    tier = decide(line)
    assert tier.severity >= Tier.ASK.severity, f"{line!r} is not stopped at all: {tier}"
    return tier


def assert_not_weaker(line: str, base: str) -> None:
    expected = baseline(base)
    got = decide(line)
    assert got.severity >= expected.severity, f"{line!r}: {got} < {expected} for {base!r}"


# -- option clusters ---------------------------------------------------------------------------

SHELLS = [
    "bash",
    "sh",
    "dash",
    "zsh",
    "ksh",
    "busybox sh",
    "/bin/bash",
    "/usr/bin/env bash",
    "bash.exe",
]
LETTERS = "euxvfhaBCEHPT"
VALUED = ["-o pipefail", "-o errexit", "+o posix", "-O extglob", "+O nullglob", "-o nounset"]
LONG = ["--norc", "--noprofile", "--posix", "--login"]


@st.composite
def shell_options(draw: st.DrawFn) -> list[str]:
    words: list[str] = []
    for _ in range(draw(st.integers(0, 3))):
        kind = draw(st.sampled_from(["cluster", "valued", "cluster-o", "long"]))
        if kind == "cluster":
            letters = draw(st.text(alphabet=LETTERS, min_size=1, max_size=4))
            words.append(draw(st.sampled_from(["-", "+"])) + letters)
        elif kind == "cluster-o":
            letters = draw(st.text(alphabet=LETTERS, min_size=1, max_size=3))
            value = draw(st.sampled_from(["pipefail", "errexit", "nounset"]))
            words += [f"-{letters}o", value]
        elif kind == "valued":
            words += draw(st.sampled_from(VALUED)).split()
        else:
            words.append(draw(st.sampled_from(LONG)))
    return words


@SETTINGS
@given(
    commands, st.sampled_from(SHELLS), shell_options(), st.sampled_from(["-c", "cluster", "first"])
)
def test_an_option_cluster_never_weakens_a_decision(
    command: tuple[str, list[str]], shell: str, options: list[str], where: str
) -> None:
    if shell.startswith("busybox") or shell.endswith("env bash"):
        options = [o for o in options if not o.startswith("--")]
    if where == "cluster":
        line = " ".join([shell, *options, "-ec", shlex.quote(plain(command))])
    elif where == "first":
        line = " ".join([shell, "-c", *options, shlex.quote(plain(command))])
    else:
        line = " ".join([shell, *options, "-c", shlex.quote(plain(command))])
    assert_not_weaker(line, plain(command))


@SETTINGS
@given(commands, st.sampled_from(SHELLS[:5]), shell_options())
def test_options_of_a_shell_reading_standard_input_never_weaken(
    command: tuple[str, list[str]], shell: str, options: list[str]
) -> None:
    options = [o for o in options if not o.startswith("--")] if shell != "bash" else options
    line = f"echo {shlex.quote(plain(command))} | {' '.join([shell, *options])}"
    assert_not_weaker(line, plain(command))


# -- wrappers --------------------------------------------------------------------------------

ARGV_WRAPPERS = [
    "runuser -u app --",
    "setsid -f",
    "flock /tmp/lock",
    "nohup",
    "watch -x",
    "docker exec -u root app",
    "docker compose exec app",
    "kubectl exec pod --",
    "sudo -u root",
    "timeout -k 5 10",
    "env -i A=1",
]
STRING_WRAPPERS = [
    "script -qc {} /dev/null",
    "runuser -l app -c {}",
    "flock /tmp/lock -c {}",
    "watch -n 5 {}",
    "vagrant ssh -c {}",
    "gcloud compute ssh vm --command {}",
    "docker exec app sh -c {}",
    "kubectl exec pod -- bash -euo pipefail -c {}",
    "bash <(echo {})",
    "echo {} | at now",
    "su -c {}",
]


@st.composite
def wrapped(draw: st.DrawFn) -> tuple[str, str]:
    command = draw(commands)
    line = plain(command)
    simple = True  # an argv wrapper wraps a simple command, not a whole pipeline
    for _ in range(draw(st.integers(1, 3))):
        if simple and draw(st.booleans()):
            line = f"{draw(st.sampled_from(ARGV_WRAPPERS))} {line}"
        else:
            wrapper = draw(st.sampled_from(STRING_WRAPPERS))
            line = wrapper.format(shlex.quote(line))
            simple = "|" not in wrapper and "<(" not in wrapper
    return plain(command), line


@SETTINGS
@given(wrapped())
def test_a_wrapper_never_weakens_a_decision(case: tuple[str, str]) -> None:
    base, line = case
    assert_not_weaker(line, base)


# -- variables -------------------------------------------------------------------------------

VARIABLE_FORMS = [
    lambda p, a: f"cmd=({shlex.join([p, *a])}); " + '"${cmd[@]}"',
    lambda p, a: f"set -- {shlex.join([p, *a])}; " + '"$@"',
    lambda p, a: 'run() { "$@"; }; run ' + shlex.join([p, *a]),
    lambda p, a: f"c={shlex.quote(shlex.join([p, *a]))}; $c",
    lambda p, a: f"t={shlex.quote(a[-1])}; {shlex.join([p, *a[:-1]])} " + '"$t"',
    lambda p, a: f"P={p}; $P {shlex.join(a)}",
    lambda p, a: 'f() { "$1" "${@:2}"; }; f ' + shlex.join([p, *a]),
    lambda p, a: f"{shlex.join([p, *a[:-1]])} " + "${X:-" + a[-1] + "}",
    lambda p, a: f"x=$(date); t={shlex.quote(a[-1])}; {shlex.join([p, *a[:-1]])} " + '"$t"',
    lambda p, a: f"t=build; t={shlex.quote(a[-1])}; {shlex.join([p, *a[:-1]])} " + '"$t"',
    lambda p, a: f"t={shlex.quote(a[-1])}; false && t=build; {shlex.join([p, *a[:-1]])} " + '"$t"',
]


@SETTINGS
@given(commands, st.sampled_from(VARIABLE_FORMS))
def test_a_variable_never_weakens_a_decision(command: tuple[str, list[str]], form: object) -> None:
    program, args = command
    if any("~" in a or "*" in a for a in args):
        args = [a.replace("~", "/home/user") for a in args]
        if any("*" in a for a in args):
            return  # a glob in quotes is no glob: the command would change, not its wrapping
    line = form(program, args)  # type: ignore[operator]
    assert_not_weaker(line, shlex.join([program, *args]))


# -- aliases ---------------------------------------------------------------------------------

ALIAS_FORMS = [
    lambda p, a: f"alias x={shlex.quote(shlex.join([p, *a]))}; x",
    lambda p, a: f"alias x={shlex.quote(p)}; x {shlex.join(a)}",
    lambda p, a: f"alias x={shlex.quote(shlex.join([p, *a[:1]]))}; x {shlex.join(a[1:])}",
    lambda p, a: f"f() {{ {shlex.join([p, *a])}; }}; f",
]
GIT_ALIAS_FORMS = [
    lambda a: f"git -c alias.x={shlex.quote(shlex.join(a))} x",
    lambda a: f"git -c alias.x={shlex.quote(a[0])} x {shlex.join(a[1:])}",
    lambda a: f"git config alias.x {shlex.quote(shlex.join(a))}; git x",
    lambda a: f"git -c alias.x={shlex.quote('!git ' + shlex.join(a))} x",
]


@SETTINGS
@given(commands, st.sampled_from(ALIAS_FORMS))
def test_an_alias_never_weakens_a_decision(command: tuple[str, list[str]], form: object) -> None:
    program, args = command
    assert_not_weaker(form(program, args), plain(command))  # type: ignore[operator]


@SETTINGS
@given(st.sampled_from([c for c in DESTRUCTIVE if c[0] == "git"]), st.sampled_from(GIT_ALIAS_FORMS))
def test_a_git_alias_never_weakens_a_decision(command: tuple[str, list[str]], form: object) -> None:
    assert_not_weaker(form(command[1]), plain(command))  # type: ignore[operator]


# -- path prefixes ---------------------------------------------------------------------------

PREFIXES = [
    "/usr/bin/{}",
    "/bin/{}",
    "./{}",
    "{}.exe",
    "{}.EXE",
    "C:\\\\msys64\\\\usr\\\\bin\\\\{}.exe",
    "C:/Git/usr/bin/{}.exe",
    "/c/Program\\ Files/Git/usr/bin/{}.exe",
    "\\{}",
    "'{}'",
]


@SETTINGS
@given(commands, st.lists(st.sampled_from(PREFIXES), min_size=1, max_size=2))
def test_a_path_prefix_never_weakens_a_decision(
    command: tuple[str, list[str]], spellings: list[str]
) -> None:
    program, args = command
    word = program
    for spelling in spellings[:1]:
        word = spelling.format(word)
    assert_not_weaker(f"{word} {shlex.join(args)}", plain(command))
