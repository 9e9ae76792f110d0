"""Import bashlex without rebuilding its LALR tables at every start.

bashlex 0.18 calls `yacc.yacc()` while `bashlex.parser` is being imported, and its vendored PLY
never reads a table file: every import recomputes the LALR tables (~70 ms, most of safesh's
start-up). The tables only depend on bashlex's grammar and PLY itself, so we compute them once,
store them in the cache directory and, on later imports, replace `bashlex.yacc.yacc` for the
duration of the import with a function that builds the `LRParser` from the stored tables.

Everything here is best effort: any problem (unwritable cache, corrupt or foreign file, a
different bashlex) falls back to the normal slow import. The cache can make start-up faster,
never make the parse different or failing.

A planted table would change how lines parse, so the file is used only when it is private
and sealed with the user's secret (`safesh.sealed`); anything else is a normal import.
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib.util
import marshal
import sys
import types
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing at start-up

if TYPE_CHECKING:
    from typing import Any

# Bump when the layout of the cached payload changes.
_FORMAT = 2
_MAGIC = b"safesh-bashlex-tables 2\n"

Tables = tuple[
    dict[int, dict[str, int]],  # action
    dict[int, dict[str, int]],  # goto
    list[tuple[str, int, str | None, str]],  # productions: name, len, func name, str
]


class _Production:
    """The part of PLY's `Production` that `LRParser.parse` uses (name, len, callable, str)."""

    def __init__(self, name: str, length: int, func: str | None, text: str) -> None:
        self.name = name
        self.len = length
        self.func = func
        self.str = text
        self.callable: Callable[..., Any] | None = None

    def bind(self, pdict: Mapping[str, Any]) -> None:
        # Same as PLY's Production.bind: a KeyError here means a stale cache (caught above).
        if self.func:
            self.callable = pdict[self.func]

    def __str__(self) -> str:
        return self.str

    def __len__(self) -> int:
        return self.len


class _LRTable:
    """What `LRParser.__init__` reads from PLY's LRTable."""

    def __init__(self, tables: Tables) -> None:
        action, goto, productions = tables
        self.lr_action = action
        self.lr_goto = goto
        self.lr_productions = [_Production(*p) for p in productions]

    def bind_callables(self, pdict: Mapping[str, Any]) -> None:
        for production in self.lr_productions:
            production.bind(pdict)


def import_bashlex() -> types.ModuleType:
    """Return the `bashlex` package with `bashlex.parser` imported, from cached tables when
    possible, with its known infinite loop guarded."""
    loaded = sys.modules.get("bashlex")
    if loaded is not None and "bashlex.parser" in sys.modules:
        return loaded
    try:
        package = _fast_import()
    except Exception:
        _forget_bashlex()
        import bashlex

        package = bashlex
    _guard_paramexpand(package)
    return package


def _guard_paramexpand(package: types.ModuleType) -> None:
    """bashlex's `_paramexpand` loops forever, allocating, on a `${` without a `}` after it
    (`find` returns -1 and the scan restarts at 0); the tokenizer does not always catch that
    first. Refuse such input instead: an unparsable line is asked about, never hung on."""
    subst = package.subst
    original = subst._paramexpand
    if getattr(original, "_safesh_guarded", False):
        return

    def guarded(parserobj: Any, string: str, sindex: int) -> Any:
        if string.startswith("${", sindex) and string.find("}", sindex + 2) < 0:
            raise package.errors.ParsingError("bad substitution: no closing '}'", string, sindex)
        return original(parserobj, string, sindex)

    guarded._safesh_guarded = True  # type: ignore[attr-defined]
    subst._paramexpand = guarded


def _fast_import() -> types.ModuleType:
    spec = importlib.util.find_spec("bashlex")
    if spec is None or spec.loader is None or not spec.submodule_search_locations:
        raise ImportError("bashlex not found")
    pkg_dir = Path(next(iter(spec.submodule_search_locations)))
    key = _cache_key(pkg_dir)
    cache_file = _cache_file(key)
    tables = _read_tables(cache_file, key) if cache_file is not None else None

    # Register the package without running its __init__ (which imports bashlex.parser), so
    # that bashlex.yacc can be imported and patched before the parser module runs.
    package = importlib.util.module_from_spec(spec)
    sys.modules["bashlex"] = package
    with _deferred("inspect") if tables is not None else contextlib.nullcontext():
        import bashlex.yacc as yacc_module

    real_yacc = yacc_module.yacc
    captured: list[Tables] = []
    if tables is not None:
        yacc_module.yacc = _cached_yacc(yacc_module, tables)
    else:
        yacc_module.yacc = _capturing_yacc(yacc_module, real_yacc, captured)
    try:
        spec.loader.exec_module(package)
    finally:
        yacc_module.yacc = real_yacc
    if captured and cache_file is not None:
        _write_tables(cache_file, key, captured[0])
    return package


