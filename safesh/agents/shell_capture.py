"""The definitions an agent's shell snapshot will hold, taken now, when the agent has not
written its snapshot yet.

Claude Code writes its snapshot lazily: when the first Bash command of a process is about to
run, after the PreToolUse hook has answered (measured with Claude Code 2.1.197: at the first
hook call `~/.claude/shell-snapshots` does not exist yet). A `claude -p` run starts that way
every time, so its first command ran with the user's functions unseen. Here the hook does what
the agent is about to do: a login shell of the kind the agent starts (`bash -c -l` or `zsh`)
sources the user's rc file and prints its functions (`declare -f`/`typeset -f`, leaving out
completion functions `_x` as the agents do) and aliases, which `shell_state` then reads like
any snapshot. This runs the user's own rc file, which the agent runs itself moments later.

Only when no snapshot is there and the rc file exists (without one the agents' snapshots define
nothing of the user's). A capture that fails or overruns its time is a snapshot that cannot be
read: the line asks.

Imports only the standard library (`shell_state` imports this module, when it needs it).
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Mapping
from pathlib import Path

# What the agent's snapshot step may take (Claude gives its own 10 s); the hook's deadline
# (3 s by default) bounds it further.
CAPTURE_SECONDS = 2.5
_MARK = "# safesh: definitions of the user shell follow"
_BASH = (
    '[ -r "$HOME/.bashrc" ] && source "$HOME/.bashrc" < /dev/null\n'
    f"builtin printf '%s\\n' '{_MARK}'\n"
    "while builtin read -r _ _ _safesh_f; do\n"
    '  case "$_safesh_f" in _[!_]*) continue ;; esac\n'
    '  builtin declare -f -- "$_safesh_f"\n'
    "done < <(builtin declare -F)\n"
    "builtin alias -p\n"
)
_ZSH = (
    '[[ -r "${ZDOTDIR:-$HOME}/.zshrc" ]] && source "${ZDOTDIR:-$HOME}/.zshrc" < /dev/null\n'
    f"builtin print -r -- '{_MARK}'\n"
    "for _safesh_f in ${(k)functions}; do\n"
    '  [[ "$_safesh_f" == _[^_]* ]] && continue\n'
    '  builtin typeset -f -- "$_safesh_f"\n'
    "done\n"
    "builtin alias -L\n"
)


def agent_shell(agent: str, env: Mapping[str, str]) -> str | None:
    """The shell the agent runs commands in: Claude Code takes `CLAUDE_CODE_SHELL`, then
    `$SHELL`, when it names bash or zsh; Codex the login shell. Else bash from PATH."""
    names = ("CLAUDE_CODE_SHELL", "SHELL") if agent == "claude-code" else ("SHELL",)
    for name in names:
        shell = env.get(name, "")
        if ("bash" in shell or "zsh" in shell) and os.access(shell, os.X_OK):
            return shell
    return shutil.which("bash", path=env.get("PATH") or None)


def rc_file(shell: str, env: Mapping[str, str]) -> Path | None:
    home = env.get("HOME")
    if not home:
        return None
    if "zsh" in os.path.basename(shell):
        return Path(env.get("ZDOTDIR") or home) / ".zshrc"
    return Path(home) / ".bashrc"


# What a capture gives: (where the definitions come from, the text that prints them, or None
# and why not).
Taken = tuple[str, str | None, str]


def capture(agent: str, env: Mapping[str, str], cwd: str | None, seconds: float) -> Taken | None:
    """The functions and aliases the agent's snapshot will define, as the shell prints them,
    or None when it will define nothing of the user's (no rc file). `seconds`: at most this
    long (and CAPTURE_SECONDS)."""
    shell = agent_shell(agent, env)
    if shell is None:
        return None
    rc = rc_file(shell, env)
    if rc is None or not rc.is_file():
        return None
    stat = rc.stat()
    key = (shell, str(rc), stat.st_ino, stat.st_size, stat.st_mtime_ns, env.get("PATH", ""))
    known = _TAKEN.get(key)
    if known is not None:
        return known
    taken = _take(shell, rc, env, cwd, seconds)
    if taken[1] is not None:
        if len(_TAKEN) >= _TAKEN_KEPT:
            _TAKEN.pop(next(iter(_TAKEN)))
        _TAKEN[key] = taken
    return taken


# Captures kept in a long-lived process (the resident judge) per version of the rc file, so an
# agent that never writes a snapshot (Codex with `shell_snapshot` off) does not start a login
# shell for every command. Failed captures are not kept. Bounded, oldest dropped first.
_TAKEN: dict[tuple[str, str, int, int, int, str], Taken] = {}
_TAKEN_KEPT = 8


def _take(shell: str, rc: Path, env: Mapping[str, str], cwd: str | None, seconds: float) -> Taken:
    label = f"the definitions of {rc} (taken by safesh: the agent had no snapshot yet)"
    script = _ZSH if "zsh" in os.path.basename(shell) else _BASH
    where = cwd if cwd and os.path.isdir(cwd) else env.get("HOME")
    try:
        done = subprocess.run(
            [shell, "-c", "-l", script],
            env=dict(env),
            cwd=where,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            timeout=max(0.1, min(seconds, CAPTURE_SECONDS)),
            check=False,
        )
    except (OSError, subprocess.SubprocessError) as error:
        return label, None, f"safesh could not read {rc}: {error}"
    out = done.stdout.decode("utf-8", "surrogateescape")
    if _MARK not in out:
        return label, None, f"safesh could not read the definitions of {rc}"
    return label, out.split(_MARK + "\n", 1)[-1], ""
