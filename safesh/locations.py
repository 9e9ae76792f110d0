"""Where safesh keeps its configuration, state and cache (platformdirs decides, so
XDG_CONFIG_HOME / XDG_STATE_HOME / XDG_CACHE_HOME move them).

On Linux the answer is computed here the way platformdirs computes it (the XDG variable when
it is an absolute path, else the directory under an absolute $HOME): importing platformdirs
costs more than judging a command. Anything else (macOS, Windows, a relative $HOME) asks
platformdirs itself.

Each location comes as a string (`state_home()`, `store_path()`, …: the per-command path,
which never imports pathlib) and as a Path (`state_dir()`, `store_file()`, …).
"""

from __future__ import annotations

import os
import sys

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing at start-up

if TYPE_CHECKING:
    from pathlib import Path

APP = "safesh"

# platformdirs' Unix defaults under $HOME, by XDG variable.
_XDG_DEFAULTS = {
    "XDG_CONFIG_HOME": ".config",
    "XDG_STATE_HOME": ".local/state",
    "XDG_CACHE_HOME": ".cache",
}


def _linux_dir(variable: str) -> str | None:
    """The app directory for `variable` on Linux, or None to let platformdirs decide."""
    if not sys.platform.startswith("linux"):
        return None
    base = os.environ.get(variable, "")
    if os.path.isabs(base):
        return _normal(os.path.join(base, APP))
    home = os.environ.get("HOME", "")
    if os.path.isabs(home):
        return _normal(os.path.join(home.rstrip("/") or "/", _XDG_DEFAULTS[variable], APP))
    return None


def _normal(path: str) -> str:
    """The path as `str(pathlib.Path(path))` spells it (duplicate slashes and `.` parts
    dropped), so that the string and the Path forms of a location are the same text."""
    if "//" not in path and "/." not in path:
        return path
    parts = [part for part in path.split("/") if part not in ("", ".")]
    lead = "//" if path.startswith("//") and not path.startswith("///") else "/"
    return lead + "/".join(parts)


# -- as strings: the per-command path (pathlib costs ~3 ms to import) ---------------------------


def config_home() -> str:
    """`config_dir()` as a string."""
    fast = _linux_dir("XDG_CONFIG_HOME")
    if fast is not None:
        return fast
    import platformdirs

    return str(platformdirs.user_config_path(APP))


def state_home() -> str:
    """`state_dir()` as a string."""
    fast = _linux_dir("XDG_STATE_HOME")
    if fast is not None:
        return fast
    import platformdirs

    return str(platformdirs.user_state_path(APP))


def cache_home() -> str:
    """`cache_dir()` as a string."""
    fast = _linux_dir("XDG_CACHE_HOME")
    if fast is not None:
        return fast
    import platformdirs

    return str(platformdirs.user_cache_path(APP))


def user_rules_path() -> str:
    """`user_rules_file()` as a string."""
    return os.path.join(config_home(), "rules.toml")


def store_path() -> str:
    """`store_file()` as a string."""
    return os.path.join(state_home(), "safesh.db")


def trust_path() -> str:
    """`trust_file()` as a string."""
    return os.path.join(state_home(), "trusted.json")


# -- as Paths ----------------------------------------------------------------------------------


def _path(text: str) -> Path:
    from pathlib import Path

    return Path(text)


def config_dir() -> Path:
    return _path(config_home())


def state_dir() -> Path:
    return _path(state_home())


def cache_dir() -> Path:
    return _path(cache_home())


def user_rules_file() -> Path:
    return _path(user_rules_path())


def store_file() -> Path:
    return _path(store_path())


def history_file() -> Path:
    return state_dir() / "history"


def trust_file() -> Path:
    return _path(trust_path())
