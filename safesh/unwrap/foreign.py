"""Shells that are not POSIX: PowerShell (`pwsh -c`, `powershell -Command`), cmd (`cmd /c`),
nushell, xonsh and elvish (`-c`). Their code is judged as shell lines: PowerShell's and cmd's
deleting commands (`Remove-Item -Recurse -Force`, `rmdir /s /q`, `del /s`) are spelled as the
`rm` they amount to, other programs (`git`, `docker`, `kubectl`) run as they are; base64
code (`-EncodedCommand`) cannot be read and asks.

May use: `safesh.model`, `.site` and the standard library.
"""

from __future__ import annotations

import re
import shlex

from safesh.model import Word

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing at start-up
if TYPE_CHECKING:
    from safesh.unwrap.site import Site, Walk


# PowerShell's deleting cmdlets and aliases, and cmd's, spelled as the `rm` they amount to.
_PS_DELETE = frozenset({"remove-item", "ri", "rm", "del", "erase", "rd", "rmdir"})
_PS_RECURSE = frozenset({"-recurse", "-r", "-rec"})
_PS_FORCE = frozenset({"-force", "-fo", "-f"})
_PS_PATH_OPTIONS = frozenset({"-path", "-literalpath", "-lp"})
_PS_VALUE_OPTIONS = frozenset({"-include", "-exclude", "-filter", "-stream"})
# Options of each shell whose value is the command string.
CODE_OPTIONS: dict[str, frozenset[str]] = {
    "pwsh": frozenset({"-c", "-command", "-com", "-comm", "-comma", "-comman"}),
    "nu": frozenset({"-c", "--commands"}),
    "xonsh": frozenset({"-c"}),
    "elvish": frozenset({"-c"}),
}
CODE_OPTIONS["powershell"] = CODE_OPTIONS["pwsh"]
_ENCODED = frozenset({"-encodedcommand", "-enc", "-e", "-ec", "-en", "-encoded"})


# Cmdlets (and cmd's `format`) that erase a disk or volume, turn the machine off or restart
# it, or stop a service, spelled as the command that does the same here: `wipefs -a` of a
# device named after the volume (`/dev/volume-D`), `poweroff`, `reboot`, `systemctl stop`.
_PS_DISK = frozenset({"format-volume", "clear-disk", "initialize-disk", "format", "clear-volume"})
_PS_POWER = {"stop-computer": "poweroff", "restart-computer": "reboot"}
_PS_DISK_OPTIONS = frozenset({"-driveletter", "-number", "-disknumber", "-path", "-objectid",
                              "-uniqueid", "-filesystemlabel", "-friendlyname"})  # fmt: skip


# Account, content and folder-mirroring commands of PowerShell and cmd, spelled as the
# POSIX command that does the same; their non-option words (names, paths) follow.
_PS_EQUIVALENTS = {
    "remove-aduser": "userdel", "remove-localuser": "userdel", "remove-adgroup": "groupdel",
    "remove-localgroup": "groupdel", "clear-content": "truncate -s 0",
    "clear-recyclebin": "rm -rf ~/.local/share/Trash",
}  # fmt: skip
# `net user NAME /delete` and `net stop SERVICE`: cmd's account and service commands.
_NET_EQUIVALENTS = {("user", "/delete"): "userdel", ("stop", ""): "systemctl stop"}
# robocopy switches that delete at the destination what the source lacks.
_ROBOCOPY_DELETES = frozenset({"/mir", "/purge", "/move"})


def _spelled_other(name: str, words: list[str]) -> str | None:
    """`_PS_EQUIVALENTS`, `net` and `robocopy` as the POSIX line they amount to, or None."""
    operands = [w for w in words[1:] if not w.startswith(("-", "/")) or w.count("/") > 1]
    quoted = [shlex.quote(w) for w in operands]
    if name in _PS_EQUIVALENTS:
        return " ".join([_PS_EQUIVALENTS[name], *quoted])
    switches = {w.lower() for w in words[1:]}
    if name == "net" and operands:
        for (verb, switch), posix in _NET_EQUIVALENTS.items():
            if operands[0].lower() == verb and (not switch or switch in switches):
                return " ".join([posix, *quoted[1:]])
    if name == "robocopy" and len(operands) >= 2:
        delete = " --delete" if switches & _ROBOCOPY_DELETES else ""
        return f"rsync -a{delete} {quoted[0]} {quoted[1]}"
    return None


def _spelled_cmdlet(words: list[str]) -> str | None:
    """A disk, power, service, account or mirroring command as the shell line it amounts to;
    None for another."""
    name = words[0].lower().removesuffix(".exe")
    if name in _PS_POWER:
        return _PS_POWER[name]
    other = _spelled_other(name, words)
    if other is not None:
        return other
    if name == "stop-service":
        services = [w for w in words[1:] if not w.startswith("-")]
        return "systemctl stop " + " ".join(shlex.quote(x) for x in services or ["service"])
    if name not in _PS_DISK:
        return None
    target = next(
        (
            words[i + 1] if words[i].lower() in _PS_DISK_OPTIONS and i + 1 < len(words)
            else words[i]
            for i in range(1, len(words))
            if words[i].lower() in _PS_DISK_OPTIONS or not words[i].startswith(("-", "/"))
        ),
        "disk",
    )  # fmt: skip
    volume = "".join(c for c in target if c.isalnum()) or "disk"
    return f"wipefs -a /dev/volume-{volume}"


