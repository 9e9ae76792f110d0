"""What inline programs do: `python -c`, `node -e`, `perl -e`, `ruby -e`, `php -r`, `lua -e`,
an interpreter reading a heredoc or a pipe, and awk programs.

Python is parsed with `ast` (imported only when there is Python to read); the other languages
are read with patterns for the calls that delete, write or run commands. Each call becomes a
fact of the effect model (effects.py: `delete@CLASS`, `overwrite@CLASS`, `code@unknown`,
`fork-bomb@any`), judged against its target, so removing `build/` passes and removing `/srv`
does not. A shell command the program runs (`os.system("rm -rf x")`, `system("…")` in awk) is
returned by `shell_strings` and judged as a command by the matcher.

May import model, checks (the interpreter tables) and targets (path classes).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from safesh.model import Command, Context
from safesh.rules.checks import _INLINE_OPTIONS, _stdin_program, inline_code, interpreter_base
from safesh.rules.targets import path_classes

TYPE_CHECKING = False
if TYPE_CHECKING:
    import ast


@dataclass
class Program:
    """What one inline program does."""

    deletes: list[str] = field(default_factory=list)  # path texts, "" when not static
    tree_deletes: list[str] = field(default_factory=list)  # deleted with everything in them
    writes: list[str] = field(default_factory=list)
    appends: list[str] = field(default_factory=list)
    shell: list[str] = field(default_factory=list)  # command lines it runs
    unknown: list[str] = field(default_factory=list)  # what could not be read
    fork_bomb: bool = False


_LUA = {"lua": frozenset({"-e"}), "luajit": frozenset({"-e"})}


def program_text(command: Command) -> tuple[str, str] | None:
    """(language, program text) of an interpreter given its program inline or on stdin."""
    base = interpreter_base(command.name)
    if base in _LUA:
        args = command.argv[1:]
        for index, arg in enumerate(args[:-1]):
            if arg == "-e":
                return "lua", args[index + 1]
        return None
    if base in {"awk", "gawk", "mawk", "nawk", "busybox-awk"}:
        return _awk_program(command)
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


def read_program(command: Command) -> Program | None:
    found = program_text(command)
    if found is None:
        return None
    language, code = found
    if language == "python":
        return _python(code)
    return _patterns(language, code)


# -- Python, with ast ---------------------------------------------------------------------------

_DELETE_CALLS = frozenset(
    {
        "shutil.rmtree", "os.remove", "os.unlink", "os.rmdir", "os.removedirs",
        "send2trash.send2trash", "rmtree", "remove", "unlink", "rmdir",
    }
)  # fmt: skip
_PATH_METHODS_DELETE = frozenset({"unlink", "rmdir"})
_PATH_METHODS_WRITE = frozenset({"write_text", "write_bytes", "touch"})
_SHELL_CALLS = frozenset({"os.system", "os.popen", "subprocess.getoutput",
                          "subprocess.getstatusoutput", "commands.getoutput"})  # fmt: skip
_ARGV_CALLS = frozenset(
    {
        "subprocess.run", "subprocess.call", "subprocess.check_call", "subprocess.check_output",
        "subprocess.Popen", "os.execv", "os.execvp", "os.execve", "os.execvpe", "os.spawnv",
        "os.spawnvp", "os.posix_spawn", "os.posix_spawnp", "pty.spawn", "run", "call",
        "check_call", "check_output", "Popen",
    }
)  # fmt: skip
_EXECL_CALLS = frozenset({"os.execl", "os.execlp", "os.execle", "os.execlpe", "os.spawnl",
                          "os.spawnlp"})  # fmt: skip
_MOVE_CALLS = frozenset({"shutil.move", "os.rename", "os.replace", "shutil.copy",
                         "shutil.copyfile", "shutil.copy2", "shutil.copytree"})  # fmt: skip
_OPAQUE = frozenset({"eval", "exec", "compile", "__import__", "importlib.import_module",
                     "os.kill", "os.killpg", "ctypes.CDLL", "marshal.loads",
                     "pickle.loads"})  # fmt: skip
_CHMOD = frozenset({"os.chmod", "os.chown", "os.lchown", "os.truncate", "shutil.chown"})


def _python(code: str) -> Program:
    import ast

    try:
        tree = ast.parse(code)
    except (SyntaxError, ValueError):
        return _patterns("python", code)
    reader = _PythonReader()
    reader.visit(tree)
    return reader.program


class _PythonReader:
    """A small abstract interpreter: names bound to constant strings or paths are followed,
    so `p = Path('build'); shutil.rmtree(p)` is judged by `build`."""

    def __init__(self) -> None:
        self.program = Program()
        self.names: dict[str, str | None] = {}
        self.aliases: dict[str, str] = {}  # `import shutil as sh`, `from os import remove`

    def visit(self, node: ast.AST) -> None:
        import ast

        if isinstance(node, ast.Import):
            for alias in node.names:
                self.aliases[alias.asname or alias.name] = alias.name
        elif isinstance(node, ast.ImportFrom):
            for alias in node.names:
                self.aliases[alias.asname or alias.name] = f"{node.module}.{alias.name}"
        elif isinstance(node, ast.Assign):
            value = self.string(node.value)
            for target in node.targets:
                if isinstance(target, ast.Name):
                    self.names[target.id] = value
        elif isinstance(node, (ast.While, ast.For)) and self._forks_forever(node):
            self.program.fork_bomb = True
        elif isinstance(node, ast.Call):
            self.call(node)
        elif isinstance(node, (ast.For, ast.comprehension)):
            target = node.target
            if isinstance(target, ast.Name):
                self.names[target.id] = self._loop_value(node.iter)
        elif isinstance(node, (ast.ListComp, ast.SetComp, ast.GeneratorExp, ast.DictComp)):
            # The loop variables are bound by the generators, which come after the element.
            for generator in node.generators:
                self.visit(generator)
            for child in ast.iter_child_nodes(node):
                if not isinstance(child, ast.comprehension):
                    self.visit(child)
            return
        for child in ast.iter_child_nodes(node):
            self.visit(child)

    def _loop_value(self, iterable: ast.AST) -> str | None:
        """`for p in glob.glob('build/*')`: each p lies under the glob's directory."""
        import ast

        if isinstance(iterable, ast.Call) and iterable.args:
            name = self.name(iterable.func)
            if name.endswith(("glob", "iglob", "listdir", "scandir", "iterdir", "rglob")):
                base = self.string(iterable.args[0])
                if base is not None:
                    return base.rstrip("/") + "/*" if not base.endswith("*") else base
        if isinstance(iterable, ast.Call) and isinstance(iterable.func, ast.Attribute):
            owner = self.string(iterable.func.value)
            if owner is not None and iterable.func.attr in {"glob", "rglob", "iterdir"}:
                return owner.rstrip("/") + "/*"
        if isinstance(iterable, (ast.List, ast.Tuple)):
            values = [self.string(e) for e in iterable.elts]
            if values and all(v is not None for v in values):
                return "{" + ",".join(v for v in values if v is not None) + "}"
        return None

    def _forks_forever(self, node: ast.While | ast.For) -> bool:
        import ast

        if isinstance(node, ast.For):
            return False
        test = node.test
        if not (isinstance(test, ast.Constant) and bool(test.value)):
            return False
        return any(
            isinstance(n, ast.Call) and self.name(n.func).endswith(("fork", "Process", "Popen"))
            for n in ast.walk(node)
        )

    def name(self, func: ast.AST) -> str:
        import ast

        if isinstance(func, ast.Name):
            return self.aliases.get(func.id, func.id)
        if isinstance(func, ast.Attribute):
            owner = self.name(func.value)
            return f"{owner}.{func.attr}" if owner else func.attr
        if isinstance(func, ast.Call):
            return self.name(func.func) + "()"
        return ""

    def string(self, node: ast.AST | None) -> str | None:
        """The constant text of an expression that names a path or a command, if static."""
        import ast

        if node is None:
            return None
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            return node.value
        if isinstance(node, ast.Name):
            return self.names.get(node.id)
        if isinstance(node, ast.JoinedStr):
            parts: list[str] = []
            for value in node.values:
                if isinstance(value, ast.FormattedValue):
                    text = self.string(value.value)
                elif isinstance(value, ast.Constant) and isinstance(value.value, str):
                    text = value.value
                else:
                    text = None
                if text is None:
                    return None
                parts.append(text)
            return "".join(parts)
        if isinstance(node, ast.BinOp) and isinstance(node.op, (ast.Add, ast.Div)):
            left, right = self.string(node.left), self.string(node.right)
            if left is None or right is None:
                return None
            return left + right if isinstance(node.op, ast.Add) else f"{left}/{right}"
        if isinstance(node, ast.Call):
            return self._call_string(node)
        if isinstance(node, ast.Subscript) and self.name(node.value) in {"os.environ"}:
            key = self.string(node.slice)
            return "$HOME" if key == "HOME" else None
        return None

    def _call_string(self, node: ast.Call) -> str | None:
        import ast

        name = self.name(node.func)
        args = [self.string(a) for a in node.args]
        if name.endswith(("Path", "PurePath", "PosixPath")) or name in {"str", "os.fspath"}:
            return "/".join(a for a in args if a is not None) if None not in args else None
        if name.endswith(("Path.home", "expanduser.home")) or name == "pathlib.Path.home":
            return "~"
        if name.endswith(("Path.cwd", "os.getcwd")):
            return "."
        if name in {"os.path.join", "posixpath.join", "path.join"} and None not in args:
            import posixpath

            return posixpath.join(*[a for a in args if a is not None]) if args else None
        if name in {"os.path.expanduser", "os.path.abspath", "os.path.realpath",
                    "os.path.normpath", "os.path.expandvars"} and args:  # fmt: skip
            return args[0]
        if name in {"os.getenv", "os.environ.get"} and args and args[0] == "HOME":
            return "$HOME"
        if isinstance(node.func, ast.Attribute) and node.func.attr in {
            "expanduser", "resolve", "absolute", "joinpath"
        }:  # fmt: skip
            owner = self.string(node.func.value)
            if owner is None or None in args:
                return None
            return "/".join([owner, *[a for a in args if a is not None]])
        return None

    def call(self, node: ast.Call) -> None:
        import ast

        name = self.name(node.func)
        first = node.args[0] if node.args else None
        program = self.program
        short = name.rsplit(".", 1)[-1]
        if short == "rmtree" or name == "os.removedirs":
            program.tree_deletes.append(self.string(first) or "")
        elif name in _DELETE_CALLS:
            program.deletes.append(self.string(first) or "")
        elif name in _SHELL_CALLS:
            self._shell(first)
        elif name in _ARGV_CALLS and first is not None:
            shell = any(k.arg == "shell" and _truthy(k.value) for k in node.keywords)
            if shell or isinstance(first, (ast.Constant, ast.JoinedStr, ast.Name)):
                self._shell(first)
            else:
                self._argv(first)
        elif name in _EXECL_CALLS:
            words = [self.string(a) for a in node.args[1:]]
            self._command_words(words)
        elif name in _MOVE_CALLS and len(node.args) >= 2:
            destination = self.string(node.args[1]) or ""
            program.writes.append(destination)
            if short in {"move", "rename", "replace"}:
                program.deletes.append(self.string(first) or "")
        elif name in {"open", "io.open", "builtins.open", "codecs.open"} and first is not None:
            self._open(node)
        elif isinstance(node.func, ast.Attribute) and node.func.attr in _PATH_METHODS_DELETE:
            owner = self.string(node.func.value)
            program.deletes.append(owner or "")
        elif isinstance(node.func, ast.Attribute) and node.func.attr in _PATH_METHODS_WRITE:
            owner = self.string(node.func.value)
            if node.func.attr != "touch":
                program.writes.append(owner or "")
        elif isinstance(node.func, ast.Attribute) and node.func.attr == "open" and node.args:
            mode = self.string(node.args[0])
            owner = self.string(node.func.value)
            if mode is not None and any(c in mode for c in "wax+"):
                (program.appends if "a" in mode else program.writes).append(owner or "")
        elif name in _CHMOD:
            program.writes.append(self.string(first) or "")
        elif name in _OPAQUE or short in {"eval", "exec"}:
            if not (short == "exec" and name.startswith(("cursor", "conn", "db"))):
                program.unknown.append(name)
        elif name in {"os.fork", "os.forkpty"}:
            pass

    def _open(self, node: ast.Call) -> None:
        mode = "r"
        if len(node.args) >= 2:
            mode = self.string(node.args[1]) or "w"
        for keyword in node.keywords:
            if keyword.arg == "mode":
                mode = self.string(keyword.value) or "w"
        path = self.string(node.args[0]) or ""
        if "a" in mode:
            self.program.appends.append(path)
        elif any(c in mode for c in "wx+"):
            self.program.writes.append(path)

    def _shell(self, node: ast.AST | None) -> None:
        text = self.string(node)
        if text is None:
            self.program.unknown.append("a command built at run time")
        else:
            self.program.shell.append(text)

    def _argv(self, node: ast.AST) -> None:
        import ast

        if isinstance(node, (ast.List, ast.Tuple)):
            self._command_words([self.string(e) for e in node.elts])
        else:
            self.program.unknown.append("an argument list built at run time")

    def _command_words(self, words: list[str | None]) -> None:
        import shlex

        if not words or words[0] is None:
            self.program.unknown.append("a program chosen at run time")
            return
        self.program.shell.append(
            " ".join(shlex.quote(w) if w is not None else '"$UNKNOWN"' for w in words)
        )


