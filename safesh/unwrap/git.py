"""git as a wrapper: `--` among its global options, configuration values that git runs as
shell commands (`-c alias.x='!cmd'`, `-c core.pager=cmd`, `git config KEY VALUE`), and aliases
of every kind (`-c alias.p='push --force'`, `git config alias.p …` earlier in the line, the
`[alias]` sections of the user's and the repository's configuration) expanded where they are
called; the command lines `rebase --exec`, `bisect run`, `submodule foreach` and the GIT_SSH_COMMAND
family of variables run.

May use: `safesh.model`, `.site`, `.stored` and the standard library.
"""

from __future__ import annotations

import fnmatch
import os
import shlex

from safesh.model import Word
from safesh.record import replace
from safesh.unwrap import stored

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
    positional = _positional(words[i:])
    if positional[:1] and positional[0].text == "config":
        definition = positional[2:] if positional[1:2] and positional[1].text == "set" else []
        key_value = definition or positional[1:]
        if len(key_value) >= 2:
            settings.append((key_value[0].text, key_value[1]))
            if key_value[0].text.lower().startswith("alias."):
                alias = key_value[0].text[len("alias.") :]
                w.note_git_alias(alias, key_value[1].text if key_value[1].static else "!?")
    _expand_alias(w, words, i, {key.lower(): value for key, value in settings}, site)
    _subcommand_runs(w, words[i:], site)
    for word in words[i:]:
        if word.static and word.text.startswith("ext::"):
            # `git clone 'ext::sh -c …'`: git-remote-ext runs the URL's text as a command.
            w.walk_source(_ext_command(word.text), site.nested("git ext::"), "git ext:: URL")
    for key, value in _environment(site):
        if key in _GIT_COMMAND_VARIABLES and value:
            w.walk_source(value, site.nested(f"git {key}"), f"git {key} command")
    for key, setting in settings:
        stored.git_setting_files(w, key, setting, site)
        command = _git_shell_command(key, setting.text)
        if command is None:
            continue
        if not setting.static:
            w.emit([setting], site.inner(f"git {key}"), dynamic=True)
        else:
            w.walk_source(command, site.nested(f"git {key}"), f"git {key} command")


def _ext_command(url: str) -> str:
    """The command line of an `ext::` remote (git-remote-ext(1)): `% ` is a space inside a
    word, `%%` a percent sign and `%s`/`%S` the service git asks for. Words are quoted so the
    line reads as the argv git-remote-ext builds."""
    words: list[str] = []
    current: list[str] = []
    text = url[len("ext::") :]
    index = 0
    while index < len(text):
        char = text[index]
        following = text[index + 1 : index + 2]
        if char == "%" and following:
            current.append({" ": " ", "%": "%", "s": "upload-pack", "S": "git-upload-pack"}.get(
                following, ""))  # fmt: skip
            index += 2
            continue
        if char == " ":
            if current:
                words.append("".join(current))
            current = []
        else:
            current.append(char)
        index += 1
    if current:
        words.append("".join(current))
    return " ".join("'" + word.replace("'", "'\\''") + "'" for word in words)


# `git config` options that take a value (`--file F KEY VALUE`: F is not the key).
_CONFIG_VALUES = frozenset(
    {"-f", "--file", "--blob", "--type", "--default", "--comment", "--value", "--url"}
)


def _positional(words: list[Word]) -> list[Word]:
    """The words after git's global options that are not options or a `config` option's
    value."""
    found: list[Word] = []
    skip = False
    for word in words:
        if skip:
            skip = False
        elif word.text.startswith("-"):
            skip = word.text in _CONFIG_VALUES and bool(found) and found[0].text == "config"
        else:
            found.append(word)
    return found


# Environment variables whose value git runs as a command line.
_GIT_COMMAND_VARIABLES = frozenset(
    {"GIT_SSH_COMMAND", "GIT_SSH", "GIT_EDITOR", "GIT_SEQUENCE_EDITOR", "GIT_PAGER",
     "GIT_EXTERNAL_DIFF", "GIT_ASKPASS", "GIT_PROXY_COMMAND"}
)  # fmt: skip


def _environment(site: Site) -> list[tuple[str, str]]:
    own = [(key, value.text) for key, value in site.simple.assignments if value.static]
    return [*own, *site.assignments]


