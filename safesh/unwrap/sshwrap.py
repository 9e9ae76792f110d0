"""Programs built on ssh that pass it settings or a command: `sshfs` (its `-o` list: the
`ssh_command=CMD` it runs instead of ssh, ssh's own `ProxyCommand=` and kin, `sftp_server=`
run on the host), `autossh` (ssh's options and the remote command, behind autossh's own
`-M PORT`), `mosh` (`--ssh=CMD` run here, `--server=CMD` and the command after the host run
there). What runs here is judged as a local command line, what runs on the host as a remote
one, as `ssh` itself is (remote.py).

`sshfs -F FILE`: the file's ProxyCommand and kin are judged too (stored.ssh_config_file).

May use: `safesh.model`, `.site`, `.stored` and the standard library.
"""

from __future__ import annotations

from safesh.lazy_re import later
from safesh.model import Word
from safesh.record import replace
from safesh.unwrap.stored import SSH_LOCAL_COMMANDS, ssh_config_file

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing at start-up
if TYPE_CHECKING:
    from safesh.unwrap.site import Handler, Site, Walk

# sshfs's own options that take a value as the next word (`-o` is read separately).
_SSHFS_VALUES = frozenset({"-p", "-F", "-o"})
# `-o` entries whose value sshfs runs on THIS machine (ssh_command: the program run instead
# of ssh, with ssh's arguments) besides ssh's own ProxyCommand and kin it passes on.
_SSHFS_LOCAL = frozenset({"ssh_command", "sshfs_command", *SSH_LOCAL_COMMANDS})
# `-o` entries whose value runs on the HOST (the sftp server started there).
_SSHFS_REMOTE = frozenset({"sftp_server"})
_UNESCAPED_COMMA = later(r"(?<!\\),")


def _local_line(w: Walk, label: str, value: Word, site: Site) -> None:
    if not value.static:
        w.emit([value], site.inner(label), dynamic=True)
    elif value.text.strip() and value.text.strip().lower() != "none":
        w.walk_source(value.text, site.nested(label), f"{label} command")


def _remote_line(w: Walk, label: str, host: str, value: Word, site: Site) -> None:
    if not value.static:
        w.emit([value], site.inner(label, remote_host=host), dynamic=True)
    elif value.text.strip():
        w.walk_source(value.text, site.nested(label, host), f"{label} command")


def _sshfs_settings(words: list[Word]) -> list[tuple[str, Word]]:
    """Every `-o a,b=c` entry of an sshfs line as (lower-case key, value word); sshfs takes
    options before and after its operands, and `\\,` escapes a comma inside a value."""
    found: list[tuple[str, Word]] = []
    for i, word in enumerate(words):
        if word.text == "-o" and i + 1 < len(words):
            listed = words[i + 1]
        elif word.text.startswith("-o") and len(word.text) > 2:
            listed = replace(word, text=word.text[2:])
        else:
            continue
        for entry in _UNESCAPED_COMMA.split(listed.text):
            key, eq, value = entry.partition("=")
            if eq:
                found.append((key.strip().lower(), replace(listed, text=value.replace("\\,", ","))))
    return found


def sshfs(w: Walk, name: str, words: list[Word], site: Site) -> None:
    """`sshfs [-o OPT,…] HOST:DIR MOUNTPOINT [-o OPT,…]`."""
    w.emit(words, site)
    positional: list[str] = []
    i = 1
    while i < len(words):
        text = words[i].text
        if text == "-F" and i + 1 < len(words):
            ssh_config_file(w, name, words[i + 1], site)
        if text in _SSHFS_VALUES:
            i += 2
            continue
        if not text.startswith("-"):
            positional.append(text)
        i += 1
    host = positional[0].partition(":")[0] if positional else "sshfs"
    for key, value in _sshfs_settings(words[1:]):
        if key in _SSHFS_LOCAL:
            _local_line(w, f"sshfs -o {key}", value, site)
        elif key in _SSHFS_REMOTE:
            _remote_line(w, f"sshfs -o {key}", host, value, site)


# autossh's own options: `-M PORT[:ECHO]` takes a value; `-V` prints its version. Every other
# word is ssh's (autossh runs ssh with them).
def autossh(w: Walk, name: str, words: list[Word], site: Site) -> None:
    """`autossh -M 0 [SSH OPTIONS] HOST [CMD]`: judged as the ssh it keeps running."""
    rest: list[Word] = []
    i = 1
    while i < len(words):
        text = words[i].text
        if text == "-M" and i + 1 < len(words):
            i += 2
            continue
        if (text.startswith("-M") and len(text) > 2) or text == "-V":
            i += 1
            continue
        rest.append(words[i])
        i += 1
    ssh_word = Word("ssh", "ssh", words[0].span, True)
    w.peel([ssh_word, *rest], site.inner(name))


# mosh's options that take the next word as their value (Getopt::Long also reads `--x=V`).
_MOSH_VALUES = frozenset(
    {"--client", "--server", "--ssh", "--predict", "-p", "--port", "--bind-server",
     "--family", "--experimental-remote-ip", "--predict-overwrite"}
)  # fmt: skip


def mosh(w: Walk, name: str, words: list[Word], site: Site) -> None:
    """`mosh [--ssh=CMD] [--server=CMD] [--] HOST [--] [CMD…]`: `--ssh` runs here, the
    server command and CMD run on HOST (judged like `ssh HOST CMD`)."""
    w.emit(words, site)
    values: dict[str, Word] = {}
    i = 1
    while i < len(words):
        text = words[i].text
        if text == "--":
            i += 1
            break
        if not text.startswith("-"):
            break
        option, eq, value = text.partition("=")
        if eq and option in _MOSH_VALUES:
            values[option] = replace(words[i], text=value)
        elif text in _MOSH_VALUES and i + 1 < len(words):
            values[text] = words[i + 1]
            i += 1
        i += 1
    host = words[i].text.rpartition("@")[2] if i < len(words) else "mosh"
    remote = words[i + 1 :]
    if remote and remote[0].text == "--":
        remote = remote[1:]
    if "--ssh" in values:
        _local_line(w, "mosh --ssh", values["--ssh"], site)
    if "--server" in values:
        _remote_line(w, "mosh --server", host, values["--server"], site)
    if remote:
        static = all(x.static for x in remote)
        joined = Word(
            " ".join(x.text for x in remote),
            " ".join(x.raw for x in remote),
            remote[0].span,
            static,
        )
        _remote_line(w, f"mosh {host}", host, joined, site)


# The handlers this module adds to the walk's table (safesh.unwrap.handlers).
HANDLERS: dict[str, Handler] = {"sshfs": sshfs, "autossh": autossh, "mosh": mosh}
