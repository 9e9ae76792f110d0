"""What inline programs do: `python -c`, `node -e`, `perl -e`, `ruby -e`, `php -r`, `lua -e`,
an interpreter reading a heredoc or a pipe, and awk programs.

Python is parsed with `ast` in pyprogram.py (imported only when there is Python to read);
the other languages are read with patterns for the calls that delete, write or run commands.
Each call becomes a fact of the effect model (effects.py: `delete@CLASS`, `overwrite@CLASS`,
`code@unknown`, `fork-bomb@any`), judged against its target, so removing `build/` passes and
removing `/srv` does not. A shell command the program runs (`os.system("rm -rf x")`, awk's
`system("…")`) is returned by `shell_strings` and judged as a command by the matcher.

`program_text` (which program a command carries) is in programs.py, so that a command with
none is judged without importing this module. May import model, programs and pyprogram.
"""

from __future__ import annotations

import re

from safesh.lazy_re import later
from safesh.model import Command
from safesh.rules.programs import program_text
from safesh.rules.pyprogram import Program


def read_program(command: Command) -> Program | None:
    found = program_text(command)
    if found is None:
        return None
    language, code = found
    if language == "sed":
        from safesh.rules.sedprogram import sed_acts

        acts = sed_acts(code)
        return Program(writes=acts.writes, shell=acts.shell, unknown=acts.unknown)
    if language == "python":
        from safesh.rules.pyprogram import read_python

        program = read_python(code)
        if program is not None:
            return program
    return _patterns(language, code)


# -- the other languages, with patterns ---------------------------------------------------------

_Q = r"""(?P<q>['"`])(?P<s>(?:(?!(?P=q)).)*)(?P=q)"""
_AWK_STRING = r"(?P<q>\")(?P<s>(?:[^\"\\]|\\.)*)\""


def _call(names: str, opening: str = r"\s*\(\s*", after: str = "") -> re.Pattern[str]:
    """`NAME(<quoted string>` for each `|`-separated name."""
    return later(r"\b(?:" + names + ")" + opening + _Q + after)


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
        ("request", _call(r"fetch", after=r"""\s*,\s*\{[^}]*method\s*:\s*['"](?P<method>\w+)""")),
        (
            "request",
            later(
                r"(?:\b(?:axios|got|ky|superagent)|require\(\s*['\"](?:axios|got)['\"]\s*\))"
                r"\.(?P<method>delete|put|patch|post)"
                r"\s*\(\s*" + _Q
            ),
        ),
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
        (
            "argv",
            _call(r"system|exec", _PAREN, after=r"""(?P<rest>(?:\s*,\s*['"][^'"]*['"])*)"""),
        ),
        ("shell", later(r"\bqx\s*[({/](?P<s>[^)}/]*)[)}/]")),
        ("shell", later(r"`(?P<s>[^`]+)`")),
        (
            "write",
            later(r"""\bopen\s*\(?\s*(?:my\s+)?[$\w]+\s*,\s*['"]\+?>['"]\s*,\s*""" + _Q),
        ),
        (
            "write",
            later(
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
        ("shell", later(r"%x\{(?P<s>[^}]*)\}")),
        ("shell", later(r"`(?P<s>[^`]+)`")),
        ("write", _call(r"File\.(?:write|binwrite)")),
        ("write", _call(r"File\.open", after=r"""\s*,\s*['"][wa]""")),
    ],
    "php": [
        ("delete", _call(r"unlink|rmdir")),
        ("shell", _call(r"system|exec|shell_exec|passthru|popen|proc_open")),
        ("shell", later(r"`(?P<s>[^`]+)`")),
        ("write", _call(r"file_put_contents")),
    ],
    "lua": [
        ("delete", _call(r"os\.remove", _PAREN)),
        ("shell", _call(r"os\.execute|io\.popen", _PAREN)),
        ("write", _call(r"io\.open", after=r"""\s*,\s*['"][wa]""")),
    ],
    "r": [
        ("tree", _call(r"unlink", after=r"[^)]*recursive\s*=\s*(?:TRUE|T)\b")),
        ("delete", _call(r"unlink|file\.remove|fs::file_delete")),
        ("tree", _call(r"fs::dir_delete")),
        ("shell", _call(r"system|system2|shell")),
    ],
    "awk": [
        ("shell", later(r"\bsystem\s*\(\s*" + _AWK_STRING + r"\s*\)")),
        # `|&`: gawk's two-way pipe to a coprocess, which runs the string as `|` does.
        ("shell", later(_AWK_STRING + r"\s*\|&?\s*getline")),
        ("shell", later(r"\|&?\s*" + _AWK_STRING)),
        ("write", later(r"[^>]>\s*(?P<q>\")(?P<s>[^\"]+)\"")),
        ("append", later(r">>\s*(?P<q>\")(?P<s>[^\"]+)\"")),
    ],
}
# Calls that delete, write or run commands with an argument that is not a literal.
_DYNAMIC = {
    "node": later(
        r"\b(?:rmSync|rmdirSync|unlinkSync|rimraf|execSync|exec|spawnSync|spawn"
        r"|writeFileSync)\b"
    ),
    "perl": later(r"\b(?:unlink|rmtree|remove_tree|system|exec)\b|`|\bqx\b"),
    "ruby": later(
        r"\b(?:FileUtils\.(?:rm\w*|remove\w*|rmdir|mv|move)|File\.delete|system|exec|spawn"
        r"|IO\.popen)\b|`|%x\{"
    ),
    "php": later(
        r"\b(?:unlink|rmdir|system|exec|shell_exec|passthru|popen|proc_open"
        r"|eval)\b|`"
    ),
    "lua": later(r"\b(?:os\.remove|os\.execute|io\.popen|loadstring|load)\b"),
    "r": later(r"\b(?:unlink|file\.remove|system2?|shell|eval)\s*\("),
    "awk": later(r"\bsystem\s*\(|\|&?\s*getline|\|&?\s*\"|\|&?\s*[a-z]"),
    "python": later(r"shutil\.rmtree|os\.(?:remove|unlink|rmdir|system|popen|exec)|subprocess"),
}
_FORK_BOMB = later(
    r"fork\s+while\s+fork"
    # Perl/Ruby statement modifiers: `fork while 1`, `fork() until 0`, `1 while fork`.
    r"|\bfork\s*(?:\(\s*\))?\s*(?:while\s+(?:1|true|\(\s*1\s*\))|until\s+(?:0|false))\b"
    r"|\b1\s+while\s+fork\b"
    r"|while\s*\(?\s*(?:1|true|True)\s*\)?\s*[:{;]?\s*(?:do\s*)?\{?\s*[\w.$]*fork\b"
    r"|loop\s*(?:do|\{)\s*fork|for\s*\(\s*;\s*;\s*\)\s*\{?\s*[\w.$]*fork\b"
    r"|while\s*\(\s*true\s*\)\s*\{?\s*(?:require\(['\"]child_process['\"]\)|child_process|cp)"
    r"\.(?:fork|spawn|exec)"
)


