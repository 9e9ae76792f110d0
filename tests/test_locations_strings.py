"""Each location as a string is spelt exactly as its Path form: the rules' fingerprint (which
approvals are bound to) and the cache keys contain these spellings, and the per-command path
uses the strings while other commands use the Paths."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from safesh import locations

_PIECES = st.sampled_from(["", "/", "//", "///", ".", "..", "a", "b.c", ".d", "./", "/./"])


@given(st.lists(_PIECES, max_size=8).map("".join))
def test_a_location_string_is_its_paths_spelling(variable: str) -> None:
    base = "/" + variable
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("sys.platform", "linux")
        patch.setenv("XDG_STATE_HOME", base)
        patch.setenv("XDG_CONFIG_HOME", base)
        patch.setenv("XDG_CACHE_HOME", base)
        assert locations.state_home() == str(Path(base) / "safesh")
        assert locations.state_home() == str(locations.state_dir())
        assert locations.store_path() == str(locations.store_file())
        assert locations.trust_path() == str(locations.trust_file())
        assert locations.user_rules_path() == str(locations.user_rules_file())
        assert locations.cache_home() == str(locations.cache_dir())


@given(st.lists(_PIECES, max_size=8).map("".join))
def test_a_home_with_odd_slashes_gives_the_same_spelling(home: str) -> None:
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("sys.platform", "linux")
        patch.delenv("XDG_STATE_HOME", raising=False)
        patch.setenv("HOME", "/" + home)
        assert locations.state_home() == str(locations.state_dir())
        assert locations.state_home() == str(Path("/" + home.rstrip("/")) / ".local/state/safesh")