def _truthy(node: ast.AST) -> bool:
    import ast

    return not (isinstance(node, ast.Constant) and not node.value)


# -- the other languages, with patterns ---------------------------------------------------------

_Q = r"""(?P<q>['"`])(?P<s>(?:(?!(?P=q)).)*)(?P=q)"""
_AWK_STRING = r"(?P<q>\")(?P<s>(?:[^\"\\]|\\.)*)\""


def _call(names: str, opening: str = r"\s*\(\s*", after: str = "") -> re.Pattern[str]:
    """`NAME(<quoted string>` for each `|`-separated name."""
    return re.compile(r"\b(?:" + names + ")" + opening + _Q + after)


_PAREN = r"\s*\(?\s*"  # Perl, Ruby and Lua call without parentheses too
_LANGUAGE_CALLS: dict[str, list[tuple[str, re.Pattern[str]]]] = {
    "node": [
        (
            "tree",
            _call(
                r"rmSync|rm|rimraf(?:\.sync)?|rimrafSync|removeSync|remove|emptyDirSync"
                r"|emptyDir|Deno\.remove(?:Sync)?"
            ),
        ),
        ("delete", _call(r"rmdirSync|unlinkSync|rmdir|unlink")),
        (
            "write",
            _call(
                r"writeFileSync|writeFile|Deno\.writeTextFile(?:Sync)?|Bun\.write"
                r"|outputFileSync|copyFileSync|renameSync"
            ),
        ),
        ("append", _call(r"appendFileSync|appendFile")),
        ("shell", _call(r"execSync|exec|execaCommand|execaCommandSync|\$")),
        (
            "argv",
            _call(
                r"spawnSync|spawn|execFileSync|execFile|execa|execaSync"
                r"|Bun\.spawn(?:Sync)?",
                after=r"(?:\s*,\s*\[(?P<rest>[^\]]*)\])?",
            ),
        ),
    ],
    "perl": [
        ("tree", _call(r"rmtree|remove_tree", _PAREN)),
        ("delete", _call(r"unlink|rmdir", _PAREN + r"(?:glob\s*\(?\s*)?")),
        ("shell", _call(r"system|exec", _PAREN)),
        ("shell", re.compile(r"\bqx\s*[({/](?P<s>[^)}/]*)[)}/]")),
        ("shell", re.compile(r"`(?P<s>[^`]+)`")),
        (
            "write",
            re.compile(r"""\bopen\s*\(?\s*(?:my\s+)?[$\w]+\s*,\s*['"]\+?>['"]\s*,\s*""" + _Q),
        ),
        (
            "write",
            re.compile(
                r"""\bopen\s*\(?\s*(?:my\s+)?[$\w]+\s*,\s*"""
                r"""['"]>(?P<s>[^'">][^'"]*)['"]"""
            ),
        ),
    ],
    "ruby": [
        (
            "tree",
            _call(r"FileUtils\.(?:rm_rf|rm_r|remove_dir|remove_entry(?:_secure)?|rmtree)", _PAREN),
        ),
        (
            "delete",
            _call(
                r"FileUtils\.(?:rm|rm_f|remove|rmdir)|File\.(?:delete|unlink)"
                r"|Dir\.(?:rmdir|delete|unlink)",
                _PAREN,
            ),
        ),
        ("shell", _call(r"system|exec|spawn|IO\.popen|Open3\.\w+", _PAREN)),
        ("shell", re.compile(r"%x\{(?P<s>[^}]*)\}")),
        ("shell", re.compile(r"`(?P<s>[^`]+)`")),
        ("write", _call(r"File\.(?:write|binwrite)")),
        ("write", _call(r"File\.open", after=r"""\s*,\s*['"][wa]""")),
    ],
    "php": [
        ("delete", _call(r"unlink|rmdir")),
        ("shell", _call(r"system|exec|shell_exec|passthru|popen|proc_open")),
        ("shell", re.compile(r"`(?P<s>[^`]+)`")),
        ("write", _call(r"file_put_contents")),
    ],
    "lua": [
        ("delete", _call(r"os\.remove", _PAREN)),
        ("shell", _call(r"os\.execute|io\.popen", _PAREN)),
        ("write", _call(r"io\.open", after=r"""\s*,\s*['"][wa]""")),
    ],
    "awk": [
        ("shell", re.compile(r"\bsystem\s*\(\s*" + _AWK_STRING + r"\s*\)")),
        ("shell", re.compile(_AWK_STRING + r"\s*\|\s*getline")),
        ("shell", re.compile(r"\|\s*" + _AWK_STRING)),
        ("write", re.compile(r"[^>]>\s*(?P<q>\")(?P<s>[^\"]+)\"")),
        ("append", re.compile(r">>\s*(?P<q>\")(?P<s>[^\"]+)\"")),
    ],
}
# Calls that delete, write or run commands with an argument that is not a literal.
_DYNAMIC = {
    "node": re.compile(
        r"\b(?:rmSync|rmdirSync|unlinkSync|rimraf|execSync|exec|spawnSync|spawn"
        r"|writeFileSync|child_process)\b"
    ),
    "perl": re.compile(r"\b(?:unlink|rmtree|remove_tree|system|exec)\b|`|\bqx\b"),
    "ruby": re.compile(r"\b(?:FileUtils\.\w+|File\.delete|system|exec|spawn|IO\.popen)\b|`|%x\{"),
    "php": re.compile(
        r"\b(?:unlink|rmdir|system|exec|shell_exec|passthru|popen|proc_open"
        r"|eval)\b|`"
    ),
    "lua": re.compile(r"\b(?:os\.remove|os\.execute|io\.popen|loadstring|load)\b"),
    "awk": re.compile(r"\bsystem\s*\(|\|\s*getline|\|\s*\"|\|\s*[a-z]"),
    "python": re.compile(
        r"shutil\.rmtree|os\.(?:remove|unlink|rmdir|system|popen|exec)|subprocess"
    ),
}
_FORK_BOMB = re.compile(
    r"fork\s+while\s+fork"
    r"|while\s*\(?\s*(?:1|true|True)\s*\)?\s*[:{;]?\s*(?:do\s*)?\{?\s*[\w.$]*fork\b"
    r"|loop\s*(?:do|\{)\s*fork|for\s*\(\s*;\s*;\s*\)\s*\{?\s*[\w.$]*fork\b"
    r"|while\s*\(\s*true\s*\)\s*\{?\s*(?:require\(['\"]child_process['\"]\)|child_process|cp)"
    r"\.(?:fork|spawn|exec)"
)


