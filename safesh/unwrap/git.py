"""git as a wrapper: `--` among its global options, and configuration values that git runs as
shell commands (`-c alias.x='!cmd'`, `-c core.pager=cmd`, `git config KEY VALUE`).

May use: `safesh.model`, `.site` and the standard library.
"""

from __future__ import annotations

import fnmatch
from dataclasses import replace

from safesh.model import Word

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing at start-up
if TYPE_CHECKING:
    from safesh.unwrap.site import Site, Walk


def git(w: Walk, name: str, words: list[Word], site: Site) -> None:
    """git accepts `--` among its global options (`git -- reset --hard` runs `reset`): drop
    it, so the subcommand's own options are seen as options. Configuration values that git
    runs as shell commands (`-c alias.x='!cmd'`, `-c core.pager=cmd`, and the same set with
    `git config KEY VALUE` for later) are judged as the commands they are."""
    i = 1
    value_options = {"-C", "-c", "--git-dir", "--work-tree", "--namespace", "--exec-path"}
    settings: list[tuple[str, Word]] = []
    while i < len(words) and words[i].text.startswith("-"):
        if words[i].text == "--":
            words = [*words[:i], *words[i + 1 :]]
            break
        if words[i].text == "-c" and i + 1 < len(words):
            key, _, text = words[i + 1].text.partition("=")
            settings.append((key, replace(words[i + 1], text=text)))
        i += 2 if words[i].text in value_options else 1
    w.emit(words, site)
    positional = [x for x in words[i:] if not x.text.startswith("-")]
    if len(positional) >= 3 and positional[0].text == "config":
        settings.append((positional[1].text, positional[2]))
    for key, setting in settings:
        command = _git_shell_command(key, setting.text)
        if command is None:
            continue
        if not setting.static:
            w.emit([setting], site.inner(f"git {key}"), dynamic=True)
        else:
            w.walk_source(command, site.nested(f"git {key}"), f"git {key} command")


# git configuration keys whose value git runs with the shell (an alias only when it starts
# with `!`).
_GIT_COMMAND_KEYS = (
    "core.pager", "core.sshcommand", "core.editor", "core.fsmonitor", "core.askpass",
    "sequence.editor", "diff.external", "gpg.program", "gpg.ssh.program", "credential.helper",
    "uploadpack.packobjectshook", "pager.*", "filter.*.clean", "filter.*.smudge",
    "filter.*.process", "merge.*.driver", "diff.*.textconv", "diff.*.command",
    "remote.*.uploadpack", "remote.*.receivepack", "difftool.*.cmd", "mergetool.*.cmd",
)  # fmt: skip


def _git_shell_command(key: str, value: str) -> str | None:
    key = key.lower()
    if key.startswith("alias."):
        return value[1:] if value.startswith("!") else None
    if key == "credential.helper" and not value.startswith("!"):
        return None  # a helper name (`store`, `cache`), not a command line
    if any(fnmatch.fnmatchcase(key, pattern) for pattern in _GIT_COMMAND_KEYS):
        return value.removeprefix("!")
    return None
