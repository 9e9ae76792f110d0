"""Where safesh keeps its configuration, state and cache (platformdirs decides, so
XDG_CONFIG_HOME / XDG_STATE_HOME / XDG_CACHE_HOME move them).

On Linux the answer is computed here the way platformdirs computes it (the XDG variable when
it is an absolute path, else the directory under an absolute $HOME): importing platformdirs
costs more than judging a command. Anything else (macOS, Windows, a relative $HOME) asks
platformdirs itself.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

APP = "safesh"

# platformdirs' Unix defaults under $HOME, by XDG variable.
_XDG_DEFAULTS = {
    "XDG_CONFIG_HOME": ".config",
    "XDG_STATE_HOME": ".local/state",
    "XDG_CACHE_HOME": ".cache",
}


def _linux_dir(variable: str) -> Path | None:
    """The app directory for `variable` on Linux, or None to let platformdirs decide."""
    if not sys.platform.startswith("linux"):
        return None
    base = os.environ.get(variable, "")
    if os.path.isabs(base):
        return Path(os.path.join(base, APP))
    home = os.environ.get("HOME", "")
    if os.path.isabs(home):
        return Path(os.path.join(home.rstrip("/") or "/", _XDG_DEFAULTS[variable], APP))
    return None


def config_dir() -> Path:
    fast = _linux_dir("XDG_CONFIG_HOME")
    if fast is not None:
        return fast
    import platformdirs

    return platformdirs.user_config_path(APP)


def state_dir() -> Path:
    fast = _linux_dir("XDG_STATE_HOME")
    if fast is not None:
        return fast
    import platformdirs

    return platformdirs.user_state_path(APP)


def cache_dir() -> Path:
    fast = _linux_dir("XDG_CACHE_HOME")
    if fast is not None:
        return fast
    import platformdirs

    return platformdirs.user_cache_path(APP)


def user_rules_file() -> Path:
    return config_dir() / "rules.toml"


def store_file() -> Path:
    return state_dir() / "safesh.db"


def history_file() -> Path:
    return state_dir() / "history"


def trust_file() -> Path:
    return state_dir() / "trusted.json"