# Spellings of the home directory in the pattern-read languages, rewritten to the literal `~`
# so that `process.env.HOME + '/.bashrc'` reads as the path `~/.bashrc`.
_HOME_EXPRESSIONS = re.compile(
    r"""(?:require\(\s*['"]os['"]\s*\)|\bos)\.homedir\(\)|process\.env\.HOME\b|\bDir\.home\b"""
    r"""|\bENV\[\s*['"]HOME['"]\s*\]|\$ENV\{\s*['"]?HOME['"]?\s*\}|\b(?:os\.)?getenv\(\s*['"]HOME['"]\s*\)"""
    r"""|\$_SERVER\[\s*['"]HOME['"]\s*\]"""
)
_CONCATENATION = re.compile(r"""(['"])([^'"]*)\1\s*(?:\+|\.\.|\.)\s*(['"])([^'"]*)\3""")


def _literal_paths(code: str) -> str:
    code = _HOME_EXPRESSIONS.sub("'~'", code)
    for _ in range(8):
        joined = _CONCATENATION.sub(lambda m: f"'{m.group(2)}{m.group(4)}'", code)
        if joined == code:
            break
        code = joined
    return code


def _patterns(language: str, code: str) -> Program:
    code = _literal_paths(code)
    program = Program(fork_bomb=bool(_FORK_BOMB.search(code)))
    seen: set[tuple[int, int]] = set()
    for kind, pattern in _LANGUAGE_CALLS.get(language, []):
        for match in pattern.finditer(code):
            seen.add(match.span())
            text = match.group("s")
            if "${" in text or "#{" in text or (language in {"perl", "php"} and "$" in text):
                text = ""  # interpolated: not static
            if kind == "delete":
                program.deletes.append(text)
            elif kind == "tree":
                program.tree_deletes.append(text)
            elif kind == "write":
                program.writes.append(text)
            elif kind == "append":
                program.appends.append(text)
            elif kind == "shell":
                if text.split()[:1] in _BARE_SHELLS and "-c" not in text.split():
                    # `print | "sh"`: the program's output is run as commands.
                    program.unknown.append(f"output piped into {text}")
                elif text:
                    program.shell.append(text.replace('\\"', '"'))
                else:
                    program.unknown.append("a command built at run time")
            elif kind == "argv":
                rest = match.groupdict().get("rest") or ""
                extra = re.findall(r"""['"]([^'"]*)['"]""", rest)
                program.shell.append(" ".join([text, *[_quote(e) for e in extra]]))
    dynamic = _DYNAMIC.get(language)
    if dynamic is not None and not (
        program.deletes
        or program.tree_deletes
        or program.writes
        or program.shell
        or program.appends
    ):
        found = dynamic.search(code)
        if found is not None:
            program.unknown.append(found.group(0))
    return program


_BARE_SHELLS = [["sh"], ["bash"], ["zsh"], ["dash"], ["ksh"], ["/bin/sh"], ["/bin/bash"]]


def _quote(word: str) -> str:
    import shlex

    return shlex.quote(word)


# -- facts --------------------------------------------------------------------------------------


def inline_facts(command: Command, context: Context) -> set[str]:
    program = read_program(command)
    if program is None:
        return set()
    facts: set[str] = set()
    for kind, paths in (("delete", program.deletes), ("delete-tree", program.tree_deletes),
                        ("overwrite", program.writes), ("append", program.appends)):  # fmt: skip
        for path in paths:
            classes = path_classes(command, context, path) if path else frozenset({"unknown"})
            facts |= {f"{kind}@{c}" for c in classes}
    if program.unknown:
        facts.add("code@unknown")
    if program.fork_bomb:
        facts.add("fork-bomb@any")
    return facts


def shell_strings(command: Command) -> list[str]:
    """The command lines an inline program runs, to be judged as commands."""
    program = read_program(command)
    return [] if program is None else program.shell