def _in_script_block(words: list[str]) -> str:
    """A disk, power or service cmdlet inside a script block another command runs
    (`Invoke-Command -ComputerName s { Format-Volume -DriveLetter D }`), as an extra line."""
    for start, word in enumerate(words):
        if not word.startswith("{"):
            continue
        inner = [word[1:], *words[start + 1 :]] if len(word) > 1 else words[start + 1 :]
        end = next((i for i, x in enumerate(inner) if x.startswith("}")), len(inner))
        spelled = _spelled_cmdlet(inner[:end]) if inner[:end] else None
        if spelled is not None:
            return "\n" + spelled
    return ""


def _powershell_statement(words: list[str]) -> str:
    """One PowerShell or cmd statement as the shell line it amounts to: a deleting cmdlet
    becomes `rm` (`-Recurse`/`/s` -> `-r`, `-Force`/`/q` -> `-f`) of its paths; a disk,
    power or service cmdlet the command that does the same; any other program runs as it
    is."""
    if not words:
        return ""
    if "|" in words[1:]:
        # A pipeline: each cmdlet that erases a disk or stops the machine is spelled; the rest
        # stays as written (`Get-ChildItem x | Remove-Item` is judged by its names).
        segments: list[list[str]] = [[]]
        for word in words:
            if word == "|":
                segments.append([])
            else:
                segments[-1].append(word)
        line = " | ".join(
            (_spelled_cmdlet(seg) if seg else None) or " ".join(seg) for seg in segments
        )
        return line + "".join(_in_script_block(seg) for seg in segments)
    spelled = _spelled_cmdlet(words)
    if spelled is not None:
        return spelled
    if words[0].lower() not in _PS_DELETE:
        return " ".join(words) + _in_script_block(words)
    flags, paths = "", []
    i = 1
    while i < len(words):
        lower = words[i].lower()
        if lower in _PS_RECURSE or lower == "/s":
            flags += "r"
        elif lower in _PS_FORCE or lower == "/q":
            flags += "f"
        elif lower in _PS_PATH_OPTIONS and i + 1 < len(words):
            paths.append(words[i + 1])
            i += 1
        elif lower in _PS_VALUE_OPTIONS:
            i += 1
        elif not lower.startswith(("-", "/")) or "\\" in lower[1:] or lower.count("/") > 1:
            paths.append(words[i])
        i += 1
    quoted = " ".join(shlex.quote(p) for p in paths)
    return f"rm -{flags} {quoted}" if flags else f"rm {quoted}"


def powershell_lines(code: str) -> str:
    """PowerShell or cmd code as shell lines: statements split at `;`, `&&`, `||` and line
    ends, each spelled by `_powershell_statement`."""
    lines: list[str] = []
    for statement in re.split(r"\r?\n|;|&&|\|\|", code.replace("\\", "/")):
        try:
            words = shlex.split(statement, posix=True)
        except ValueError:
            words = statement.split()
        line = _powershell_statement(words)
        if line.strip():
            lines.append(line)
    return "\n".join(lines)


def other_shell(w: Walk, name: str, words: list[Word], site: Site) -> None:
    """`pwsh -c CODE`, `powershell -Command CODE`, `cmd /c CODE`, `nu -c`, `xonsh -c`,
    `elvish -c`: the code is judged as shell lines (PowerShell's and cmd's deleting commands
    spelled as `rm`)."""
    w.emit(words, site)
    windows = name in {"pwsh", "powershell", "cmd"}
    for i, word in enumerate(words[1:], start=1):
        text = word.text.lower()
        if windows and text in _ENCODED and i + 1 < len(words):
            w.emit(words, site, dynamic=True)  # base64 code: nobody can read it here
            return
        code_option = text in {"/c", "/k"} if name == "cmd" else text in CODE_OPTIONS[name]
        if not code_option:
            if name == "powershell" and _starts_bare_command(words, i):
                # Windows PowerShell reads its first bare word on as -Command
                # (`powershell.exe Clear-Disk -Number 1`); pwsh reads it as -File instead.
                _walk_windows_code(w, words, i, site, name)
                return
            continue
        if i + 1 == len(words):
            return
        if windows:
            _walk_windows_code(w, words, i + 1, site, f"{name} {word.text}")
            return
        code = words[i + 1]
        if not code.static:
            w.emit(words, site, dynamic=True)
            return
        if code.text.strip():
            w.walk_source(code.text, site.nested(f"{name} {word.text}"), f"{name} code")
        return


# Windows PowerShell's options that take a value; the first other bare word starts the code.
_POWERSHELL_VALUES = frozenset(
    {"-executionpolicy", "-ep", "-ex", "-windowstyle", "-w", "-version", "-v", "-outputformat",
     "-of", "-inputformat", "-if", "-configurationname", "-psconsolefile", "-workingdirectory",
     "-wd", "-settingsfile"}
)  # fmt: skip


def _starts_bare_command(words: list[Word], index: int) -> bool:
    """Whether `words[index]` is the first word of Windows PowerShell's command: not an
    option, not an option's value, and no `-File` before it."""
    if words[index].text.startswith(("-", "/")):
        return False
    before = [x.text.lower() for x in words[1:index]]
    if any(b in {"-file", "-f"} for b in before):
        return False
    return not before or before[-1] not in _POWERSHELL_VALUES


def _walk_windows_code(w: Walk, words: list[Word], start: int, site: Site, label: str) -> None:
    """PowerShell or cmd code in `words[start:]` judged as the shell lines it amounts to."""
    rest = words[start:]
    if not all(x.static for x in rest):
        w.emit(words, site, dynamic=True)
        return
    lines = powershell_lines(" ".join(x.text for x in rest))
    if lines.strip():
        w.walk_source(lines, site.nested(label), f"{label.split()[0]} code")
