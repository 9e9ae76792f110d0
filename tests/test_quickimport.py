"""safesh.quickimport: the program's shorter way in for safesh's own modules finds exactly what
the standard path finder finds, and runs a module's bytecode only when Python itself would
(a timestamp .pyc of this interpreter matching the source's mtime and size); anything else is
compiled from the source, as before."""

from __future__ import annotations

import importlib.machinery
import importlib.util
import os
import py_compile
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest

from safesh.quickimport import SafeshModuleLoader, SafeshModules

PACKAGE = "qi_pkg"


def _package(tmp_path: Path) -> Path:
    root = tmp_path / PACKAGE
    (root / "sub").mkdir(parents=True)
    (root / "__init__.py").write_text("")
    (root / "mod.py").write_text("value = 'source'\n")
    (root / "sub" / "__init__.py").write_text("INIT = True\n")
    (root / "sub" / "leaf.py").write_text("LEAF = 1\n")
    (root / "space").mkdir()  # a namespace directory: no __init__.py
    (root / "space" / "part.py").write_text("")
    return root


def _load(spec: importlib.machinery.ModuleSpec) -> ModuleType:
    module = importlib.util.module_from_spec(spec)
    assert spec.loader is not None
    spec.loader.exec_module(module)
    return module


def _standard(name: str, directory: Path) -> importlib.machinery.ModuleSpec | None:
    return importlib.machinery.PathFinder.find_spec(name, [str(directory)])


@pytest.mark.parametrize(
    ("name", "where"), [("mod", ""), ("sub", ""), ("leaf", "sub")], ids=["module", "package", "sub"]
)
def test_finds_what_the_path_finder_finds(tmp_path: Path, name: str, where: str) -> None:
    directory = _package(tmp_path) / where if where else _package(tmp_path)
    full = f"{PACKAGE}.{name}"
    quick = SafeshModules(PACKAGE).find_spec(full, [str(directory)])
    standard = _standard(full, directory)
    assert quick is not None and standard is not None
    assert isinstance(quick.loader, SafeshModuleLoader)
    assert (quick.name, quick.origin, quick.cached, quick.has_location, quick.parent) == (
        standard.name,
        standard.origin,
        standard.cached,
        standard.has_location,
        standard.parent,
    )
    assert quick.submodule_search_locations == standard.submodule_search_locations
    assert quick.loader.is_package(full) == standard.loader.is_package(full)  # type: ignore[union-attr]
    module = _load(quick)
    assert (module.__file__, module.__cached__, module.__package__) == (
        standard.origin,
        standard.cached,
        standard.parent,
    )


def test_leaves_everything_else_to_the_standard_finder(tmp_path: Path) -> None:
    root = _package(tmp_path)
    (root / "ext.py").write_text("")
    (root / f"ext{importlib.machinery.EXTENSION_SUFFIXES[0]}").write_text("")  # found first
    (root / "both.py").write_text("")
    (root / "both").mkdir()  # a directory beside a module
    finder = SafeshModules(PACKAGE)
    for name in ("ext", "both", "space", "missing", "mod"):
        directory = [str(root)]
        assert finder.find_spec(f"{PACKAGE}.{name}", directory, None) is None or name == "mod"
    assert finder.find_spec("other.mod", [str(root)]) is None  # not this package
    assert finder.find_spec(f"{PACKAGE}.mod", None) is None  # a top-level search
    assert finder.find_spec(f"{PACKAGE}.mod", [str(root), str(tmp_path)]) is None  # two places


def _compiled(root: Path, mode: py_compile.PycInvalidationMode | None = None) -> None:
    source = root / "mod.py"
    py_compile.compile(
        str(source),
        cfile=importlib.util.cache_from_source(str(source)),
        doraise=True,
        invalidation_mode=mode or py_compile.PycInvalidationMode.TIMESTAMP,
    )


def _loader(root: Path) -> SafeshModuleLoader:
    spec = SafeshModules(PACKAGE).find_spec(f"{PACKAGE}.mod", [str(root)])
    assert spec is not None and isinstance(spec.loader, SafeshModuleLoader)
    return spec.loader


def test_runs_the_bytecode_python_would_run(tmp_path: Path) -> None:
    root = _package(tmp_path)
    _compiled(root)
    loader = _loader(root)
    assert loader.trusted_bytecode() is not None
    module = _load(SafeshModules(PACKAGE).find_spec(f"{PACKAGE}.mod", [str(root)]))  # type: ignore[arg-type]
    assert module.value == "source"


