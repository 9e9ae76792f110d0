"""The cached bashlex parser tables: same parser as bashlex builds itself, never a failure.

Each test runs Python in a subprocess with its own XDG_CACHE_HOME, because the point is what
happens at import time."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]

LINES = [
    "ls -l",
    "a | b && c || ! d; e &",
    "r''m -rf \"a b\" \\rm $x ${y}z $(ls) `pwd` *.log",
    "cat <<EOF > out\nhello $(rm -rf /)\nEOF\necho after",
    "x=1 FOO=bar cmd 2>&1 >>f 2>/dev/null <<< 'hi there'",
    "f() { rm -rf /; }; function g { ls; }",
    "for i in a b; do echo $i; done; while true; do x; done; until a; do b; done",
    "if a; then b; elif c; then d; else e; fi",
    "(cd x && ls) ; { a; b; } > o &",
    "diff <(ls a) >(tee b)",
    'echo "$(a "$(b)")"',
    ":(){ :|:& };:",
    "echo $(cat <<EOF\nx\nEOF\n)",
    "a |& b",
    "# comment\nls # trailing",
    # errors must be the same errors
    "echo )",
    'echo "abc',
    "ls |",
    "[[ -f x ]]",
    "case x in a) ls;; esac",
    "if true; then",
]

# Dumps what bashlex makes of LINES, and the parser's tables, as JSON on stdout.
DUMP = r"""
import json, sys
lines = json.loads(sys.argv[1])
if sys.argv[2] == "fast":
    from safesh.parse.bashlex_tables import import_bashlex
    bashlex = import_bashlex()
else:
    import bashlex
parser = bashlex.parser.yaccparser
out = {"productions": [[p.name, p.len, p.func, p.str] for p in parser.productions],
       "action": {str(k): dict(v) for k, v in parser.action.items()},
       "goto": {str(k): dict(v) for k, v in parser.goto.items()},
       "defaulted": {str(k): v for k, v in parser.defaulted_states.items()},
       "production_class": type(parser.productions[0]).__name__,
       "parses": []}
for line in lines:
    try:
        out["parses"].append([n.dump() for n in bashlex.parse(line)])
    except Exception as exc:
        out["parses"].append(["error", type(exc).__name__, str(exc)])
print(json.dumps(out))
"""


def run(code: str, cache_home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "XDG_CACHE_HOME": str(cache_home),
        "XDG_STATE_HOME": str(cache_home / "state"),
        "PYTHONPATH": str(REPO),
    }
    return subprocess.run(
        [sys.executable, "-c", code, *args],
        env=env,
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )


def dump(cache_home: Path, mode: str) -> dict[str, object]:
    result = run(DUMP, cache_home, json.dumps(LINES), mode)
    loaded: dict[str, object] = json.loads(result.stdout)
    return loaded


def cache_files(cache_home: Path) -> list[Path]:
    return sorted((cache_home / "safesh").glob("bashlex-tables-*"))


@pytest.fixture(scope="module")
def real(tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    return dump(tmp_path_factory.mktemp("real"), "plain")


def test_first_import_writes_the_cache(tmp_path: Path) -> None:
    first = dump(tmp_path, "fast")
    assert first["production_class"] == "Production"  # built by PLY, then stored
    assert len(cache_files(tmp_path)) == 1


def test_second_import_uses_the_cache(tmp_path: Path) -> None:
    dump(tmp_path, "fast")
    assert dump(tmp_path, "fast")["production_class"] == "_Production"


def test_cached_parser_gives_identical_results(tmp_path: Path, real: dict[str, object]) -> None:
    dump(tmp_path, "fast")
    cached = dump(tmp_path, "fast")
    assert cached["production_class"] == "_Production"
    assert cached["parses"] == real["parses"]
    for table in ("action", "goto", "defaulted", "productions"):
        assert cached[table] == real[table], table


def test_corrupt_cache_falls_back_and_is_rewritten(tmp_path: Path, real: dict[str, object]) -> None:
    dump(tmp_path, "fast")
    (cache,) = cache_files(tmp_path)
    good = cache.read_bytes()
    cache.write_bytes(good[:-100] + b"garbage")
    assert dump(tmp_path, "fast")["parses"] == real["parses"]
    assert cache.read_bytes() == good


def test_cache_of_another_version_is_ignored(tmp_path: Path, real: dict[str, object]) -> None:
    dump(tmp_path, "fast")
    (cache,) = cache_files(tmp_path)
    cache.write_bytes(b"safesh-bashlex-tables\n" + b"\0" * 64)
    fallback = dump(tmp_path, "fast")
    assert fallback["production_class"] == "Production"
    assert fallback["parses"] == real["parses"]


def test_a_cache_file_not_sealed_with_the_users_secret_is_not_used(
    tmp_path: Path, real: dict[str, object]
) -> None:
    """Planted tables would change how lines parse: the same tables under a forged seal are
    refused, rebuilt and rewritten."""
    dump(tmp_path, "fast")
    (cache,) = cache_files(tmp_path)
    good = cache.read_bytes()
    magic_end = good.index(b"\n") + 1
    cache.write_bytes(good[:magic_end] + bytes(32) + good[magic_end + 32 :])
    fallback = dump(tmp_path, "fast")
    assert fallback["production_class"] == "Production"
    assert fallback["parses"] == real["parses"]
    assert cache.read_bytes() == good


def test_a_cache_file_others_may_write_is_not_used(tmp_path: Path) -> None:
    dump(tmp_path, "fast")
    (cache,) = cache_files(tmp_path)
    cache.chmod(0o666)
    assert dump(tmp_path, "fast")["production_class"] == "Production"


def test_unwritable_cache_location_still_parses(tmp_path: Path, real: dict[str, object]) -> None:
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("")
    assert dump(blocker, "fast")["parses"] == real["parses"]


def test_cache_write_leaves_no_temporary_files(tmp_path: Path) -> None:
    dump(tmp_path, "fast")
    assert [p.name for p in (tmp_path / "safesh").iterdir()] == [cache_files(tmp_path)[0].name]


def test_yacc_is_restored_after_import(tmp_path: Path) -> None:
    code = (
        "from safesh.parse.bashlex_tables import import_bashlex; import_bashlex(); "
        "import bashlex.yacc as y; print(y.yacc.__module__, y.yacc.__name__)"
    )
    run(code, tmp_path)
    assert run(code, tmp_path).stdout.split() == ["bashlex.yacc", "yacc"]


def test_tree_sitter_only_imported_when_bashlex_fails(tmp_path: Path) -> None:
    code = (
        "import sys; from safesh.parse import parse_line; parse_line('ls | wc'); "
        "print('tree_sitter' in sys.modules); parse_line('[[ -f x ]]'); "
        "print('tree_sitter' in sys.modules)"
    )
    assert run(code, tmp_path).stdout.split() == ["False", "True"]


def test_importing_parse_does_not_import_bashlex(tmp_path: Path) -> None:
    code = "import sys, safesh.parse; print('bashlex' in sys.modules)"
    assert run(code, tmp_path).stdout.strip() == "False"
