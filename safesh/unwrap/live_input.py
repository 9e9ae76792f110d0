"""Programs that run what is typed at them later: a shell with no script, an interpreter with no
program (a REPL), a database console with no SQL, a remote login with no command, an editor or
pager with a shell escape, `at`/`crontab` reading their jobs.

An agent that keeps a started command alive and types into it later (Codex CLI's `exec_command`
with a terminal, then `write_stdin`) sends what it types straight to the program: no hook ever
sees it. Where the context says so (`Context.live_input`, set by such an agent's hook), each
command of the line that starts such a program with its input left to the agent is reported
(kind "live-input"), so the analysis asks. The same program told what to run in the line itself
(`bash -c`, `python3 script.py`, `psql -c`, `ssh host CMD`, a heredoc or a pipe) is judged by
what it runs, as everywhere else.

May use: `safesh.model`, `safesh.record`, `.site`, `.shells`, `.words`, `.wrappers` and the
standard library.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from safesh.lazy_re import later
from safesh.model import Command, Context, Redirect, SimpleCommand, Word
from safesh.record import frozen
from safesh.unwrap.site import Unparsed
from safesh.unwrap.words import split_options
from safesh.unwrap.wrappers import VALUE_OPTIONS


@frozen
class Console:
    """How one program that reads what is typed at it is told to run something given instead.

    `code`: options that hand it its program, query or script (`-c`, `-e`, `-f`, `--eval`): it
    runs that and ends. `values`: its other options that take the next word. `operands`: how
    many positional words it takes that are not code (a database name, a file); more than
    that, and the rest is its program (`sqlite3 app.db 'SELECT 1'`, `redis-cli GET k`); None:
    positional words are never its program (psql's database and user). `interactive`: options
    that make it read typed input even with a program (`python3 -i script.py`). `ends`:
    options that only print something and end (`--version`)."""

    what: str
    code: frozenset[str] = frozenset()
    values: frozenset[str] = frozenset()
    operands: int | None = 0
    interactive: frozenset[str] = frozenset()
    ends: frozenset[str] = frozenset({"--version", "--help", "-h", "-V", "-?"})
    # Positional words it runs as a script and then ends (`mongosh seed.js`).
    scripts: tuple[str, ...] = ()
    # The language of its inline code, when code that evaluates its own input is known
    # (live_openers.INLINE_READERS: `perl -e 'eval <STDIN>'` reads typed input after all).
    language: str = ""


def _set(*items: str) -> frozenset[str]:
    return frozenset(items)


# `--version`/`--help` for the consoles whose `-h` names a host.
_ENDS_H_IS_HOST = _set("--version", "--help", "-V", "-?")


_PYTHON = Console(
    "a Python interpreter",
    language="python",
    code=_set("-c", "-m"),
    values=_set("-W", "-X", "-Q"),
    interactive=_set("-i"),
)
_NODE = Console(
    "a JavaScript interpreter",
    language="node",
    code=_set("-e", "--eval", "-p", "--print", "--test", "--run"),
    values=_set("-r", "--require", "--import", "--loader", "--experimental-loader", "-C",
                "--conditions", "--env-file", "--inspect-port", "--title"),
    interactive=_set("-i", "--interactive"),
)  # fmt: skip
_PERL = Console(
    "a Perl interpreter (it reads its program from what is typed)",
    language="perl",
    code=_set("-e", "-E"),
    values=_set("-I", "-M", "-m", "-x"),
    interactive=_set("-d"),  # `perl -de0`: the debugger runs the Perl typed at it
)
_RUBY = Console(
    "a Ruby interpreter (it reads its program from what is typed)",
    language="ruby",
    code=_set("-e"),
    values=_set("-I", "-r", "-C", "-E", "-F"),
)
_SQLITE = Console(
    "an SQLite console (`.shell` runs commands)",
    values=_set("-cmd", "-init", "-separator", "-newline", "-nullvalue", "-escape"),
    operands=1,
    ends=_set("-version", "-help", "--version", "--help"),
)
_MYSQL = Console(
    "a MySQL console (`system` runs commands)",
    ends=_ENDS_H_IS_HOST,
    code=_set("-e", "--execute"),
    values=_set("-u", "--user", "-h", "--host", "-P", "--port", "-D", "--database", "-S",
                "--socket", "--protocol", "--default-character-set", "--defaults-file",
                "--defaults-extra-file", "--login-path"),
    operands=None,
)  # fmt: skip
_MONGO = Console(
    "a MongoDB shell",
    code=_set("--eval", "-f", "--file"),
    values=_set("-u", "--username", "-p", "--password", "--host", "--port",
                "--authenticationDatabase", "--authenticationMechanism"),
    operands=None,
    interactive=_set("--shell"),
    scripts=(".js", ".mjs", ".cjs"),
)  # fmt: skip
_REPL_ONLY = Console("an interactive interpreter", code=_set("-c", "-e"), operands=0)
_EDITOR = Console(
    "an editor (`:!` and its kin run commands)", operands=None, interactive=frozenset()
)
_PAGER = Console("a pager (`!` runs commands)", operands=None)

# Each program, by its normalised name (`python3.12` is matched as `python` by the caller).
# fmt: off
CONSOLES: dict[str, Console] = {
    "python": _PYTHON, "pypy": _PYTHON, "pypy3": _PYTHON,
    "ipython": Console("an IPython shell", code=_set("-c", "-m"), interactive=_set("-i")),
    "bpython": _REPL_ONLY, "ptpython": _REPL_ONLY,
    "node": _NODE, "nodejs": _NODE,
    "perl": _PERL, "ruby": _RUBY,
    "irb": Console("a Ruby shell"), "pry": Console("a Ruby shell"),
    "php": Console(
        "a PHP interpreter (it reads its program from what is typed)",
        code=_set("-r", "-S", "-l"), values=_set("-c", "-d", "-z", "-t"), interactive=_set("-a"),
        language="php",
    ),
    "lua": Console("a Lua interpreter", code=_set("-e"), values=_set("-l"), interactive=_set("-i")),
    "luajit": Console("a Lua interpreter", code=_set("-e"), values=_set("-l"),
                      interactive=_set("-i")),
    "julia": Console("a Julia REPL", code=_set("-e", "-E", "--eval", "--print"),
                     values=_set("-t", "--threads", "-p", "--procs", "--project", "-J"),
                     interactive=_set("-i")),
    "osascript": Console("an AppleScript interpreter (it reads its program from what is typed)",
                         code=_set("-e"), values=_set("-l", "-s")),
    "pwsh": Console("a PowerShell",
                    code=_set("-c", "-Command", "-f", "-File", "-EncodedCommand"),
                    values=_set("-WorkingDirectory", "-ExecutionPolicy"),
                    interactive=_set("-NoExit")),
    "tclsh": Console("a Tcl shell (`exec` runs commands)"),
    "wish": Console("a Tcl shell (`exec` runs commands)"),
    "expect": Console("an expect interpreter (`spawn` and `system` run commands)",
                      code=_set("-c", "-f"), values=_set("-D")),
    "gdb": Console("a debugger (`shell` runs commands)", code=_set("-batch", "--batch"),
                   values=_set("-x", "-ex", "-p", "--pid", "-cd", "-d", "-iex", "-ix"),
                   operands=None),
    "lldb": Console("a debugger (`platform shell` runs commands)", code=_set("-b", "--batch"),
                    values=_set("-o", "-O", "-s", "-S", "-p", "--attach-pid", "-n"), operands=None),
    "ghci": Console("a Haskell REPL", operands=None),
    "jshell": Console("a Java shell", operands=None),
    "psql": Console(
        "a PostgreSQL console (`\\!` runs commands)",
        ends=_ENDS_H_IS_HOST,
        code=_set("-c", "--command", "-f", "--file", "-l", "--list"),
        values=_set("-d", "--dbname", "-h", "--host", "-p", "--port", "-U", "--username",
                    "-v", "--set", "--variable", "-P", "--pset", "-o", "--output", "-L",
                    "--log-file", "-F", "--field-separator", "-R", "--record-separator", "-T",
                    "--table-attr"),
        operands=None,
    ),
    "pgcli": Console("a PostgreSQL console", ends=_ENDS_H_IS_HOST,
                     code=_set("-e", "--execute"), operands=None,
                     values=_set("-h", "--host", "-p", "--port", "-U", "--username", "-d",
                                 "--dbname")),
    "mysql": _MYSQL, "mariadb": _MYSQL,
    "mycli": Console("a MySQL console", ends=_ENDS_H_IS_HOST,
                     code=_set("-e", "--execute"), operands=None,
                     values=_set("-h", "--host", "-P", "--port", "-u", "--user", "-D",
                                 "--database")),
    "sqlite3": _SQLITE, "duckdb": _SQLITE,
    "litecli": Console("an SQLite console", code=_set("-e", "--execute"), operands=1),
    "mongosh": _MONGO, "mongo": _MONGO,
    "redis-cli": Console(
        "a Redis console",
        ends=_ENDS_H_IS_HOST,
        values=_set("-h", "-p", "-s", "-a", "-u", "-n", "-r", "-i", "-d", "-D", "--user",
                    "--pass", "--cacert", "--cacertdir", "--cert", "--key", "--sni",
                    "--tls-ciphers", "--tls-ciphersuites", "--rdb", "--functions-rdb"),
    ),
    "valkey-cli": Console("a Valkey console", ends=_ENDS_H_IS_HOST,
                          values=_set("-h", "-p", "-s", "-a", "-u", "-n")),
    "cqlsh": Console("a Cassandra console", code=_set("-e", "--execute", "-f", "--file"),
                     values=_set("-u", "--username", "-p", "--password", "-k", "--keyspace"),
                     operands=None),
    "clickhouse-client": Console("a ClickHouse console", ends=_ENDS_H_IS_HOST,
                                 code=_set("-q", "--query", "--queries-file"),
                                 values=_set("-h", "--host", "--port", "-u", "--user",
                                             "--password", "-d", "--database"), operands=None),
    "sqlcmd": Console("an SQL Server console", code=_set("-Q", "-i"),
                      values=_set("-S", "-U", "-P", "-d", "-q"), operands=None),
    "usql": Console("an SQL console", code=_set("-c", "--command", "-f", "--file"),
                    operands=1),
    "telnet": Console("a telnet session", operands=None),
    "vi": _EDITOR, "vim": _EDITOR, "nvim": _EDITOR, "view": _EDITOR, "vimdiff": _EDITOR,
    "ex": _EDITOR, "ed": _EDITOR, "nano": _EDITOR, "emacs": Console(
        "an editor (`M-!` runs commands)", code=_set("--batch", "-batch", "--script"),
        operands=None),
    "less": _PAGER, "more": _PAGER, "most": _PAGER,
}
# fmt: on

# Interpreters spelled with a version (`python3.12`, `lua5.4`, `pypy3.10`).
_VERSIONED = later(r"^(?P<base>python|pypy|lua|ruby|perl|php|node)[0-9][0-9.]*$")
# `python -m MODULE` modules that are themselves a REPL or a debugger reading typed commands.
_REPL_MODULES = frozenset(
    {"asyncio", "code", "pdb", "IPython", "ptpython", "bpython", "sqlite3", "idlelib",
     "ipdb", "pudb"}
)  # fmt: skip
# Editors told to run commands and quit (`vim -c 'wq' f`, `vim +wq f`): no typing is read.
_QUITS = later(r"^(?:x|wqa?|qa?|xa|q|wq)!?$")
# Files that are the line's standard input (`source /dev/stdin`).
_STDIN_FILES = frozenset({"-", "/dev/stdin", "/dev/fd/0", "/proc/self/fd/0"})
# Input redirects of standard input: what the program reads is in the line.
_INPUT_OPS = frozenset({"<", "<<", "<<-", "<<<", "<>"})
# Programs that read keys from the terminal itself (/dev/tty), whatever their standard input.
_READ_THE_TERMINAL = frozenset(
    {"vi", "vim", "nvim", "view", "vimdiff", "nano", "emacs", "less", "more", "most"}
)
# Wrappers whose command does not read the line's standard input: xargs gives it /dev/null,
# nohup replaces a terminal with /dev/null; a frame fed a script (`bash <stdin>`, `bash
# <x.sh>`) hands its commands the rest of that script.
_NO_INPUT_VIA = ("xargs", "parallel", "nohup")


def live_input_problems(
    commands: Sequence[Command], line: Sequence[SimpleCommand], context: Context | None = None
) -> list[Unparsed]:
    """One problem (kind "live-input") per command that starts a program reading what the
    agent types into the line's standard input. `line`: the simple commands of the line as
    typed, whose redirects and pipes the commands found inside them inherit (`bash -c
    'python3' < /dev/null`). `context`: the environment the agent runs the line in (an editor
    pinned there, `GIT_EDITOR=true`, opens nothing to type into)."""
    problems: list[Unparsed] = []
    # The line's commands by pipeline stage and by span, found once (a scan of the whole line
    # per command that reads typed input made a script of many quadratic).
    stages: dict[tuple[tuple[str, ...], int, int], list[Command]] = {}
    for c in commands:
        stages.setdefault((c.via, c.pipeline[0], c.pipeline[1]), []).append(c)
    spans: dict[tuple[int, int], SimpleCommand] = {}
    for s in line:
        spans.setdefault((s.span.start, s.span.end), s)
    for command in commands:
        what = reads_typed_input(command, _lookup(command, context))
        if what is None:
            continue
        if _reads_the_terminal(command):
            if command.background:
                continue
        elif _piped_typing(command, stages):
            # `cat | python3`: what is typed at cat reaches python3, unless the line around a
            # nested pipe gives it its input (`bash -c 'cat | python3' < script.py`)
            around = _typed_around(command, line, spans)
            if command.via and around is not None and not _left_open(around):
                continue
        else:
            around = _typed_around(command, line, spans)
            if not _input_left_open(command) or (around is not None and not _left_open(around)):
                continue
            if any(_takes_input(v) for v in command.via):
                continue
        problems.append(
            Unparsed(
                command.span,
                f"`{' '.join(command.argv)[:80]}` starts {what}, which runs what is typed at it"
                " later; the agent can type into it without safesh seeing what it types",
                command.source,
                kind="live-input",
            )
        )
    return problems


def _lookup(command: Command, context: Context | None) -> Callable[[str], str | None]:
    """The value of a variable as `command` sees it: its own assignments (`GIT_EDITOR=true
    git commit`, `env EDITOR=cat …`), then the agent's environment."""
    assigned = dict(command.assignments)

    def lookup(name: str) -> str | None:
        if name in assigned:
            return assigned[name]
        return context.getenv(name) if context is not None else None

    return lookup


# Programs that copy their standard input to their output when given no file: in a pipe they
# hand what the agent types to the next program (`cat | python3`). The value: positional
# words that are not a file (`tr SET1 SET2`, `tee FILE` writes a copy and passes it on).
_PASS_THROUGH = {"cat": 0, "tac": 0, "pv": 0, "head": 0, "tail": 0, "rev": 0, "base64": 0,
                 "dd": None, "tee": None, "tr": None, "stdbuf": None}  # fmt: skip
# Their options that take the next word (`head -c 4096`, `pv -L 1k`).
_PASS_VALUES = frozenset({"-c", "-n", "-L", "-s", "-N", "-i", "-w", "-H"})


def _piped_typing(
    command: Command, stages: dict[tuple[tuple[str, ...], int, int], list[Command]]
) -> bool:
    """Whether `command` reads a pipe from a program that passes on what is typed at it,
    with that program's own input left to the agent (`cat | python3`, not `cat f | sh` nor
    `cat < f | sh`)."""
    feed = command.feed
    if feed is None or feed.kind != "pipe" or not feed.source:
        return False
    source = feed.source[0].rsplit("/", 1)[-1]
    if source not in _PASS_THROUGH:
        return False
    if source == "dd" and any(w.startswith("if=") for w in feed.source[1:]):
        return False
    operands: list[str] = []
    words = iter(feed.source[1:])
    for word in words:
        if word in _PASS_VALUES:
            next(words, None)
        elif word == "-" or not word.startswith("-"):
            operands.append(word)
    allowed = _PASS_THROUGH[source]
    if allowed is not None and any(w != "-" for w in operands[allowed:]):
        return False
    pid, position, _ = command.pipeline
    before = stages.get((command.via, pid, position - 1), [])
    return all(_open(c.background, c.pipeline, c.redirects) for c in before)


def _typed_around(
    command: Command, line: Sequence[SimpleCommand], spans: dict[tuple[int, int], SimpleCommand]
) -> SimpleCommand | None:
    """The smallest simple command of the typed line that holds `command`. `spans`: the first
    command of the line with each span; one with the very same span is as small as any."""
    start, end = command.span.start, command.span.end
    if (start, end) in spans:
        return spans[start, end]
    holding = [s for s in line if s.span.start <= start and end <= s.span.end]
    return min(holding, key=lambda s: s.span.end - s.span.start, default=None)


def _input_left_open(command: Command) -> bool:
    """Standard input is the line's own: not a pipe, a redirect or a heredoc, not a
    background job (a non-interactive shell gives those /dev/null)."""
    return command.feed is None and _open(command.background, command.pipeline, command.redirects)


def _left_open(simple: SimpleCommand) -> bool:
    return _open(simple.background, simple.pipeline, simple.redirects)


def _open(background: bool, pipeline: tuple[int, int, int], redirects: Sequence[Redirect]) -> bool:
    if background or pipeline[1] > 0:
        return False
    return not any(r.op in _INPUT_OPS and r.fd in (None, 0) for r in redirects)


def _takes_input(via: str) -> bool:
    return via.startswith(_NO_INPUT_VIA) or " <" in via


def _reads_the_terminal(command: Command) -> bool:
    """Full-screen editors and pagers read keys from the terminal itself, whatever feeds
    their standard input (`git diff | less`); silent ex mode (`vim -es`) reads it instead."""
    if command.name not in _READ_THE_TERMINAL:
        return False
    return not {"-s", "-es", "-Es", "-e", "--headless"} & set(command.argv[1:])


def reads_typed_input(
    command: Command, lookup: Callable[[str], str | None] | None = None
) -> str | None:
    """What `command` starts, when it is a program that runs what is typed at it later and
    the line gives it nothing else to run; None otherwise. `lookup`: the environment it runs
    with (None: nothing set)."""
    from safesh.unwrap.shells import SHELLS, parse_shell_call  # only for an agent's live line

    name = command.name
    if name in OPENER_PROGRAMS:
        from safesh.unwrap.live_openers import opener  # only for a line naming one of them

        return opener(name, command.argv[1:], lookup or _unset)
    words = _words(command)
    if name in SHELLS:
        call = parse_shell_call(words, fish=name == "fish")
        if call.opaque or call.wants_command or call.script is not None:
            return None
        return None if {"--version", "--help"} & set(command.argv[1:]) else "a shell"
    base = _VERSIONED.match(name)
    console = CONSOLES.get(base.group("base") if base else name)
    if console is not None:
        return console.what if _console_reads(console, command.argv[1:]) else None
    if name in {"source", "."} and command.argv[1:2] and command.argv[1] in _STDIN_FILES:
        return "the shell itself, reading its commands from what is typed"
    special = _SPECIAL.get(name)
    return special(words[1:]) if special is not None else None


def _words(command: Command) -> list[Word]:
    if len(command.words) == len(command.argv):
        return list(command.words)
    return [Word(text, text, command.span) for text in command.argv]


def _console_reads(console: Console, args: tuple[str, ...]) -> bool:
    """Whether the console reads typed input, given these arguments: no program, query or
    script in them (or an option that reads typed input anyway)."""
    if console is _EDITOR:
        return _editor_reads(args)
    forced = False
    i = 0
    while i < len(args):
        word = args[i]
        i += 1
        key = word.split("=", 1)[0]
        if word == "-":
            return True  # its program is what is typed
        if word == "--" or not word.startswith("-"):
            rest = args[i:] if word == "--" else args[i - 1 :]
            return forced or _operands_leave_input(console, rest) or _script_console(rest)
        if key in console.ends:
            return False
        if key in console.interactive:
            forced = True
        elif key in console.code:
            if console is _PYTHON and key == "-m":
                module = args[i] if i < len(args) else ""
                return forced or module.split(".", 1)[0] in _REPL_MODULES
            code = word.split("=", 1)[1] if "=" in word else args[i] if i < len(args) else ""
            return forced or _evaluates_input(console, code, args)
        elif key in console.values:
            i += 0 if "=" in word else 1
        elif not word.startswith("--") and len(word) > 2:
            cluster_forces, cluster_code = _cluster(console, word)
            forced = forced or cluster_forces
            if cluster_code:
                code = _attached_code(console, word) or (args[i] if i < len(args) else "")
                return forced or _evaluates_input(console, code, args)
    return True


def _attached_code(console: Console, cluster: str) -> str:
    """The code glued to a short option cluster (`-e'eval <STDIN>'` -> `eval <STDIN>`)."""
    for index, letter in enumerate(cluster[1:], start=2):
        if "-" + letter in console.code:
            return cluster[index:]
    return ""


def _evaluates_input(console: Console, code: str, args: tuple[str, ...]) -> bool:
    """Inline code that runs what it reads from its input, or starts a console on it
    (`perl -ne 'eval'`, `python3 -c 'import code; code.interact()'`)."""
    if not console.language:
        return False
    from safesh.unwrap.live_openers import inline_reads_input  # only for inline code

    loops = any(
        a.startswith("-") and not a.startswith("--") and ("n" in a[1:3] or "p" in a[1:3])
        for a in args
        if a != code
    )
    return inline_reads_input(console.language, code, loops)


# Scripts that start a console on the app (`python3 manage.py shell`, `php artisan tinker`).
_SCRIPT_CONSOLES = frozenset({"manage.py", "artisan"})


def _script_console(rest: tuple[str, ...]) -> bool:
    script = rest[0].rsplit("/", 1)[-1] if rest else ""
    if script not in _SCRIPT_CONSOLES:
        return False
    from safesh.unwrap.live_openers import opener  # only for a line naming one

    return opener(script, rest[1:], _unset) is not None


def _operands_leave_input(console: Console, rest: tuple[str, ...]) -> bool:
    """From the first positional word on: the console reads typed input unless a positional
    word beyond its operands is its program (a script, SQL, a command), or a code option
    follows (`psql app -c 'SQL'`; `sqlite3 app.db -cmd …` is still a console)."""
    if console.operands == 0:
        return False  # `python3 script.py ARGS`: the first word is the script
    positional = 0
    i = 0
    while i < len(rest):
        word = rest[i]
        i += 1
        if word.startswith("-") and word != "-":
            key = word.split("=", 1)[0]
            if key in console.code or key in console.ends:
                return False
            i += 1 if key in console.values and "=" not in word else 0
            continue
        if console.scripts and word.endswith(console.scripts):
            return False
        positional += 1
    return console.operands is None or positional <= console.operands


def _cluster(console: Console, word: str) -> tuple[bool, bool]:
    """(forces typed input, gives code) for a short option cluster (`-ic`, `-Bc'code'`)."""
    forced = False
    for letter in word[1:]:
        option = "-" + letter
        if option in console.interactive:
            forced = True
        if option in console.code:
            return forced, True
        if option in console.values:
            break
    return forced, False


def _editor_reads(args: tuple[str, ...]) -> bool:
    """An editor reads typed commands unless told to run commands that quit (`vim -c wq f`,
    `vim +wq f`) or only to print its version."""
    if {"--version", "--help", "-h"} & set(args):
        return False
    for index, word in enumerate(args):
        if word.startswith("+") and _QUITS.match(word[1:]):
            return False
        if word in {"-c", "--cmd"} and index + 1 < len(args) and _QUITS.match(args[index + 1]):
            return False
    return True


def _ssh(args: list[Word]) -> str | None:
    """`ssh HOST` with no remote command is a login shell on HOST; `-N`, `-W`, `-O`, `-G` and
    the like open no shell."""
    options, rest = split_options(args, VALUE_OPTIONS["ssh"])
    texts = {w.text for w in options}
    if not rest or texts & {"-N", "-W", "-O", "-G", "-V", "-Q"}:
        return None
    _, remote = split_options(rest[1:], VALUE_OPTIONS["ssh"])
    return None if remote else f"a login shell on {rest[0].text}"


def _mosh(args: list[Word]) -> str | None:
    return None if any(w.text == "--" for w in args) else "a login shell (mosh)"


def _scheduler(args: list[Word]) -> str | None:
    """`at TIME` / `batch` read the job's commands from what is typed (not with `-f FILE`,
    nor when listing or removing jobs)."""
    if {w.text for w in args} & {"-f", "-l", "-d", "-r", "-c", "-V", "--help"}:
        return None
    return "a job reader (`at`/`batch` run the commands typed at them later)"


def _crontab(args: list[Word]) -> str | None:
    """`crontab -e` opens an editor on the crontab; `crontab` and `crontab -` read it."""
    texts = [w.text for w in args]
    if "-e" in texts:
        return "an editor on the crontab (what is typed there runs on schedule)"
    listing = {"-l", "-r", "-V", "-T", "--help"} & set(texts)
    if listing or any(t != "-" and not t.startswith("-") for t in texts):
        return None
    return "a crontab reader (the jobs typed at it run on schedule)"


def _script(args: list[Word]) -> str | None:
    """`script [FILE]` starts an interactive shell and records it; `-c CMD` runs CMD."""
    texts = [w.text for w in args]
    if {"-c", "--command"} & set(texts) or any(t.startswith("--command=") for t in texts):
        return None
    return "a shell (script records an interactive shell)"


# tmux's global options that take a value, and new-session's.
_TMUX_GLOBAL_VALUES = frozenset({"-L", "-S", "-f", "-c", "-T"})
_TMUX_NEW_VALUES = frozenset({"-s", "-n", "-c", "-t", "-x", "-y", "-e", "-F", "-f"})


def _after_options(texts: list[str], values: frozenset[str]) -> int:
    i = 0
    while i < len(texts) and texts[i].startswith("-") and texts[i] != "--":
        i += 2 if texts[i] in values else 1
    return i


def _tmux(args: list[Word]) -> str | None:
    """`tmux`, `tmux new` with no command: a shell; `tmux attach`: the session's program."""
    texts = [w.text for w in args]
    i = _after_options(texts, _TMUX_GLOBAL_VALUES)
    if i >= len(texts):
        return "a shell in a terminal multiplexer"
    verb, rest = texts[i], texts[i + 1 :]
    if verb in {"attach", "attach-session", "a", "at"}:
        return "a terminal multiplexer session (whatever runs there)"
    if verb in {"new", "new-session"}:
        j = _after_options(rest, _TMUX_NEW_VALUES)
        detached = any(t.startswith("-") and "d" in t[1:] and len(t) <= 4 for t in rest[:j])
        if not detached and j >= len(rest):
            return "a shell in a terminal multiplexer"
    return None


# screen's options letters that take the next word (runners.py reads the same).
_SCREEN_VALUES = frozenset("SpcehstT")


def _screen(args: list[Word]) -> str | None:
    """`screen` with no program starts a shell; `-r`/`-x` attach to a session; `-dm` starts
    it detached."""
    texts = [w.text for w in args]
    i = 0
    letters = ""
    while i < len(texts) and texts[i].startswith("-"):
        letters += texts[i][1:]
        i += 2 if texts[i][-1:] in _SCREEN_VALUES else 1
    if {"X", "l", "s"} & set(letters) and ("X" in letters or "ls" in letters):
        return None
    if {"r", "R", "x"} & set(letters):
        return "a terminal multiplexer session (whatever runs there)"
    if "d" in letters and "m" in letters:
        return None
    return "a shell in a terminal multiplexer" if i >= len(texts) else None


_SPECIAL = {
    "ssh": _ssh, "mosh": _mosh, "at": _scheduler, "batch": _scheduler, "crontab": _crontab,
    "script": _script, "tmux": _tmux, "screen": _screen,
}  # fmt: skip


def _unset(name: str) -> str | None:
    return None


# The programs safesh.unwrap.live_openers reads (an editor another program opens, a shell or
# console a subcommand starts, a container run with the agent's input attached); that module
# is loaded only for a line naming one. tests/test_family_live_input.py checks the two agree.
# fmt: off
OPENER_PROGRAMS = frozenset({
    "git", "docker", "podman", "nerdctl", "finch", "docker-compose", "kubectl", "oc", "visudo",
    "vipw", "vigr", "sudoedit", "edquota", "vidir", "vipe", "fc", "systemctl", "virsh",
    "heroku", "chroot", "nsenter", "unshare", "runuser", "newgrp", "run0", "systemd-run",
    "machinectl", "nix-shell", "nix", "poetry", "pipenv", "hatch", "pdm", "vagrant", "lxc",
    "incus", "multipass", "distrobox", "toolbox", "gcloud", "aws", "az", "fly", "flyctl",
    "railway", "rails", "flask", "manage.py", "artisan", "cockroach", "deno", "bun",
    "ts-node", "tsx", "lein", "sbt",
    "iex", "erl", "r", "octave", "gnuplot", "scala", "spark-shell", "pyspark", "guile",
    "racket", "sbcl", "ocaml", "utop", "swipl", "sftp", "ftp", "lftp", "smbclient", "mc",
    "ranger", "vifm", "nnn", "lf",
})
# fmt: on
