"""What a path argument names, for the effect model: its path classes (paths.py) plus
`system-core` (the root, a top-level system directory, anything under /etc, /usr but not
/usr/local, /boot, /bin, /sbin, /lib*) and `local-install` (/usr/local, /opt).

Shared by the effect extractors (effects.py) and the inline-program reader (inline.py), so
neither imports the other. May import model and paths.
"""

from __future__ import annotations

from safesh.model import Command, Context
from safesh.rules.paths import classify_path


def path_classes(command: Command, context: Context, text: str) -> frozenset[str]:
    """The classes of a path word of `command`, with `system-core` and `local-install`."""
    classes = classify_path(
        text,
        context,
        static="$" not in text and "`" not in text,
        cwd=command.cwd,
        cwd_known=command.cwd_known,
    )
    absolute = absolute_path(text, command, context)
    classes |= extra_classes(absolute)
    home_bin = context.home.rstrip("/") + "/.local/bin/"
    if absolute is not None and absolute.startswith(home_bin) and len(absolute) > len(home_bin):
        # the user's own install directory, as /usr/local/bin is the machine's (safesh's own
        # program there keeps its safesh-state class)
        classes = (classes - {"home-dotdir"}) | {"local-install"}
    if "app-config" in classes:
        # One app's own settings under ~/.config/<app>: not the home's keys or start-up.
        classes -= {"home-dotdir"}
    return classes


_CORE_TREES = ("/etc", "/usr", "/boot", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32",
               "/System", "/private/etc", "/var/lib", "/var/spool")  # fmt: skip
_TOP_DIRS = frozenset(
    {
        "/etc", "/usr", "/bin", "/sbin", "/boot", "/var", "/opt", "/sys", "/proc", "/root",
        "/srv", "/home", "/Users", "/lib", "/lib64", "/snap", "/run", "/mnt", "/media",
        "/System", "/Library", "/Applications", "/private", "/nix", "/dev",
    }
)  # fmt: skip
_LOCAL_INSTALL = ("/usr/local/", "/opt/")


def absolute_path(text: str, command: Command, context: Context) -> str | None:
    import posixpath

    if "$" in text or "`" in text:
        return None
    if text == "~" or text.startswith("~/"):
        text = context.home + text[1:]
    elif text.startswith("~"):
        return None
    if not text.startswith("/"):
        if not command.cwd_known:
            return None
        text = posixpath.join(command.cwd or context.cwd, text)
    normal = posixpath.normpath(text)
    return "/" + normal.lstrip("/")


def extra_classes(path: str | None) -> frozenset[str]:
    if path is None:
        return frozenset()
    extra: set[str] = set()
    if path.startswith(_LOCAL_INSTALL) and path.rstrip("/") not in {"/usr/local", "/opt"}:
        extra.add("local-install")
    elif (
        path == "/"
        or path.rstrip("/") in _TOP_DIRS
        or any(path == tree or path.startswith(tree + "/") for tree in _CORE_TREES)
    ):
        extra.add("system-core")
    return frozenset(extra)
