"""Where safesh keeps its configuration, state and cache (platformdirs decides, so
XDG_CONFIG_HOME / XDG_STATE_HOME / XDG_CACHE_HOME move them)."""

from __future__ import annotations

from pathlib import Path

APP = "safesh"


def config_dir() -> Path:
    import platformdirs

    return platformdirs.user_config_path(APP)


def state_dir() -> Path:
    import platformdirs

    return platformdirs.user_state_path(APP)


def cache_dir() -> Path:
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
