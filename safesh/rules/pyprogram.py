"""What a Python program does, read with `ast` (inline.py hands it `python -c` code and
Python on standard input).

A small abstract interpreter: imports and aliases are followed (`import shutil as sh`,
`from os import remove`), names bound to constant strings or paths are remembered
(`p = Path('build'); shutil.rmtree(p)`), loops over `glob`/`listdir`/a literal list bind their
variable to the place they walk. Deletions, writes, appends, shell commands and code that
cannot be read become a `Program`. Nothing is executed. May import model only; `ast` is
imported on first use.
"""

from __future__ import annotations

from safesh.record import field, mutable

TYPE_CHECKING = False
if TYPE_CHECKING:
    import ast


@mutable
class Program:
    """What one inline program does."""

    deletes: list[str] = field(default_factory=list)  # path texts, "" when not static
    tree_deletes: list[str] = field(default_factory=list)  # deleted with everything in them
    writes: list[str] = field(default_factory=list)
    appends: list[str] = field(default_factory=list)
    shell: list[str] = field(default_factory=list)  # command lines it runs
    unknown: list[str] = field(default_factory=list)  # what could not be read
    requests: list[tuple[str, str]] = field(default_factory=list)  # HTTP (METHOD, url)
    fork_bomb: bool = False


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
_DATABASE_OPENS = frozenset({"sqlite3.connect", "sqlite3.dbapi2.connect", "apsw.Connection",
                             "dbm.open", "shelve.open"})  # fmt: skip


def read_python(code: str) -> Program | None:
    """The program's effects, or None when it is not valid Python (read with patterns)."""
    import ast

    try:
        tree = ast.parse(code)
    except (SyntaxError, ValueError):
        return None
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
                value = self._loop_value(node.iter)
                if value is not None and isinstance(node, ast.comprehension) and node.ifs:
                    # `for f in listdir('.') if f.endswith('.pyc')`: some entries, not all.
                    value = value.removesuffix("*") + "some-entry"
                self.names[target.id] = value
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
        request = self._request(node, name, short)
        if request is not None:
            program.requests.append(request)
        elif short == "rmtree" or name == "os.removedirs":
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
        elif name in _DATABASE_OPENS and first is not None:
            # A database connection can change the file in place (`UPDATE approvals …`).
            program.appends.append(self.string(first) or "")
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

    def _request(self, node: ast.Call, name: str, short: str) -> tuple[str, str] | None:
        """`requests.delete(url)`, `httpx.post(url, json=…)`, `session.put(url)`,
        `requests.request("DELETE", url)`, `urllib.request.Request(url, method="DELETE")`."""
        args = [self.string(a) for a in node.args]
        method: str | None = None
        url: str | None = None
        if short in _HTTP_METHODS and args and _looks_like_url(args[0]):
            method, url = short.upper(), args[0]
        elif short == "request" and len(args) >= 2 and _looks_like_url(args[1]):
            method, url = (args[0] or "POST").upper(), args[1]
        elif short == "Request" and args and _looks_like_url(args[0]):
            given = next((self.string(k.value) for k in node.keywords if k.arg == "method"), None)
            has_data = len(node.args) > 1 or any(k.arg == "data" for k in node.keywords)
            method, url = (given or ("POST" if has_data else "GET")).upper(), args[0]
        if method is None or url is None:
            return None
        return method, url

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


_HTTP_METHODS = frozenset({"get", "head", "post", "put", "patch", "delete", "options"})


def _looks_like_url(text: str | None) -> bool:
    return text is not None and text.startswith(("http://", "https://"))


def _truthy(node: ast.AST) -> bool:
    import ast

    return not (isinstance(node, ast.Constant) and not node.value)