def _subcommand_runs(w: Walk, rest: list[Word], site: Site) -> None:
    """Subcommands that run a command line: `rebase --exec CMD` (or `-x CMD`) after each
    commit, `bisect run CMD…` at each step, `submodule foreach [--recursive] CMD…` in each
    submodule (with the shell, as one string)."""
    texts = [x.text for x in rest]
    if not texts:
        return
    if texts[0] == "rebase":
        for index, text in enumerate(texts[1:], start=1):
            value: Word | None = None
            if text in {"--exec", "-x"} and index + 1 < len(rest):
                value = rest[index + 1]
            elif text.startswith("--exec="):
                value = replace(rest[index], text=text[len("--exec=") :])
            if value is not None and value.static:
                w.walk_source(value.text, site.nested("git rebase --exec"), "git rebase --exec")
    elif texts[:2] == ["bisect", "run"] and len(rest) > 2:
        w.peel(rest[2:], site.inner("git bisect run", feed=None))
    elif texts[0] == "submodule" and "foreach" in texts:
        after = rest[texts.index("foreach") + 1 :]
        while after and after[0].text in {"--recursive", "--quiet", "-q"}:
            after = after[1:]
        if after and all(x.static for x in after):
            source = " ".join(x.text for x in after)
            w.walk_source(source, site.nested("git submodule foreach"), "git submodule foreach")


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


# git's own commands: an alias of the same name is ignored, so these are never looked up.
GIT_COMMANDS = frozenset(
    {
        "add", "am", "annotate", "apply", "archive", "bisect", "blame", "branch", "bundle",
        "cat-file", "check-attr", "check-ignore", "checkout", "checkout-index", "cherry",
        "cherry-pick", "citool", "clean", "clone", "commit", "commit-tree", "config",
        "count-objects", "describe", "diff", "diff-files", "diff-index", "diff-tree",
        "difftool", "fetch", "fetch-pack", "filter-branch", "for-each-ref", "format-patch",
        "fsck", "gc", "grep", "gui", "hash-object", "help", "init", "instaweb", "log",
        "ls-files", "ls-remote", "ls-tree", "maintenance", "merge", "merge-base", "mergetool",
        "mktree", "mv", "name-rev", "notes", "pack-objects", "prune", "pull", "push",
        "range-diff", "read-tree", "rebase", "reflog", "remote", "repack", "replace",
        "request-pull", "rerere", "reset", "restore", "rev-list", "rev-parse", "revert", "rm",
        "send-email", "shortlog", "show", "show-branch", "show-ref", "sparse-checkout",
        "stash", "status", "submodule", "switch", "symbolic-ref", "tag", "update-index",
        "update-ref", "var", "verify-commit", "verify-tag", "version", "whatchanged",
        "worktree", "write-tree", "lfs", "flow", "filter-repo", "absorb", "town",
    }
)  # fmt: skip


def _expand_alias(
    w: Walk, words: list[Word], index: int, settings: dict[str, Word], site: Site
) -> None:
    """`git -c alias.p='push --force' p`, `git config alias.p …; git p`, an alias in the
    user's or the repository's git configuration: git runs the alias's value in place of
    the word (a `!` value with the shell), so that is judged too."""
    if index >= len(words) or not words[index].static:
        return
    alias = words[index].text
    label = f"git alias {alias}"
    if alias in GIT_COMMANDS or alias.startswith("-") or label in site.via:
        return
    setting = settings.get(f"alias.{alias.lower()}")
    if setting is not None:
        value: str | None = setting.text if setting.static else "!?"
        from_option = True
    else:
        value = w.git_alias(alias)
        if value is None:
            value = config_aliases(w.context.home, w.context.repo_root).get(alias)
        from_option = False
    if value is None:
        return
    rest = words[index + 1 :]
    if value.startswith("!"):
        if value == "!?":
            w.emit(words, site.inner(label), dynamic=True)
        elif not from_option:  # a `-c alias.x=!…` string was judged as a setting already
            source = " ".join([value[1:], *(x.raw for x in rest)])
            w.walk_source(source, site.nested(label), f"git alias {alias}")
        return
    try:
        tokens = shlex.split(value)
    except ValueError:
        w.emit(words, site.inner(label), dynamic=True)
        return
    span = words[index].span
    expanded = [Word(token, shlex.quote(token), span) for token in tokens]
    w.peel([*words[:index], *expanded, *rest], site.inner(label))


def config_aliases(home: str, repo_root: str | None) -> dict[str, str]:
    """The `[alias]` entries of the user's and the repository's git configuration files
    (later files win, as git reads them)."""
    paths = [os.path.join(home, ".gitconfig"), os.path.join(home, ".config", "git", "config")]
    if repo_root:
        paths.append(os.path.join(repo_root, ".git", "config"))
    found: dict[str, str] = {}
    for path in paths:
        try:
            with open(path, encoding="utf-8", errors="replace") as handle:
                text = handle.read(1 << 20)
        except OSError:
            continue
        found.update(_alias_section(text))
    return found


def _alias_section(text: str) -> dict[str, str]:
    found: dict[str, str] = {}
    in_alias = False
    for line in text.splitlines():
        entry = line.strip()
        if entry.startswith("["):
            in_alias = entry.lower().replace(" ", "") == "[alias]"
            continue
        if not in_alias or not entry or entry.startswith(("#", ";")):
            continue
        key, eq, value = entry.partition("=")
        if eq:
            value = value.strip()
            if len(value) >= 2 and value[0] == value[-1] == '"':
                value = value[1:-1].replace('\\"', '"')
            found[key.strip()] = value
    return found