def _planted(root: Path) -> None:
    """Bytecode for other code, in the place of mod.py's: compiled from a different source,
    then given mod.py's name."""
    source = root / "mod.py"
    original = source.read_bytes()
    stat = source.stat()
    source.write_text("value = 'planted'\n")
    _compiled(root)
    source.write_bytes(original)
    os.utime(source, ns=(stat.st_atime_ns, stat.st_mtime_ns))


@pytest.mark.parametrize("change", ["mtime", "size", "magic", "flags", "short"])
def test_bytecode_python_would_not_run_is_not_run(tmp_path: Path, change: str) -> None:
    root = _package(tmp_path)
    _compiled(root)
    cached = Path(importlib.util.cache_from_source(str(root / "mod.py")))
    source = root / "mod.py"
    data = bytearray(cached.read_bytes())
    if change == "mtime":
        stat = source.stat()
        os.utime(source, ns=(stat.st_atime_ns, stat.st_mtime_ns + 5 * 10**9))
    elif change == "size":  # edited within the same second: only the size tells
        recorded = int.from_bytes(data[8:12], "little")
        source.write_text("value = 'source, edited'\n")
        os.utime(source, (recorded, recorded))
    elif change == "magic":
        data[0] ^= 0xFF
    elif change == "flags":
        data[4] = 0b1  # hash-based, unchecked: Python checks its own way, not ours
    else:
        data = data[:12]
    if change in ("magic", "flags", "short"):
        cached.write_bytes(bytes(data))
    assert _loader(root).trusted_bytecode() is None
    module = _load(SafeshModules(PACKAGE).find_spec(f"{PACKAGE}.mod", [str(root)]))  # type: ignore[arg-type]
    # (Unchecked hash-based bytecode, "flags", Python runs as it is: the standard loader's
    # decision, taken as before.)
    assert module.value == ("source, edited" if change == "size" else "source")


def test_planted_bytecode_with_a_wrong_timestamp_never_runs(tmp_path: Path) -> None:
    root = _package(tmp_path)
    _planted(root)
    cached = Path(importlib.util.cache_from_source(str(root / "mod.py")))
    data = bytearray(cached.read_bytes())
    data[8] ^= 0x01  # its recorded mtime no longer the source's
    cached.write_bytes(bytes(data))
    module = _load(SafeshModules(PACKAGE).find_spec(f"{PACKAGE}.mod", [str(root)]))  # type: ignore[arg-type]
    assert module.value == "source"


def test_checked_hash_based_bytecode_is_left_to_python(tmp_path: Path) -> None:
    root = _package(tmp_path)
    _compiled(root, py_compile.PycInvalidationMode.CHECKED_HASH)
    assert _loader(root).trusted_bytecode() is None
    module = _load(SafeshModules(PACKAGE).find_spec(f"{PACKAGE}.mod", [str(root)]))  # type: ignore[arg-type]
    assert module.value == "source"


_PROGRAM = """
import os, sys
sys.argv = ["safesh", "--dry-run", "-c", "true"]
from safesh.__main__ import main
from safesh.quickimport import SafeshModuleLoader
exit_now = os._exit
def report(code):
    quick = sorted(
        name for name, module in list(sys.modules.items())
        if isinstance(getattr(module, "__loader__", None), SafeshModuleLoader)
    )
    print(" ".join(quick))
    sys.stdout.flush()
    exit_now(code)
os._exit = report
main()
"""


def _run(tmp_path: Path, *options: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SAFESH_", "XDG_"))}
    env.update(HOME=str(tmp_path), XDG_STATE_HOME=str(tmp_path / "state"), SAFESH_DAEMON="off")
    env.update(XDG_CACHE_HOME=str(tmp_path / "cache"), XDG_CONFIG_HOME=str(tmp_path / "config"))
    return subprocess.run(
        [sys.executable, *options, "-c", _PROGRAM],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
    )


def test_the_program_loads_its_modules_this_way(tmp_path: Path) -> None:
    done = _run(tmp_path)
    assert done.returncode == 0, done.stderr
    assert "would run" in done.stdout
    quick = set(done.stdout.split("\n")[-2].split())
    assert {"safesh.api", "safesh.rules", "safesh.store.values"} <= quick


def test_not_when_imports_are_traced(tmp_path: Path) -> None:
    done = _run(tmp_path, "-v")
    assert done.returncode == 0, done.stderr
    assert done.stdout.split("\n")[-2].split() == []
