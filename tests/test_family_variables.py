"""Family: argv that comes from variables, arrays, `set --`, positional parameters and
parameter expansions with defaults.

When the line fixes the value, the command is judged as it will run: the destructive form
stops and the benign twin passes. When the line does not fix it (a value from `$(…)`, `read`,
a loop, a branch that may not run), a destructive position asks: a variable never weakens a
decision.
"""

from __future__ import annotations

import pytest
from judgekit import decide, stops

from safesh.model import Context, Tier

# (destructive form, its benign twin)
STATIC = [
    ('cmd=(rm -rf /srv/data); "${cmd[@]}"', 'cmd=(pytest -q); "${cmd[@]}"'),
    (
        'cmd=(git push --force origin main); "${cmd[@]}"',
        'cmd=(git push origin feature); "${cmd[@]}"',
    ),
    ("cmd='rm -rf /srv/data'; $cmd", "cmd='make test'; $cmd"),
    ("CMD=rm; $CMD -rf /srv/data", "CMD=ls; $CMD -la /srv/data"),
    ('set -- rm -rf /srv/data; "$@"', 'set -- pytest -q; "$@"'),
    ('set -- /srv/data; rm -rf "$1"', 'set -- build; rm -rf "$1"'),
    ('run() { "$@"; }; run rm -rf /srv/data', 'run() { "$@"; }; run make test'),
    ('nuke() { rm -rf "$1"; }; nuke /srv/data', 'clean() { rm -rf "$1"; }; clean build'),
    ('f() { git push --force "$@"; }; f origin main', 'f() { git push "$@"; }; f origin main'),
    ('target=/srv/data; rm -rf "$target"', 'target=build; rm -rf "$target"'),
    ("d=/srv/data && rm -rf $d/*", "d=./dist && rm -rf $d"),
    ("export T=/srv/data; rm -rf ${T}", "export T=dist; rm -rf ${T}"),
    ('declare -a a=(/srv/data); rm -rf "${a[0]}"', 'declare -a a=(dist); rm -rf "${a[0]}"'),
    ('s="rm -rf /srv/data"; bash -c "$s"', 's="make test"; bash -c "$s"'),
    ("rm -rf ${TARGET:-/srv/data}", "rm -rf ${TMPDIR:-/tmp}/build"),
    ('f() { "$1" "${@:2}"; }; f rm -rf /srv/data', 'f() { "$1" "${@:2}"; }; f make test'),
    ('OUT=${OUT_DIR:-/srv/data}; rm -rf "$OUT"', 'OUT=${OUT_DIR:-dist}; rm -rf "$OUT"'),
    ('d=/srv; t="$d/data"; rm -rf "$t"', 'd=build; t="$d/out"; rm -rf "$t"'),
    ('a=(x rm -rf /srv/data); "${a[@]:1}"', 'a=(x pytest -q); "${a[@]:1}"'),
    ("rm -rf ${TARGET:-/}", "mkdir -p ${OUT:-build} && cp a ${OUT:-build}/"),
]


@pytest.mark.parametrize(("destructive", "benign"), STATIC)
def test_a_value_fixed_in_the_line_is_judged_as_it_runs(destructive: str, benign: str) -> None:
    assert stops(destructive), destructive
    assert not stops(benign), benign


def test_a_catastrophic_target_through_a_variable_is_blocked() -> None:
    assert decide('t="$HOME"; rm -rf "$t"') == Tier.BLOCK
    assert decide('target=/; rm -rf "$target"') == Tier.BLOCK
    assert decide('cmd=(rm -rf /); "${cmd[@]}"') == Tier.BLOCK
    assert decide("rm -rf ${TARGET:-/}") == Tier.BLOCK


@pytest.mark.parametrize(
    "line",
    [
        # The value is not fixed by the line: a destructive position asks.
        'x=$(pick-dir); rm -rf "$x"',
        'read -r x; rm -rf "$x"',
        "for x in build dist; do rm -rf /srv/$x; done",
        'x=build; for x in /srv/data; do rm -rf "$x"; done',
        '"$EDITOR_CMD" -rf /srv/data',
        "$X rm -rf /srv/data",
        'cmd=(pytest); cmd+=(--rm-all /srv/data); "${cmd[@]}"',
        'set -- /srv/data; shift; rm -rf "$1"',
    ],
)
def test_a_value_the_line_does_not_fix_asks(line: str) -> None:
    assert stops(line), line


@pytest.mark.parametrize(
    "line",
    [
        # Every value the variable may hold is judged: a branch or a subshell may not run.
        'x=/srv/data; false && x=build; rm -rf "$x"',
        'x=/srv/data; (x=build); rm -rf "$x"',
        'x=/srv/data; if [ -d b ]; then x=build; fi; rm -rf "$x"',
        'x=build; x=/srv/data; rm -rf "$x"',
    ],
)
def test_every_value_a_variable_may_hold_is_judged(line: str) -> None:
    assert stops(line), line


def test_a_default_yields_to_the_environment_safesh_was_given() -> None:
    context = Context(cwd="/home/user/project", home="/home/user", env=(("TARGET", "/srv/data"),))
    assert decide("rm -rf ${TARGET:-build}", context).severity >= Tier.ASK.severity
    assert decide("rm -rf ${TARGET:-build}").severity <= Tier.NOTIFY.severity


def test_a_value_assigned_after_the_use_does_not_count() -> None:
    assert stops('rm -rf "$x"; x=build')


def test_another_host_does_not_see_this_shells_variables() -> None:
    assert stops("x=build; ssh host 'rm -rf /srv/$x'")
    assert stops('x=/srv/data; ssh host "rm -rf $x"')
