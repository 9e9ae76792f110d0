"""Which inline program a command carries, if any: `python -c CODE`, `node -e CODE`, an
interpreter reading its program from a heredoc or a pipe, `lua -e`, an awk program, a sed
script that runs commands or writes files.

Split from inline.py, which reads what such a program does: most commands carry none, and
answering that needs only the interpreter tables, not inline.py's patterns or pyprogram.
May import model, checks (the interpreter tables) and sedprogram.
"""

from __future__ import annotations

from safesh.model import Command
from safesh.rules.checks import _INLINE_OPTIONS, _stdin_program, inline_code, interpreter_base

# Interpreters whose inline program follows `-e`, and the language it is read as.
_E_LANGUAGES = {"lua": "lua", "luajit": "lua", "Rscript": "r", "rscript": "r"}


def program_text(command: Command) -> tuple[str, str] | None:
    """(language, program text) of an interpreter given its program inline or on stdin, or of
    an application console given code to run (`rails runner CODE`, `manage.py shell -c`)."""
    if command.name in _APP_CONSOLES:
        return _console_program(command)
    base = interpreter_base(command.name)
    if base in _E_LANGUAGES:
        args = command.argv[1:]
        for index, arg in enumerate(args[:-1]):
            if arg == "-e":
                return _E_LANGUAGES[base], args[index + 1]
        return None
    if base in {"awk", "gawk", "mawk", "nawk", "busybox-awk"}:
        return _awk_program(command)
    if base in {"sed", "gsed"}:
        return _sed_program(command)
    if base not in _INLINE_OPTIONS:
        return None
    code = inline_code(command)
    if code is None:
        code = _stdin_program(command)
    if code is None:
        return None
    language = "node" if base in {"node", "nodejs", "deno", "bun"} else base
    return language, code


_AWK_VALUES = frozenset({"-F", "-v", "-f", "--field-separator", "--assign", "--file", "-i"})


def _awk_program(command: Command) -> tuple[str, str] | None:
    args = command.argv[1:]
    index = 0
    while index < len(args):
        word = args[index]
        if word in {"-f", "--file"}:
            return None  # the program is in a file
        if word in _AWK_VALUES:
            index += 2
            continue
        if word.startswith("-") and word != "-":
            index += 1
            continue
        return "awk", word
    return None


def _sed_program(command: Command) -> tuple[str, str] | None:
    """A sed script that runs commands or writes files (`e`, `s///e`, `w FILE`): the rest of
    sed only prints, and `sed -i`'s own files are judged as a writer's (checks.py)."""
    from safesh.rules.sedprogram import sed_acts, sed_scripts

    scripts = sed_scripts(command.argv)
    if not scripts:
        return None
    script = "\n".join(scripts)
    return ("sed", script) if sed_acts(script) else None


# Application consoles: code run inside the application, with its models and its database
# connection. name -> (subcommands, options whose value is the code, language); `None` as
# the options means the code is the first operand (`rails runner CODE`). With no code given,
# a console runs what its standard input holds (`rails c <<EOF`, `… | manage.py shell`).
_APP_CONSOLES: dict[str, tuple[frozenset[str], frozenset[str] | None, str]] = {
    "rails": (frozenset({"runner", "r"}), None, "ruby"),
    "manage.py": (frozenset({"shell"}), frozenset({"-c", "--command"}), "python"),
    "django-admin": (frozenset({"shell"}), frozenset({"-c", "--command"}), "python"),
    "artisan": (frozenset({"tinker"}), frozenset({"--execute"}), "php"),
    "mix": (frozenset({"run"}), frozenset({"-e", "--eval"}), "elixir"),
    "elixir": (frozenset(), frozenset({"-e", "--eval"}), "elixir"),
    "iex": (frozenset(), frozenset({"-e", "--eval"}), "elixir"),
    "flask": (frozenset({"shell"}), frozenset(), "python"),
}
# Consoles that read code from standard input: name -> subcommands.
_STDIN_CONSOLES = {"rails": frozenset({"console", "c"})}
# Options of these consoles that take a value which is not code (`rails runner -e production`).
_CONSOLE_VALUES = frozenset(
    {"-e", "--environment", "--settings", "--pythonpath", "-i", "--interface"}
)


def _console_program(command: Command) -> tuple[str, str] | None:
    subcommands, code_options, language = _APP_CONSOLES[command.name]
    args = list(command.argv[1:])
    if subcommands:
        if not args or args[0] not in subcommands | _STDIN_CONSOLES.get(command.name, frozenset()):
            return None
        if args[0] in _STDIN_CONSOLES.get(command.name, frozenset()):
            return _console_stdin(command, language)
        args = args[1:]
    index = 0
    while index < len(args):
        word = args[index]
        name, equals, value = word.partition("=")
        if code_options is not None and name in code_options:
            if equals:
                return language, value
            return (language, args[index + 1]) if index + 1 < len(args) else None
        if code_options is None and not word.startswith("-"):
            return language, word
        index += 2 if word in _CONSOLE_VALUES and not equals else 1
    return _console_stdin(command, language)


def _console_stdin(command: Command, language: str) -> tuple[str, str] | None:
    feed = command.feed
    if feed is None or feed.kind not in {"heredoc", "herestring", "pipe"} or not feed.text:
        return None
    return language, feed.text
