"""safesh: a drop-in shell that stops destructive commands before they reach bash."""

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing at start-up


if TYPE_CHECKING:
    from collections.abc import Mapping

    from safesh.api import Report

__all__ = ["check"]
__version__ = "0.1.0"


def check(
    command: str,
    cwd: str | None = None,
    env: "Mapping[str, str] | None" = None,
    *,
    preview: bool = False,
) -> "Report":
    """Classify `command` without running it. See `safesh.api.check`."""
    from safesh.api import check as _check

    return _check(command, cwd=cwd, env=env, preview=preview)
