"""A shorter way in for safesh's own modules, for the program's entry point (`install`).

The standard import of `safesh.x.y` asks every finder on sys.meta_path in turn (setuptools'
distutils shim, the built-in and frozen importers), then the path finder, which stats the
package directory and looks for `y` with each of five suffixes; its loader then works out the
bytecode file's name, stats the source, reads the bytecode and checks it, all in Python. A
plain line loads some eighty of safesh's modules, and that costs more per module than most
of them take to run (~120 000 of ~310 000 instructions per module, by callgrind).
`SafeshModules`, asked first, answers for plain modules of safesh's packages from one listing
of each package directory, and its loader reads the bytecode in one go.

It never decides differently from the standard import:
- it answers only where the path finder would find exactly `y.py` (no extension module
  `y.*.so` beside it, no directory `y`), or a package directory `y` with exactly
  `y/__init__.py` (no extension module for it), in a package with one directory; anything
  else (a namespace directory, a name that is not an identifier) is the standard finder's;
- it trusts a bytecode file only as Python itself does: a timestamp .pyc in `__pycache__`
  with this interpreter's magic number, no flags, and the source's mtime and size; a
  hash-based, stale, missing or unreadable .pyc, or any error, is SourceFileLoader.get_code's,
  which compiles the source as before (and reports what it finds);
- its loader is SourceFileLoader but for that, so `__file__`, `__cached__`, `get_source` and
  tracebacks are as before;
- it stays out where the bytecode lives elsewhere (PYTHONPYCACHEPREFIX), is optimised (-O),
  or imports are being traced (-v).

May import: the standard library's built-in modules (the import system's own); not even
`__future__`, so that the thin client's path (which loads this) stays as small as it was.
"""

import _imp
import marshal
import os
import sys
from _frozen_importlib import ModuleSpec
from _frozen_importlib_external import MAGIC_NUMBER, SourceFileLoader
from _io import open_code

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing at start-up

if TYPE_CHECKING:
    from collections.abc import Sequence
    from types import CodeType, ModuleType

__all__ = ["SafeshModuleLoader", "SafeshModules", "install"]

_HEADER = 16  # magic number, flags, source mtime, source size
_CODE = type((lambda: None).__code__)  # types.CodeType, without importing types


def install() -> bool:
    """Put a `SafeshModules` first on sys.meta_path (once), where it applies. Whether one is
    there now."""
    if any(isinstance(finder, SafeshModules) for finder in sys.meta_path):
        return True
    if sys.flags.optimize or sys.flags.verbose or sys.pycache_prefix is not None:
        return False
    if sys.implementation.cache_tag is None:
        return False
    sys.meta_path.insert(0, SafeshModules())
    return True


class SafeshModules:
    """The finder (see the module docstring)."""

    def __init__(self, package: str = "safesh") -> None:
        self._prefix = package + "."
        self._bytecode = f".{sys.implementation.cache_tag}.pyc"
        self._extensions = tuple(_imp.extension_suffixes())
        self._listings: dict[str, frozenset[str]] = {}

    def find_spec(
        self, name: str, path: "Sequence[str] | None", target: "ModuleType | None" = None
    ) -> "ModuleSpec | None":
        if path is None or len(path) != 1 or not name.startswith(self._prefix):
            return None
        try:
            return self._spec(name, path[0])
        except Exception:
            return None  # the standard finder looks, and reports what it finds

    def _spec(self, name: str, directory: str) -> "ModuleSpec | None":
        if not isinstance(directory, str) or not directory or directory.endswith("/"):
            return None
        leaf = name.rpartition(".")[2]
        if not leaf.isidentifier():
            return None
        names = self._listing(directory)
        if leaf in names:
            return self._package(name, f"{directory}/{leaf}")
        if leaf + ".py" not in names or self._extension(leaf, names):
            return None  # not a module here, or an extension module would be found first
        return self._located(name, directory, leaf, None)

    def _package(self, name: str, directory: str) -> "ModuleSpec | None":
        """A package `directory` with an `__init__.py` (and no extension module for one)."""
        names = self._listing(directory)  # fails (so None) if `directory` is not one
        if "__init__.py" not in names or self._extension("__init__", names):
            return None  # a namespace directory, or not only an __init__.py
        return self._located(name, directory, "__init__", [directory])

    def _located(
        self, name: str, directory: str, leaf: str, search: "list[str] | None"
    ) -> ModuleSpec:
        source = f"{directory}/{leaf}.py"
        cached = f"{directory}/__pycache__/{leaf}{self._bytecode}"
        loader = SafeshModuleLoader(name, source, cached)
        spec = ModuleSpec(name, loader, origin=source, is_package=search is not None)
        if search is not None:
            spec.submodule_search_locations = search
        spec.cached = cached
        spec.has_location = True
        return spec

    def _listing(self, directory: str) -> frozenset[str]:
        names = self._listings.get(directory)
        if names is None:
            names = self._listings[directory] = frozenset(os.listdir(directory))
        return names

    def _extension(self, leaf: str, names: frozenset[str]) -> bool:
        return any(leaf + suffix in names for suffix in self._extensions)

    def invalidate_caches(self) -> None:
        """`importlib.invalidate_caches()`: the directories are listed again when next used."""
        self._listings.clear()


class SafeshModuleLoader(SourceFileLoader):
    """SourceFileLoader, whose code comes straight from the bytecode file when Python itself
    would take it from there (see the module docstring), else from its own get_code."""

    def __init__(self, name: str, source: str, bytecode: str) -> None:
        super().__init__(name, source)
        self.bytecode = bytecode

    def get_code(self, fullname: str) -> "CodeType | None":
        try:
            code = self.trusted_bytecode()
        except Exception:
            code = None
        if code is None:
            return super().get_code(fullname)
        return code

    def trusted_bytecode(self) -> "CodeType | None":
        """The code in the bytecode file, if Python would run it for the source as it is now
        (see the module docstring); else None."""
        import _imp

        source = os.stat(self.path)
        with open_code(self.bytecode) as handle:
            data = handle.read()
        if len(data) < _HEADER or data[:4] != MAGIC_NUMBER or data[4:8] != b"\0\0\0\0":
            return None  # another interpreter's, hash-based, or cut short
        if int.from_bytes(data[8:12], "little") != int(source.st_mtime) & 0xFFFFFFFF:
            return None
        if int.from_bytes(data[12:16], "little") != source.st_size & 0xFFFFFFFF:
            return None
        code = marshal.loads(memoryview(data)[_HEADER:])
        if type(code) is not _CODE:
            return None
        _imp._fix_co_filename(code, self.path)  # type: ignore[attr-defined]
        return code