class _Deferred(types.ModuleType):
    """Stands in for a standard module while a library imports it: the real module is loaded
    when the library first reads one of its attributes."""

    def __getattr__(self, attribute: str) -> Any:
        return getattr(importlib.import_module(self.__name__), attribute)


@contextlib.contextmanager
def _deferred(name: str) -> Iterator[None]:
    """Within the block, `import name` gives a `_Deferred` stand-in. PLY imports inspect
    (~5 ms with ast, dis and tokenize) only to build tables from the grammar's source, which
    the cached tables make unnecessary. Afterwards the stand-in is no longer registered, so
    everyone else imports the real module as usual."""
    if name in sys.modules:
        yield
        return
    sys.modules[name] = _Deferred(name)
    try:
        yield
    finally:
        if isinstance(sys.modules.get(name), _Deferred):
            del sys.modules[name]


def _forget_bashlex() -> None:
    """Drop a half-imported bashlex so that a plain import starts from scratch."""
    for name in [n for n in sys.modules if n == "bashlex" or n.startswith("bashlex.")]:
        del sys.modules[name]


def _cache_key(pkg_dir: Path) -> str:
    digest = hashlib.sha256()
    digest.update(f"{_FORMAT}\n{sys.version}\n{sys.implementation.cache_tag}\n".encode())
    for name in ("parser.py", "yacc.py"):
        digest.update((pkg_dir / name).read_bytes())
    return digest.hexdigest()


def _cache_file(key: str) -> Path | None:
    try:
        from safesh.locations import cache_dir

        return cache_dir() / f"bashlex-tables-{key[:24]}.marshal"
    except Exception:
        return None


def _cached_yacc(yacc_module: types.ModuleType, tables: Tables) -> Callable[..., Any]:
    def yacc(*_args: Any, **_kwargs: Any) -> Any:
        # As PLY's yacc(): the grammar functions come from the calling module's globals.
        pdict = dict(sys._getframe(1).f_globals)
        lrtab = _LRTable(tables)
        lrtab.bind_callables(pdict)
        parser = yacc_module.LRParser(lrtab, pdict.get("p_error"))
        setattr(yacc_module, "parse", parser.parse)  # noqa: B010 (as PLY's yacc() does)
        return parser

    return yacc


def _capturing_yacc(
    yacc_module: types.ModuleType, real_yacc: Callable[..., Any], captured: list[Tables]
) -> Callable[..., Any]:
    def yacc(*args: Any, **kwargs: Any) -> Any:
        # PLY reads the grammar from its caller's frame; from inside this wrapper that would be
        # us, so hand it the caller's globals explicitly as a module-like namespace.
        caller = types.SimpleNamespace(**sys._getframe(1).f_globals)
        parser = real_yacc(*args, module=caller, **kwargs)
        # Snapshot now: bashlex.parser patches the action table right after yacc() returns.
        captured.append(_snapshot(parser))
        return parser

    return yacc


def _snapshot(parser: Any) -> Tables:
    action = {int(s): dict(a) for s, a in parser.action.items()}
    goto = {int(s): dict(g) for s, g in parser.goto.items()}
    productions = [(p.name, p.len, p.func, p.str) for p in parser.productions]
    return action, goto, productions


def _read_tables(path: Path, key: str) -> Tables | None:
    from safesh.sealed import read_sealed

    try:
        payload = read_sealed(path, _MAGIC, key)
    except Exception:
        return None
    if payload is None:
        return None
    try:
        loaded = marshal.loads(payload)
    except (ValueError, EOFError, TypeError):
        return None
    return _validated(loaded, key)


def _validated(loaded: object, key: str) -> Tables | None:
    """The payload if it has exactly the expected shape (marshal can hold any constant)."""
    if not (isinstance(loaded, tuple) and len(loaded) == 4 and loaded[0] == key):
        return None
    _, action, goto, productions = loaded
    if not (_is_table(action) and _is_table(goto) and isinstance(productions, list)):
        return None
    for entry in productions:
        if not (
            isinstance(entry, tuple)
            and len(entry) == 4
            and isinstance(entry[0], str)
            and type(entry[1]) is int
            and (entry[2] is None or isinstance(entry[2], str))
            and isinstance(entry[3], str)
        ):
            return None
    return action, goto, productions


def _is_table(table: object) -> bool:
    if not isinstance(table, dict):
        return False
    for state, row in table.items():
        if type(state) is not int or not isinstance(row, dict):
            return False
        for symbol, target in row.items():
            if not isinstance(symbol, str) or type(target) is not int:
                return False
    return True


def _write_tables(path: Path, key: str, tables: Tables) -> None:
    """Write sealed and atomically (temp file + rename) so a reader never sees half a file."""
    from safesh.sealed import write_sealed

    with contextlib.suppress(OSError):
        write_sealed(path, _MAGIC, key, marshal.dumps((key, *tables)))