# Spellings of the home directory in the pattern-read languages, rewritten to the literal `~`
# so that `process.env.HOME + '/.bashrc'` reads as the path `~/.bashrc`.
_HOME_EXPRESSIONS = later(
    r"""(?:require\(\s*['"]os['"]\s*\)|\bos)\.homedir\(\)|process\.env\.HOME\b|\bDir\.home\b"""
    r"""|\bENV\[\s*['"]HOME['"]\s*\]|\$ENV\{\s*['"]?HOME['"]?\s*\}|\b(?:os\.)?getenv\(\s*['"]HOME['"]\s*\)"""
    r"""|\$_SERVER\[\s*['"]HOME['"]\s*\]"""
)
_CONCATENATION = later(r"""(['"])([^'"]*)\1\s*(?:\+|\.\.|\.)\s*(['"])([^'"]*)\3""")


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
    seen: set[int] = set()
    for kind, pattern in _LANGUAGE_CALLS.get(language, []):
        for match in pattern.finditer(code):
            seen.add(match.start())
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
            elif kind == "request":
                method = (match.groupdict().get("method") or "GET").upper()
                program.requests.append((method, text))
            elif kind == "argv":
                rest = match.groupdict().get("rest") or ""
                extra = re.findall(r"""['"]([^'"]*)['"]""", rest)
                program.shell.append(" ".join([text, *[_quote(e) for e in extra]]))
    dynamic = _DYNAMIC.get(language)
    if dynamic is not None:
        # A call that deletes, writes or runs something whose argument is no literal
        # (`system("rm -rf " f)`, `unlink($path)`): what it acts on cannot be read.
        for found in dynamic.finditer(code):
            if found.start() not in seen:
                program.unknown.append(found.group(0))
                break
    return program


_BARE_SHELLS = [["sh"], ["bash"], ["zsh"], ["dash"], ["ksh"], ["/bin/sh"], ["/bin/bash"]]


def _quote(word: str) -> str:
    import shlex

    return shlex.quote(word)


# -- facts --------------------------------------------------------------------------------------


# safesh's own modules that write its approvals, trust records, settings or agents' hooks, in
# any language's import or attribute syntax (`from safesh.store import Store`, `import
# safesh.cli.commands.approvals`, `from safesh import store`). `safesh.check` only reads.
_SAFESH_INTERNALS = later(
    r"\bsafesh\s*\.\s*(?:store|cli|agents|rules\s*\.\s*trust|locations|interactive)\b"
    r"|\bfrom\s+safesh\s+import\s+[\w\s,()]*\b(?:store|cli|agents|locations|interactive)\b"
)


def uses_safesh_internals(command: Command) -> bool:
    """Whether an inline program reaches safesh's store, settings or install through its API."""
    found = program_text(command)
    return found is not None and _SAFESH_INTERNALS.search(found[1]) is not None


def shell_strings(command: Command) -> list[str]:
    """The command lines an inline program runs, to be judged as commands."""
    program = read_program(command)
    return [] if program is None else program.shell
