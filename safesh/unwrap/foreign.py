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


def _spelled_cmdlet(words: list[str]) -> str | None:
    """A disk, power or service cmdlet as the shell line it amounts to; None for another."""
    name = words[0].lower()
    if name in _PS_POWER:
        return _PS_POWER[name]
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
    for i, word in enumerate(words[1:-1], start=1):
        text = word.text.lower()
        if windows and text in _ENCODED:
            w.emit(words, site, dynamic=True)  # base64 code: nobody can read it here
            return
        code_option = text in {"/c", "/k"} if name == "cmd" else text in CODE_OPTIONS[name]
        if not code_option:
            continue
        rest = words[i + 1 :]
        if not all(x.static for x in rest):
            w.emit(words, site, dynamic=True)
            return
        code = " ".join(x.text for x in rest) if windows else rest[0].text
        lines = powershell_lines(code) if windows else code
        if lines.strip():
            w.walk_source(lines, site.nested(f"{name} {word.text}"), f"{name} code")
        return
