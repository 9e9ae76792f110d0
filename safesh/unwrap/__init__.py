"""The unwrap stage: from parsed simple commands to the commands that will really run.

A command can hide what it does behind a wrapper (`sudo`, `env`, `timeout`, `xargs`,
`find -exec`), behind a string another shell parses (`bash -c '…'`, `eval`, `ssh host '…'`,
`su -c`), or behind what feeds its standard input (a heredoc or a download piped into a shell).
This stage peels all of that, recursively up to a depth limit, so the rules only ever see the
innermost command with a record (`via`) of what was peeled.
"""

from __future__ import annotations

import fnmatch
import os
import posixpath
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace

from safesh.model import Command, Context, Feed, ParsedLine, ParseError, SimpleCommand, Span, Word

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing at start-up
if TYPE_CHECKING:
    from typing import Any

MAX_DEPTH = 6
MAX_SCRIPT_BYTES = 1 << 20

SHELLS = frozenset({"sh", "bash", "zsh", "dash", "ksh", "mksh", "ash", "busybox-sh", "fish"})
DOWNLOADERS = frozenset({"curl", "wget", "fetch", "http", "https", "xh", "aria2c", "lwp-request"})


@dataclass(frozen=True)
class Unparsed:
    """Something the analysis had to understand but could not: a nested `bash -c` string or
    script that does not parse, too deep a nesting (kind "unparsable"), or code that only
    exists when the line runs: downloaded, generated or piped into a shell (kind "unseen").
    The analysis turns it into an `ask`."""

    span: Span
    message: str
    source: str
    kind: str = "unparsable"


@dataclass(frozen=True)
class Unwrapped:
    commands: tuple[Command, ...]
    unparsed: tuple[Unparsed, ...]


@dataclass(frozen=True)
class _Frame:
    """Where a nested source sits: every command found inside takes the outer span, so a
    report points at the place in the line the human typed."""

    depth: int
    via: tuple[str, ...]
    span: Span | None
    remote_host: str | None
    cwd: str | None
    cwd_known: bool


ParseFn = Callable[[str], ParsedLine]


def unwrap(parsed: ParsedLine, context: Context, parse: ParseFn | None = None) -> Unwrapped:
    """Every command `parsed` will run, with wrappers peeled and nested shells parsed."""
    if parse is None:
        from safesh.parse import parse_line

        parse = parse_line
    walker = _Walker(context=context, parse=parse)
    frame = _Frame(depth=0, via=(), span=None, remote_host=None, cwd=None, cwd_known=True)
    walker.walk_line(parsed, frame)
    return Unwrapped(tuple(walker.commands), tuple(walker.unparsed))


# ---------------------------------------------------------------------------------------------
# Word helpers


def command_name(text: str) -> str:
    """`/bin/rm` -> `rm`; `\\rm` -> `rm` (the parser already removed quotes); `RM` -> `rm`
    (a case-insensitive filesystem, as macOS has by default, runs `RM` as `rm`)."""
    name = text.lstrip("\\")
    if "/" in name.rstrip("/"):
        name = posixpath.basename(name.rstrip("/"))
    return name.lower() if not name.islower() else name


def _is_assignment(text: str) -> bool:
    name, sep, _ = text.partition("=")
    return bool(sep) and name.isidentifier()


def _split_options(
    words: Sequence[Word],
    value_options: frozenset[str],
    *,
    stop_at_first_positional: bool = True,
    attached_short_values: bool = True,
) -> tuple[list[Word], list[Word]]:
    """Split a wrapper's own options from the rest (the wrapped command and its arguments)."""
    i = 0
    options: list[Word] = []
    while i < len(words):
        text = words[i].text
        if text == "--":
            return options, list(words[i + 1 :])
        if (not text.startswith("-") or text == "-") and stop_at_first_positional:
            break
        options.append(words[i])
        if text in value_options and i + 1 < len(words):
            options.append(words[i + 1])
            i += 2
            continue
        if (
            attached_short_values
            and text.startswith("-")
            and not text.startswith("--")
            and len(text) > 2
            and text[:2] in value_options
        ):
            i += 1  # -uroot, -n5: value attached
            continue
        i += 1
    return options, list(words[i:])


def _option_texts(options: Sequence[Word]) -> set[str]:
    return {w.text for w in options}


# Wrapper tables: the options of each wrapper that take a value, so the wrapped command is found.
_VALUE_OPTIONS: dict[str, frozenset[str]] = {
    "sudo": frozenset(
        {"-u", "-g", "-C", "-D", "-h", "-p", "-r", "-t", "-U", "-T", "-R", "--user", "--group"}
    ),
    "doas": frozenset({"-u", "-C"}),
    "pkexec": frozenset({"--user"}),
    "nice": frozenset({"-n", "--adjustment"}),
    "ionice": frozenset({"-c", "-n", "--class", "--classdata"}),
    "chrt": frozenset(),
    "stdbuf": frozenset({"-i", "-o", "-e", "--input", "--output", "--error"}),
    "timeout": frozenset({"-s", "-k", "--signal", "--kill-after"}),
    "exec": frozenset({"-a"}),
    "watch": frozenset({"-n", "--interval", "-d", "-q", "--equexit"}),
    "time": frozenset({"-f", "-o", "--format", "--output"}),
    "setsid": frozenset(),
    "flock": frozenset({"-w", "--timeout", "-E", "--conflict-exit-code"}),
    "taskset": frozenset(),
    "runuser": frozenset({"-u", "-g", "-G", "--user", "--group"}),
    "xargs": frozenset(
        {
            "-n",
            "-L",
            "-s",
            "-P",
            "-d",
            "-a",
            "-E",
            "-I",
            "--max-args",
            "--max-lines",
            "--max-chars",
            "--max-procs",
            "--delimiter",
            "--arg-file",
            "-J",
            "-R",
            "-S",
        }
    ),
    "ssh": frozenset(
        {
            "-b",
            "-B",
            "-c",
            "-D",
            "-E",
            "-e",
            "-F",
            "-I",
            "-i",
            "-J",
            "-L",
            "-l",
            "-m",
            "-O",
            "-o",
            "-p",
            "-P",
            "-Q",
            "-R",
            "-S",
            "-W",
            "-w",
        }
    ),
    "strace": frozenset({"-e", "-o", "-p", "-s", "-u", "-a", "-b", "-E", "-I", "-O", "-S", "-X"}),
    "ltrace": frozenset({"-e", "-o", "-p", "-s", "-u", "-a", "-n", "-l"}),
    "su": frozenset({"-c", "-s", "-g", "-G", "--command", "--shell", "--group", "-w"}),
    "chroot": frozenset({"--userspec", "--groups"}),
    "unshare": frozenset(),
    "nsenter": frozenset({"-t", "--target"}),
}

# Wrappers whose first positional word is the command to run.
_SIMPLE_WRAPPERS = frozenset(
    {
        "sudo",
        "doas",
        "pkexec",
        "nice",
        "nohup",
        "ionice",
        "stdbuf",
        "setsid",
        "unbuffer",
        "builtin",
        "time",
        "torsocks",
        "proxychains",
        "proxychains4",
        "strace",
        "ltrace",
        "runuser",
        "catchsegv",
        "caffeinate",
        "firejail",
        "fakeroot",
        "unshare",
        "nsenter",
    }
)


# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Site:
    """What is known where a command word is being peeled: the simple command it came from,
    the nesting frame, what feeds its standard input, and what the wrappers peeled so far
    said (their names, unseen arguments, a remote host, environment assignments)."""

    simple: SimpleCommand
    frame: _Frame
    feed: Feed | None
    functions: frozenset[str]
    via: tuple[str, ...]
    args_unknown: bool = False
    remote_host: str | None = None
    assignments: tuple[tuple[str, str], ...] = ()

    def inner(self, wrapper: str, **changes: Any) -> _Site:
        """The site of the command that `wrapper` runs."""
        return replace(self, via=(*self.via, wrapper), **changes)

    def nested_frame(self, host: str | None = None) -> _Frame:
        """The frame for a command line this site hands to another shell."""
        return _nested(self.frame, self.simple, self.via, host)

    def nested(self, wrapper: str, host: str | None = None) -> _Frame:
        """The frame for a command line that `wrapper` hands to another shell."""
        return self.inner(wrapper).nested_frame(host)


@dataclass
class _Walker:
    """Collects what one `unwrap` call finds; lives only for that call."""

    context: Context
    parse: ParseFn
    commands: list[Command] = field(default_factory=list)
    unparsed: list[Unparsed] = field(default_factory=list)
    # HOME / TMPDIR assigned earlier in the line (`export HOME=/; rm -rf ~`): words that
    # expand them can no longer be judged from the context's values.
    line_assigned: dict[str, str] = field(default_factory=dict)
    # Files an earlier command in the line writes (`curl -o i.sh URL`, `cat > run.sh <<EOF`),
    # by absolute path: a later `bash i.sh` runs what was written, not what is on disk now.
    written: dict[str, Feed] = field(default_factory=dict)

    # -- lines -----------------------------------------------------------------------------

    def walk_line(self, parsed: ParsedLine, frame: _Frame) -> None:
        functions = frozenset(parsed.functions)
        cwd_stack: list[tuple[tuple[str, ...], str | None, bool]] = []
        cwd, cwd_known = frame.cwd, frame.cwd_known
        for simple in parsed.commands:
            # A `cd` only holds for commands at its nesting level or deeper: `(cd /tmp); rm x`
            # must not evaluate `x` under /tmp.
            while cwd_stack and not _is_prefix(cwd_stack[-1][0], _scope(simple.nesting)):
                _, cwd, cwd_known = cwd_stack.pop()
            inner = replace(frame, cwd=cwd, cwd_known=cwd_known)
            self.walk_simple(simple, parsed, inner, functions)
            self._note_assignments(simple)
            self._note_written(simple, inner)
            moved = self._cd_target(simple, inner)
            if moved is not None:
                cwd_stack.append((_scope(simple.nesting), cwd, cwd_known))
                cwd, cwd_known = moved

    def walk_source(self, source: str, frame: _Frame, what: str) -> None:
        if frame.depth > MAX_DEPTH:
            self._unparsed(frame, f"{what} nests deeper than {MAX_DEPTH} levels", source)
            return
        try:
            parsed = self.parse(source)
        except ParseError as error:
            self._unparsed(frame, f"cannot parse the {what}: {error}", source)
            return
        self.walk_line(parsed, frame)

    def _unparsed(self, frame: _Frame, message: str, source: str, kind: str = "unparsable") -> None:
        self.unparsed.append(Unparsed(frame.span or Span(0, len(source)), message, source, kind))

    def _note_assignments(self, simple: SimpleCommand) -> None:
        pairs = [(k, v.text if v.static else "$?") for k, v in simple.assignments]
        if simple.argv:
            pairs = []
            if command_name(simple.argv[0].text) in _DECLARERS:
                for word in simple.argv[1:]:
                    key, _, value = word.text.partition("=")
                    pairs.append((key, value if word.static else "$?"))
        for key, value in pairs:
            if key in _PATH_VARS:
                self.line_assigned[key] = value

    def _scan_unknown_wrapper(self, name: str, words: list[Word], site: _Site) -> None:
        """`sem rm -rf /`, `with-creds git reset --hard`: a program safesh does not know may
        be a wrapper that runs its arguments. When a later word names a program that can
        destroy things, that command is judged too (the rules decide whether it does)."""
        if name in _NOT_WRAPPERS or name.startswith("git-"):
            return
        for index in range(1, len(words)):
            word = words[index]
            if not word.static:
                continue
            inner = command_name(word.text)
            if inner in _WRAPPED_DANGER or inner.startswith("mkfs"):
                self.peel(words[index:], site.inner(f"{name} …", feed=None, args_unknown=False))
                return

    def _note_written(self, simple: SimpleCommand, frame: _Frame) -> None:
        argv = _peeled_argv(simple)
        if not argv:
            return
        base = frame.cwd or self.context.cwd
        targets = [
            r.target.text
            for r in simple.redirects
            if r.op in _OUTPUT_OPS and r.target is not None and r.target.static
        ]
        if argv[0] in DOWNLOADERS:
            content = Feed("download", source=argv)
            targets += _download_outputs(argv)
        elif argv[0] in {"cat", "tee"}:
            body = next((r.heredoc for r in simple.redirects if r.heredoc is not None), None)
            if body is None:
                return
            content = Feed("heredoc", text=body)
            if argv[0] == "tee":
                targets += [a for a in argv[1:] if not a.startswith("-")]
        elif argv[0] in {"echo", "printf"}:
            content = Feed("pipe", source=argv, text=_pipe_text(argv, simple))
        else:
            return
        for target in targets:
            if target not in {"-", "/dev/stdout", "/dev/null"}:
                self.written[resolve_path(target, base, self.context.home)] = content

    def written_script(self, path: str, site: _Site) -> Feed | None:
        """What an earlier command in this line wrote to `path`, if it wrote it."""
        base = site.frame.cwd or self.context.cwd
        return self.written.get(resolve_path(path, base, self.context.home))

    def run_written(self, path: str, written: Feed, site: _Site, runner: str) -> None:
        """Judge running a file written earlier in this line: its text when it is known,
        else (a download, computed output) it cannot be judged."""
        if written.kind == "download":
            self._unparsed(
                site.frame,
                f"{runner} runs {path}, which {' '.join(written.source)[:80]} downloads earlier"
                " in this line: code from the network that nobody has read",
                path,
                kind="unseen",
            )
        elif written.text is not None:
            self.walk_source(written.text, site.nested(f"{runner} {path}"), f"script {path}")
        else:
            self._unparsed(
                site.frame,
                f"{runner} runs {path}, whose contents this line computes",
                path,
                kind="unseen",
            )

    # -- cd tracking -------------------------------------------------------------------------

    def _cd_target(self, simple: SimpleCommand, frame: _Frame) -> tuple[str | None, bool] | None:
        argv = list(simple.argv)
        while len(argv) > 1 and argv[0].static and argv[0].text in {"builtin", "command"}:
            argv = argv[1:]  # `builtin cd ..`
        if not argv or command_name(argv[0].text) not in {"cd", "pushd"}:
            return None
        if simple.pipeline[2] > 1:
            return None  # a cd in a pipeline runs in a subshell
        args = [w for w in argv[1:] if not (w.text.startswith("-") and w.text != "-")]
        if not args:
            return self.context.home, True
        target = args[0]
        if not target.static or target.glob or target.text == "-":
            return None, False
        base = frame.cwd or self.context.cwd
        # An absolute target is known wherever the shell stood (a remote host too).
        known = frame.cwd_known or target.text.startswith("/")
        return resolve_path(target.text, base, self.context.home), known

    # -- simple commands ---------------------------------------------------------------------

    def walk_simple(
        self,
        simple: SimpleCommand,
        parsed: ParsedLine,
        frame: _Frame,
        functions: frozenset[str],
    ) -> None:
        feed = self._feed_for(simple, parsed)
        site = _Site(simple, frame, feed, functions, frame.via, remote_host=frame.remote_host)
        self.peel(list(simple.argv), site)
        self._walk_heredoc_substitutions(site)

    def _walk_heredoc_substitutions(self, site: _Site) -> None:
        """bash expands `$(…)` and backticks in the body of an unquoted heredoc (`cat <<EOF`)
        before the command reads it: those commands run whatever the command is."""
        for redirect in site.simple.redirects:
            if redirect.op not in {"<<", "<<-"} or redirect.heredoc_quoted:
                continue
            if redirect.heredoc is None:
                continue
            substitutions = heredoc_substitutions(redirect.heredoc)
            if substitutions is None:
                self._unparsed(
                    site.frame, "an unterminated $( or ` in a heredoc body", redirect.heredoc
                )
                continue
            for source in substitutions:
                self.walk_source(source, site.nested("heredoc $(…)"), "heredoc substitution")

    def peel(self, words: list[Word], site: _Site) -> None:
        """Find the command `words` really runs, emitting it (and anything it nests)."""
        if site.remote_host is None and site.frame.remote_host is not None:
            site = replace(site, remote_host=site.frame.remote_host)
        # `env A=1 cmd` and a leading assignment that the parser left in argv
        while words and words[0].static and _is_assignment(words[0].text):
            name, _, value = words[0].text.partition("=")
            site = replace(site, assignments=(*site.assignments, (name, value)))
            words = words[1:]
        if len(words) > 1 and words[0].static and _looks_like_bad_assignment(words[0].text):
            # `1A=2 git reset --hard`: bash would report "command not found", but a word that
            # was meant as an assignment is no program; judge what follows it.
            self.peel(words[1:], site.inner(words[0].text))
            return
        if not words:
            if site.simple.redirects and not site.via:
                self.emit(words, site)
            return
        head = words[0]
        if not head.static:
            self.emit(words, site, dynamic=True)
            return
        name = command_name(head.text)
        if name in site.functions:
            # A call of a function defined in this line; its body's commands are already
            # among the parsed commands.
            self.emit(words, site)
            return
        if "/" in head.text:
            written = self.written_script(head.text, site)
            if written is not None:
                self.emit(words, site)
                self.run_written(head.text, written, site, "the line")
                return
        handler = _HANDLERS.get(name)
        if handler is None or len(site.via) > 4 * MAX_DEPTH:
            self.emit(words, site)
            if handler is None and len(site.via) <= 4 * MAX_DEPTH:
                self._scan_unknown_wrapper(name, words, site)
            return
        handler(self, name, words, site)

    def emit(
        self,
        words: Sequence[Word],
        site: _Site,
        dynamic: bool = False,
        _variant: bool = False,
    ) -> None:
        simple, frame, feed = site.simple, site.frame, site.feed
        name = (
            command_name(words[0].text)
            if words and not dynamic
            else (words[0].text if words else "")
        )
        assignments = tuple((k, v.text) for k, v in simple.assignments) + site.assignments
        reassigned = _PATH_VARS & ({k for k, _ in assignments} | set(self.line_assigned))
        if reassigned and words and not dynamic and not _variant:
            # `TMPDIR=/x rm -rf $TMPDIR/y` expands the old value, `export TMPDIR=/x; rm …` the
            # new one (unless a subshell ended in between): both readings are judged.
            values = {**self.line_assigned, **dict(assignments)}
            variant = [words[0], *(_reassigned(w, reassigned, values) for w in words[1:])]
            if variant != list(words):
                label = ", ".join(f"{n}={values.get(n, '')}" for n in sorted(reassigned))
                self.emit(variant, site.inner(label), dynamic, _variant=True)
        if feed is None and any("<(" in w.raw for w in words[1:]):
            downloads = [w.raw for w in words[1:] if "<(" in w.raw and _mentions_download(w.raw)]
            if downloads:
                feed = Feed("process-substitution-download", source=tuple(downloads))
        argv = (name, *(w.text for w in words[1:])) if words else ()
        self.commands.append(
            Command(
                name=name,
                argv=argv,
                words=tuple(words),
                span=frame.span or simple.span,
                source=_slice(simple),
                redirects=simple.redirects,
                assignments=assignments,
                via=site.via,
                nesting=simple.nesting,
                feed=feed,
                pipeline=simple.pipeline,
                dynamic=dynamic,
                args_unknown=site.args_unknown,
                remote_host=site.remote_host,
                depth=frame.depth,
                background=simple.background,
                cwd=frame.cwd,
                cwd_known=frame.cwd_known,
            )
        )

    # -- what feeds stdin ---------------------------------------------------------------------

    def _feed_for(self, simple: SimpleCommand, parsed: ParsedLine) -> Feed | None:
        for redirect in simple.redirects:
            if redirect.op in {"<<", "<<-"} and redirect.heredoc is not None:
                return Feed("heredoc", text=redirect.heredoc)
            if redirect.op == "<<<" and redirect.heredoc is not None:
                return Feed("herestring", text=redirect.heredoc)
        _, index, length = simple.pipeline
        if index == 0 or length < 2:
            return None
        previous = _previous_in_pipeline(parsed, simple)
        if previous is None or not previous.argv:
            return None
        source_argv = _peeled_argv(previous)
        # `curl … | tee x.sh | bash`, `curl … | gunzip | sh`: a filter passes the download on.
        upstream: SimpleCommand | None = previous
        while upstream is not None and upstream.argv:
            upstream_argv = _peeled_argv(upstream)
            if upstream_argv and upstream_argv[0] in DOWNLOADERS:
                return Feed("download", source=upstream_argv)
            if not upstream_argv or upstream_argv[0] not in _PASS_THROUGH:
                break
            upstream = _previous_in_pipeline(parsed, upstream)
        if not all(w.static for w in previous.argv):
            return Feed("pipe", source=source_argv, text=None)
        return Feed("pipe", source=source_argv, text=_pipe_text(source_argv, previous))


_PATH_VARS = frozenset({"HOME", "TMPDIR", "PWD"})
_DECLARERS = frozenset({"export", "declare", "typeset", "local", "readonly", "unset"})
# Programs that copy their input to their output (maybe decoded), so a download piped through
# them is still a download.
_PASS_THROUGH = frozenset(
    {
        "tee", "cat", "gunzip", "zcat", "gzip", "bunzip2", "bzcat", "xz", "xzcat", "unxz",
        "zstd", "zstdcat", "base64", "tr", "sed", "head", "tail", "dos2unix", "iconv",
        "openssl", "gpg", "pv", "buffer", "mbuffer", "stdbuf",
    }
)  # fmt: skip
# Names whose appearance among an unknown program's arguments is judged as a command.
_WRAPPED_DANGER = frozenset(
    {
        "rm", "find", "dd", "shred", "wipefs", "git", "bash", "sh", "zsh", "dash", "ksh",
        "eval", "xargs", "chmod", "chown", "truncate", "srm", "busybox",
    }
)  # fmt: skip
# Programs known to take such a name as a plain argument or a subcommand of their own
# (`git rm`, `docker rm`, `man rm`, `grep -w rm`, `apt install git`).
_NOT_WRAPPERS = frozenset(
    {
        "git", "docker", "podman", "nerdctl", "buildah", "kubectl", "oc", "helm", "npm",
        "pnpm", "yarn", "bun", "cargo", "brew", "apt", "apt-get", "apt-cache", "dnf", "yum",
        "pacman", "apk", "zypper", "port", "pip", "pip3", "pipx", "gem", "conda", "mamba",
        "snap", "flatpak", "man", "info", "help", "tldr", "whatis", "apropos", "which",
        "whereis", "type", "hash", "alias", "unalias", "complete", "compgen", "echo",
        "printf", "grep", "egrep", "fgrep", "rg", "ag", "ack", "sed", "awk", "jq", "hg",
        "svn", "jj", "dvc", "gh", "glab", "aws", "gcloud", "gsutil", "az", "rclone",
        "mc", "s3cmd", "hdfs", "go", "ls", "cat", "touch", "mkdir", "stat", "file", "wc",
        "head", "tail", "less", "more", "vim", "vi", "nano", "code", "emacs", "diff",
        "test", "[", "[[", "read", "export", "declare", "local", "unset", "set", "trap",
        "cd", "pushd", "mv", "cp", "ln", "install", "tar", "zip", "unzip", "curl", "wget",
        "tee", "history", "fc", "pgrep", "pkill", "killall", "ps", "kill", "nix", "guix",
        "asdf", "mise", "systemctl", "journalctl", "strings", "command", "exec", "time",
        "shellcheck", "shfmt", "bats", "expect", "script",
    }
)  # fmt: skip
_BAD_ASSIGNMENT = re.compile(r"^[^=/\s]*=")


def _looks_like_bad_assignment(text: str) -> bool:
    """`1A=2`, `A-B=2`, `=2`: shaped like an assignment, but not a valid one."""
    return bool(_BAD_ASSIGNMENT.match(text)) and not _is_assignment(text)


def _reassigned(word: Word, names: frozenset[str], values: dict[str, str]) -> Word:
    """The word read with the value the line assigned to HOME, TMPDIR or PWD (a value that is
    itself an expansion leaves the word unknown)."""
    text = word.text if word.static else word.text.replace('"', "")
    for name in names:
        value = values.get(name, "")
        for form in (f"${{{name}}}", f"${name}"):
            if text == form or text.startswith(form + "/"):
                new = value + text[len(form) :]
                return replace(word, text=new, static="$" not in new and "`" not in new)
        if name == "HOME" and (text == "~" or text.startswith("~/")):
            new = value + text[1:]
            return replace(word, text=new, static="$" not in new and "`" not in new)
    return word


def _mentions_download(raw: str) -> bool:
    return any(re.search(rf"(^|[\s(;|&]){re.escape(d)}\s", raw) for d in DOWNLOADERS)


def _scope(nesting: tuple[str, ...]) -> tuple[str, ...]:
    """The constructs that start a new shell: `{ cd ..; }` and case branches do not, so a
    `cd` in them holds after them."""
    return tuple(n for n in nesting if n not in {"group", "case"})


def _is_prefix(prefix: tuple[str, ...], nesting: tuple[str, ...]) -> bool:
    return nesting[: len(prefix)] == prefix


def _slice(simple: SimpleCommand) -> str:
    return " ".join(w.raw for w in simple.argv)


def _previous_in_pipeline(parsed: ParsedLine, simple: SimpleCommand) -> SimpleCommand | None:
    pipe_id, index, _ = simple.pipeline
    for other in parsed.commands:
        if (
            other.pipeline[0] == pipe_id
            and other.pipeline[1] == index - 1
            and (other.nesting == simple.nesting)
        ):
            return other
    return None


def _peeled_argv(simple: SimpleCommand) -> tuple[str, ...]:
    """The argv of a pipe source with simple wrappers dropped (`sudo curl …` is a download)."""
    words = [w.text for w in simple.argv]
    while words and (command_name(words[0]) in _SIMPLE_WRAPPERS or _is_assignment(words[0])):
        words = words[1:]
        while words and words[0].startswith("-"):
            words = words[1:]
    if words:
        words[0] = command_name(words[0])
    return tuple(words)


def _pipe_text(argv: tuple[str, ...], simple: SimpleCommand) -> str | None:
    """The text a pipe source writes, when it is plainly known (`echo`, `printf`, `cat <<`)."""
    if not argv:
        return None
    if argv[0] == "echo":
        args = [a for a in argv[1:] if a not in {"-n", "-e", "-E"}]
        return " ".join(args)
    if argv[0] == "printf" and len(argv) > 1:
        return argv[1].replace("\\n", "\n")
    if argv[0] == "cat" and len(argv) == 1:
        for redirect in simple.redirects:
            if redirect.heredoc is not None:
                return redirect.heredoc
    return None


_OUTPUT_OPS = frozenset({">", ">>", ">|", "&>", "&>>"})


def _download_outputs(argv: tuple[str, ...]) -> list[str]:
    """The files a curl/wget command line writes (`-o F`, `-O` for the URL's name, …)."""
    urls = [a for a in argv[1:] if "://" in a]
    remote_name = urls[-1].rstrip("/").rpartition("/")[2].partition("?")[0] if urls else ""
    outputs: list[str] = []
    for index, arg in enumerate(argv[1:], start=1):
        following = argv[index + 1] if index + 1 < len(argv) else ""
        if argv[0] == "curl":
            if arg == "--output":
                outputs.append(following)
            elif arg in {"--remote-name", "--remote-name-all"} and remote_name:
                outputs.append(remote_name)
            elif arg.startswith("-") and not arg.startswith("--"):
                outputs += _curl_short_outputs(arg[1:], following, remote_name)
        elif argv[0] == "wget":
            if arg in {"-O", "--output-document"}:
                outputs.append(following)
            elif arg.startswith("--output-document="):
                outputs.append(arg.partition("=")[2])
            elif arg.startswith("-O") and len(arg) > 2:
                outputs.append(arg[2:])
    if argv[0] == "wget" and not outputs and remote_name:
        outputs.append(remote_name)  # wget saves under the URL's own name by default
    return [o for o in outputs if o and o != "-"]


def _curl_short_outputs(letters: str, following: str, remote_name: str) -> list[str]:
    """`-fsSLO`: the remote name; `-so out.sh` / `-sout.sh`: the file after `o`."""
    outputs: list[str] = []
    for offset, letter in enumerate(letters):
        if letter == "O" and remote_name:
            outputs.append(remote_name)
        elif letter == "o":
            outputs.append(letters[offset + 1 :] or following)
            break
    return outputs


def heredoc_substitutions(body: str) -> list[str] | None:
    """The command lines inside `$(…)` and backticks of an unquoted heredoc body, outermost
    first; None when one is not closed. In such a body only `\\` escapes `$`, `` ` `` and `\\`,
    and quotes outside a substitution are plain characters."""
    found: list[str] = []
    i = 0
    while i < len(body):
        char = body[i]
        if char == "\\":
            i += 2
            continue
        if char == "`":
            end = _closing_backtick(body, i + 1)
            if end is None:
                return None
            found.append(body[i + 1 : end].replace("\\`", "`"))
            i = end + 1
            continue
        if body.startswith("$(", i) and not body.startswith("$((", i):
            end = _closing_paren(body, i + 2)
            if end is None:
                return None
            found.append(body[i + 2 : end])
            i = end + 1
            continue
        i += 1
    return found


def _closing_backtick(text: str, start: int) -> int | None:
    i = start
    while i < len(text):
        if text[i] == "\\":
            i += 2
            continue
        if text[i] == "`":
            return i
        i += 1
    return None


def _closing_paren(text: str, start: int) -> int | None:
    """The index of the `)` closing a `$(` whose contents start at `start`; quotes and
    nested parentheses inside are a command line's own."""
    depth = 1
    quote: str | None = None
    i = start
    while i < len(text):
        char = text[i]
        if quote == "'":
            if char == "'":
                quote = None
        elif char == "\\":
            i += 2
            continue
        elif quote == '"':
            if char == '"':
                quote = None
        elif char in "'\"":
            quote = char
        elif char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
            if depth == 0:
                return i
        i += 1
    return None


def resolve_path(path: str, cwd: str, home: str) -> str:
    """Lexically resolve `path` against `cwd` (no filesystem access)."""
    if path == "~" or path.startswith("~/"):
        path = home + path[1:]
    elif path.startswith(("$HOME", "${HOME}")):
        path = home + path[len("${HOME}") if path.startswith("${") else len("$HOME") :]
    if not path.startswith("/"):
        path = posixpath.join(cwd, path)
    return posixpath.normpath(path)


# ---------------------------------------------------------------------------------------------
# Wrapper handlers. Each receives the words starting at the wrapper's name.

_Handler = Callable[[_Walker, str, list[Word], "_Site"], None]


def _simple_wrapper(w: _Walker, name: str, words: list[Word], site: _Site) -> None:
    options, rest = _split_options(words[1:], _VALUE_OPTIONS.get(name, frozenset()))
    texts = _option_texts(options)
    if name == "sudo" and texts & {"-e", "--edit"}:
        # `sudo -e FILE` edits FILE as root (sudoedit); FILE is no command.
        w.emit(words, site)
        return
    if name in {"sudo", "doas"} and not rest and texts & {"-i", "-s", "--login", "--shell"}:
        # `sudo -i` / `sudo -s`: an interactive root shell.
        w.emit(words, site)
        return
    if name == "nsenter" or name == "unshare":
        pass
    if not rest:
        w.emit(words, site)
        return
    w.peel(rest, site.inner(name))


def _timeout(w: _Walker, name: str, words: list[Word], site: _Site) -> None:
    _, rest = _split_options(words[1:], _VALUE_OPTIONS["timeout"])
    if len(rest) < 2:
        w.emit(words, site)
        return
    w.peel(rest[1:], site.inner(name))


def _skip_one_positional(w: _Walker, name: str, words: list[Word], site: _Site) -> None:
    """`chrt PRIO cmd`, `taskset MASK cmd`, `flock FILE cmd`, `chroot DIR cmd`."""
    options, rest = _split_options(words[1:], _VALUE_OPTIONS.get(name, frozenset()))
    if name == "taskset" and "-p" in _option_texts(options):
        rest = []
    if name == "flock" and rest and rest[0].text in {"-c", "--command"}:
        rest = rest[1:]
    if len(rest) < 2:
        w.emit(words, site)
        return
    if name == "flock" and len(rest) >= 3 and rest[1].text in {"-c", "--command"}:
        w.walk_source(rest[2].text, site.nested("flock -c"), "flock -c string")
        return
    w.peel(rest[1:], site.inner(name))


def _env(w: _Walker, name: str, words: list[Word], site: _Site) -> None:
    frame, assignments = site.frame, site.assignments
    i = 1
    rest = words[1:]
    while i < len(words):
        text = words[i].text
        if text == "--":
            i += 1
            break
        if text in {"-S", "--split-string"} and i + 1 < len(words):
            # `env -S 'rm -rf /'`: the string is split into a command line.
            joined = " ".join([words[i + 1].text, *(x.raw for x in words[i + 2 :])])
            w.walk_source(joined, replace(site, frame=frame).nested("env -S"), "env -S string")
            return
        if text.startswith("-S") and len(text) > 2:
            joined = " ".join([text[2:], *(x.raw for x in words[i + 1 :])])
            w.walk_source(joined, replace(site, frame=frame).nested("env -S"), "env -S string")
            return
        if text in {"-C", "--chdir"} and i + 1 < len(words):
            # `env -C / rm -rf var`: the command runs in that directory.
            target = words[i + 1]
            if target.static and not target.glob:
                base = frame.cwd or w.context.cwd
                frame = replace(frame, cwd=resolve_path(target.text, base, w.context.home))
            else:
                frame = replace(frame, cwd=None, cwd_known=False)
            i += 2
            continue
        if text.startswith("--chdir="):
            frame = replace(frame, cwd=None, cwd_known=False)
            i += 1
            continue
        if text in {"-u", "--unset", "-P"} and i + 1 < len(words):
            i += 2
            continue
        if text.startswith("-"):
            i += 1
            continue
        if _is_assignment(text):
            key, _, value = text.partition("=")
            assignments = (*assignments, (key, value))
            i += 1
            continue
        break
    rest = words[i:]
    if not rest:
        w.emit(words, replace(site, frame=frame, assignments=assignments))
        return
    w.peel(rest, site.inner(name, frame=frame, assignments=assignments))


def _command_builtin(w: _Walker, name: str, words: list[Word], site: _Site) -> None:
    options, rest = _split_options(words[1:], frozenset())
    flags = "".join(o.text.lstrip("-") for o in options)
    if (("v" in flags or "V" in flags) and len(rest) <= 1) or not rest:
        # `command -v rm` only looks the name up. With more words (`command -v git reset
        # --hard`) it still only looks up names, but nobody writes that to look something up:
        # the words are judged as the command they spell.
        w.emit(words, site)
        return
    w.peel(rest, site.inner(name))


def _exec(w: _Walker, name: str, words: list[Word], site: _Site) -> None:
    _, rest = _split_options(words[1:], _VALUE_OPTIONS["exec"])
    if not rest:
        w.emit(words, site)
        return
    w.peel(rest, site.inner(name))


def _watch(w: _Walker, name: str, words: list[Word], site: _Site) -> None:
    options, rest = _split_options(words[1:], _VALUE_OPTIONS["watch"])
    if not rest:
        w.emit(words, site)
        return
    if _option_texts(options) & {"-x", "--exec"}:
        w.peel(rest, site.inner(name))
        return
    # Without -x, watch joins its arguments and runs them with `sh -c`.
    w.walk_source(" ".join(x.text for x in rest), site.nested("watch"), "watch command")


def _xargs(w: _Walker, name: str, words: list[Word], site: _Site) -> None:
    simple, feed = site.simple, site.feed
    i = 1
    value_options = _VALUE_OPTIONS["xargs"]
    token: str | None = None
    while i < len(words):
        text = words[i].text
        if text == "--":
            i += 1
            break
        if not text.startswith("-"):
            break
        if text in {"-I", "-J"} and i + 1 < len(words):
            token = words[i + 1].text
        elif text.startswith(("-I", "-J")) and len(text) > 2:
            token = text[2:]
        elif text == "-i" or text.startswith(("-i", "--replace")):
            token = text.partition("=")[2] or (text[2:] if text.startswith("-i") else "") or "{}"
        i += 2 if text in value_options else 1
    rest = words[i:]
    if not rest:
        # xargs with no command runs echo.
        w.emit(words, site)
        return
    # What xargs appends is what the pipe writes. After `find ROOT -name N`, those are paths
    # under ROOT, and they are judged as such; otherwise they stay unseen.
    found = found_paths(list(feed.source), simple) if feed and feed.kind == "pipe" else None
    if found is not None:
        rest = _append_found(rest, found, token)
        w.peel(rest, site.inner(name, feed=None, args_unknown=False))
        return
    if token:
        rest = _unseen_token(rest, token)
    w.peel(rest, site.inner(name, feed=None, args_unknown=True))


def _unseen_token(words: list[Word], token: str) -> list[Word]:
    """`xargs -I{} sh -c 'rm -rf {}'`: the token becomes input nobody has seen, written as an
    expansion (`$INPUT`) so a path holding it is `unknown`."""
    out = []
    for word in words:
        if token in word.text:
            text = word.text.replace(token, '"$INPUT"' if " " in word.text else "$INPUT")
            out.append(replace(word, text=text, static=" " in word.text and word.static))
        else:
            out.append(word)
    return out


_FIND_GLOBAL = frozenset({"-H", "-L", "-P"})
_FIND_TESTS_WITH_VALUE = frozenset({"-D"})


def found_paths(find_argv: list[str], simple: SimpleCommand) -> list[Word] | None:
    """The paths `find ROOT… [-name N]` prints, as words a rule can classify: `ROOT/{}/N`
    (`{}` standing for any directories in between), or `ROOT/*` without a name test."""
    if not find_argv or find_argv[0] not in {"find", "gfind", "fd", "fdfind"}:
        return None
    if find_argv[0] != "find" and find_argv[0] != "gfind":
        return None
    args = find_argv[1:]
    i = 0
    while i < len(args) and (args[i] in _FIND_GLOBAL or args[i].startswith("-O")):
        i += 1
    if i < len(args) and args[i] in _FIND_TESTS_WITH_VALUE:
        i += 2
    roots: list[str] = []
    while i < len(args) and not args[i].startswith(("-", "(", "!", "\\(")):
        roots.append(args[i])
        i += 1
    expression = args[i:]
    names = [expression[k + 1] for k, x in enumerate(expression[:-1]) if x in {"-name", "-iname"}]
    alternatives = {"-o", "-or", ","} & set(expression)
    name = names[0] if len(names) == 1 and not alternatives and "/" not in names[0] else ""
    result = []
    for root in roots or ["."]:
        if name and posixpath.normpath(root) != "/":
            text = root.rstrip("/") + "/{}/" + name
        else:
            # Without a name test every entry under the root may match: everything in it.
            text = root.rstrip("/") + "/*"
        dynamic = "$" in text or "`" in text
        result.append(Word(text, text, simple.span, static=not dynamic))
    return result


def _append_found(rest: list[Word], found: list[Word], token: str | None) -> list[Word]:
    if token is None:
        return [*rest, *found]
    out: list[Word] = []
    for word in rest:
        if word.text == token:
            out.extend(found)
        else:
            out.append(word)
    return out


def _parallel(w: _Walker, name: str, words: list[Word], site: _Site) -> None:
    i = 1
    token = "{}"
    while i < len(words) and words[i].text.startswith("-"):
        text = words[i].text
        if text == "--":
            i += 1
            break
        if text in {"-I", "--replace"} and i + 1 < len(words):
            token = words[i + 1].text
        i += 2 if text in _PARALLEL_VALUE_OPTIONS else 1
    rest = words[i:]
    cut = next((k for k, x in enumerate(rest) if x.text in {":::", "::::", ":::+", "::::+"}), None)
    command_words = rest[: len(rest) if cut is None else cut]
    inputs = [] if cut is None else rest[cut + 1 :]
    static_inputs = (
        cut is not None
        and rest[cut].text in {":::", ":::+"}
        and all(x.static for x in inputs)
        and not any(x.text.startswith(":::") for x in inputs)
    )
    nested = site.nested(name)
    if not command_words:
        w.emit(words, site)
        if static_inputs:
            # `parallel ::: 'rm -rf /'`: each input is a command line.
            for item in inputs:
                w.walk_source(item.text, nested, "parallel input")
        return
    if static_inputs and inputs:
        # Each input fills the replacement string, or is appended.
        for item in inputs:
            filled = [replace(x, text=x.text.replace(token, item.text)) for x in command_words]
            if not any(token in x.text for x in command_words):
                filled.append(item)
            _walk_words(w, filled, site.inner(name, feed=None, args_unknown=False))
        return
    command_words = _unseen_token(command_words, token)
    if len(command_words) == 1 and " " in command_words[0].text:
        w.walk_source(command_words[0].text, nested, "parallel command")
        return
    w.peel(command_words, site.inner(name, feed=None, args_unknown=True))


_PARALLEL_VALUE_OPTIONS = frozenset(
    {
        "-j", "--jobs", "-S", "--sshlogin", "-a", "--arg-file", "--results", "--res",
        "--joblog", "-d", "--delimiter", "-I", "--replace", "--tmpdir", "--workdir", "--wd",
        "-n", "--max-args", "-N", "-L", "--max-lines", "-P", "--timeout", "--retries",
        "--delay", "--colsep", "-C", "--tagstring", "--halt", "--memfree", "--load",
        "--block", "--basefile", "--bf", "--transferfile", "--tf", "--return", "--env",
        "--sshloginfile", "--slf", "--limit", "-E", "--id", "--semaphorename", "--fg-id",
        "--sqlmaster", "--sqlworker", "--sqlandworker", "--progress-file", "--cat-file",
    }
)  # fmt: skip


def _walk_words(w: _Walker, words: list[Word], site: _Site) -> None:
    """A command composed from words (parallel runs it through a shell: one word holding
    spaces is a command line of its own)."""
    if len(words) == 1 and " " in words[0].text:
        w.walk_source(words[0].text, site.nested_frame(), "parallel command")
        return
    w.peel(words, site)


def _find(w: _Walker, name: str, words: list[Word], site: _Site) -> None:
    simple = site.simple
    own: list[Word] = []
    actions: list[tuple[str, list[Word]]] = []
    i = 1
    while i < len(words):
        if words[i].text in {"-exec", "-execdir", "-ok", "-okdir"}:
            action = words[i].text
            j = i + 1
            while j < len(words) and words[j].text not in {";", "+", "\\;"}:
                j += 1
            actions.append((action, list(words[i + 1 : j])))
            own.append(words[i])
            i = j + 1
            continue
        own.append(words[i])
        i += 1
    w.emit([words[0], *own], site)
    found = found_paths([command_name(words[0].text), *(x.text for x in own)], simple)
    for action, inner in actions:
        if not inner:
            continue
        # `{}` is each found path: under the roots find walks, named by -name when given.
        known = found is not None and any(x.text == "{}" for x in inner)
        if known and found is not None:
            inner = _append_found(inner, found, "{}")
        w.peel(inner, site.inner(f"find {action}", feed=None, args_unknown=not known))  # fmt: skip


def _multicall(w: _Walker, name: str, words: list[Word], site: _Site) -> None:
    """`busybox rm -rf x`, `toybox rm …`: a multi-call binary runs the applet it names."""
    rest = words[1:]
    if not rest or rest[0].text.startswith("-"):
        w.emit(words, site)
        return
    w.peel(rest, site.inner(name))


def _python(w: _Walker, name: str, words: list[Word], site: _Site) -> None:
    """`python3 -m safesh approve 1`, `python -m pip …`: the module runs like its command."""
    w.emit(words, site)
    for index, word in enumerate(words[1:-1], start=1):
        if word.text == "-m":
            module = words[index + 1]
            if module.static and module.text.replace("_", "").replace(".", "").isalnum():
                w.peel(words[index + 1 :], site.inner(f"{name} -m", feed=None))  # fmt: skip
            return
        if word.text in {"-c", "-"} or not word.text.startswith("-"):
            return


def _git(w: _Walker, name: str, words: list[Word], site: _Site) -> None:
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
    positional = [x for x in words[i:] if not x.text.startswith("-")]
    if len(positional) >= 3 and positional[0].text == "config":
        settings.append((positional[1].text, positional[2]))
    for key, setting in settings:
        command = _git_shell_command(key, setting.text)
        if command is None:
            continue
        if not setting.static:
            w.emit([setting], site.inner(f"git {key}"), dynamic=True)
        else:
            w.walk_source(command, site.nested(f"git {key}"), f"git {key} command")


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


def _ssh(w: _Walker, name: str, words: list[Word], site: _Site) -> None:
    feed = site.feed
    _, rest = _split_options(words[1:], _VALUE_OPTIONS["ssh"])
    if not rest:
        w.emit(words, site)
        return
    host = rest[0].text
    remote = rest[1:]
    if not remote:
        w.emit(words, replace(site, remote_host=host))
        if feed is not None and feed.kind in {"heredoc", "herestring"} and feed.text:
            w.walk_source(feed.text, site.nested(f"ssh {host}", host), "remote script")
        return
    if not all(x.static for x in remote):
        w.emit(remote, site.inner(f"ssh {host}", remote_host=host), dynamic=True)
        return
    # ssh joins the remaining words with spaces and the remote shell parses the result.
    w.walk_source(
        " ".join(x.text for x in remote),
        site.nested(f"ssh {host}", host),
        "remote command",
    )


def _su(w: _Walker, name: str, words: list[Word], site: _Site) -> None:
    for i, word in enumerate(words[1:], start=1):
        if word.text in {"-c", "--command"} and i + 1 < len(words):
            string = words[i + 1]
            if not string.static:
                w.emit(words, site, dynamic=True)
                return
            w.walk_source(string.text, site.nested("su -c"), "su -c string")
            return
        if word.text.startswith("--command="):
            w.walk_source(word.text.partition("=")[2], site.nested("su -c"), "su -c string")
            return
    w.emit(words, site)


def _eval(w: _Walker, name: str, words: list[Word], site: _Site) -> None:
    args = words[1:]
    if not args:
        return
    if not all(x.static for x in args):
        # `eval "$(pyenv init -)"`: a local tool printing shell setup is the idiom; what it
        # runs is judged as a command of its own. Anything else is code nobody can see.
        printer = _SETUP_PRINTER.match(args[0].raw) if len(args) == 1 else None
        setup = printer is not None and printer.group(1) in _SHELL_SETUP_PRINTERS
        w.emit(words, site, dynamic=not setup)  # fmt: skip
        return
    w.walk_source(" ".join(x.text for x in args), site.nested("eval"), "eval string")


_SETUP_PRINTER = re.compile(r"""^"?\$\(\s*([A-Za-z0-9_.-]+)(\s[^;|&`$()<>]*)?\)"?$""")
# Tools whose documented use is `eval "$(TOOL …)"` to set up the shell.
_SHELL_SETUP_PRINTERS = frozenset(
    {
        "ssh-agent", "gpg-agent", "keychain", "pyenv", "rbenv", "nodenv", "goenv", "jenv",
        "plenv", "phpenv", "direnv", "poetry", "conda", "mamba", "micromamba", "brew",
        "zoxide", "starship", "fnm", "mise", "rtx", "asdf", "opam", "dircolors", "thefuck",
        "luarocks", "pdm", "rye", "uv", "gh", "kubectl", "helm", "register-python-argcomplete",
        "atuin", "mcfly", "fzf", "rustup", "nvm", "pixi", "hatch", "pipenv", "virtualenvwrapper",
    }
)  # fmt: skip


def _shell(w: _Walker, name: str, words: list[Word], site: _Site) -> None:
    """`bash -c STRING`, `bash SCRIPT`, `bash` reading a heredoc or a pipe, `bash <(curl …)`."""
    feed, args_unknown = site.feed, site.args_unknown
    i = 1
    command_string: Word | None = None
    reads_stdin = False
    saw_c = False
    while i < len(words):
        text = words[i].text
        if text == "--":
            i += 1
            break
        if text in {"-o", "+o", "-O", "+O", "--rcfile", "--init-file"} and i + 1 < len(words):
            i += 2
            continue
        if (text.startswith("-") and text != "-") or (text.startswith("+") and len(text) > 1):
            letters = text.lstrip("-+")
            if not text.startswith("--") and "c" in letters:
                saw_c = True
                if i + 1 < len(words):
                    command_string = words[i + 1]
                i = len(words)
                break
            if not text.startswith("--") and "s" in letters:
                reads_stdin = True
            i += 1
            continue
        break
    label = f"{name} -c"
    if args_unknown and (
        (saw_c and (command_string is None or command_string.text in {"{}", "{1}"}))
        or (
            not saw_c and (i >= len(words) or words[i].text in {"{}", "{1}"} or not words[i].static)
        )
    ):
        # `xargs bash -c`, `xargs -I{} sh -c {}`, `parallel bash {}`: the program itself
        # comes from input nobody can see here.
        w.emit(words, site, dynamic=True)
        return
    if saw_c and command_string is None:
        w.emit(words, site)
        return
    if command_string is not None:
        if not command_string.static:
            raw = command_string.raw
            if (any(d in raw for d in DOWNLOADERS) and "$(" in raw) or "`" in raw:
                download = Feed("download", source=tuple(raw.split()))
                w.emit(words, replace(site, feed=download))
                return
            w.emit(words, site, dynamic=True)
            return
        w.walk_source(command_string.text, site.nested(label), f"{label} string")
        return
    rest = words[i:]
    if rest and not reads_stdin and rest[0].text != "-":
        script = rest[0]
        if "<(" in script.raw and any(d in script.raw for d in DOWNLOADERS):
            w.emit(
                words,
                replace(site, feed=Feed("process-substitution-download", source=(script.raw,))),
            )
            return
        w.emit(words, site)
        if script.static:
            _walk_script_file(w, script.text, site.inner(f"{name} {script.text}"))
        return
    # The shell reads its program from standard input.
    w.emit(words, site)
    if feed is None:
        return
    if feed.kind in {"heredoc", "herestring", "pipe"} and feed.text is not None:
        w.walk_source(feed.text, site.nested(f"{name} <stdin>"), "script on standard input")
    elif feed.kind == "pipe" and feed.source[:1] == ("cat",) and len(feed.source) == 2:
        _walk_script_file(w, feed.source[1], site.inner(f"{name} <{feed.source[1]}"))
    elif feed.kind == "pipe":
        # `… | base64 -d | sh`, `generate | bash`: the program is whatever the pipe carries.
        source = " ".join(feed.source)[:80] or "the previous command"
        w._unparsed(
            site.frame,
            f"{name} runs what `{source}` writes, which safesh cannot read",
            source,
            kind="unseen",
        )


def _source(w: _Walker, name: str, words: list[Word], site: _Site) -> None:
    """`source FILE` / `. FILE` runs the file in this shell."""
    w.emit(words, site)
    if len(words) < 2:
        return
    target = words[1]
    if "<(" in target.raw and any(d in target.raw for d in DOWNLOADERS):
        w.emit(
            words, replace(site, feed=Feed("process-substitution-download", source=(target.raw,)))
        )
        return
    if target.static:
        _walk_script_file(w, target.text, site.inner(f"{name} {target.text}"))


def _package_runner(w: _Walker, name: str, words: list[Word], site: _Site) -> None:
    """`npx prisma …`, `uv run rails …`, `poetry run …`, `bundle exec …`: the tool after the
    runner is what runs."""
    rest = words[1:]
    runner_verbs = {
        "uv": "run",
        "poetry": "run",
        "pipenv": "run",
        "bundle": "exec",
        "pnpm": "dlx",
        "yarn": "dlx",
        "pdm": "run",
        "hatch": "run",
        "rye": "run",
        "pipx": "run",
    }
    verb = runner_verbs.get(name)
    if verb is not None:
        if not rest or rest[0].text != verb:
            w.emit(words, site)
            return
        rest = rest[1:]
    value_options = frozenset({"-p", "--package", "--with", "--python", "-e", "--env"})
    _, rest = _split_options(rest, value_options)
    if not rest:
        w.emit(words, site)
        return
    w.peel(rest, site.inner(name))


def _container_exec(w: _Walker, name: str, words: list[Word], site: _Site) -> None:
    """`kubectl exec POD -- CMD`, `docker exec CTR CMD`: the outer command is judged by its
    own rules, and the command it runs inside the container is judged too."""
    w.emit(words, site)
    texts = [x.text for x in words]
    if len(texts) < 2 or texts[1] != "exec":
        return
    if "--" in texts:
        inner = words[texts.index("--") + 1 :]
    elif name in {"docker", "podman"}:
        value_options = frozenset(
            {"-e", "--env", "-u", "--user", "-w", "--workdir", "--env-file", "--detach-keys"}
        )
        _, after = _split_options(words[2:], value_options)
        inner = after[1:]
    else:
        return
    if inner:
        w.peel(list(inner), site.inner(f"{name} exec", feed=None))


_ANSIBLE_SHELL_MODULES = frozenset(
    {"shell", "command", "raw", "ansible.builtin.shell", "ansible.builtin.command",
     "ansible.builtin.raw"}
)  # fmt: skip
_ANSIBLE_VALUE_OPTIONS = frozenset(
    {"-m", "--module-name", "-a", "--args", "-i", "--inventory", "-u", "--user", "-l",
     "--limit", "-f", "--forks", "-e", "--extra-vars", "-b", "--become-user", "-T",
     "--timeout", "-c", "--connection", "--private-key", "-M", "--module-path", "-t",
     "--tree", "-P", "--poll", "-B", "--background", "--vault-id", "--vault-password-file"}
)  # fmt: skip


def _ansible(w: _Walker, name: str, words: list[Word], site: _Site) -> None:
    """`ansible HOSTS -m shell -a 'CMD'`: CMD runs on every host the pattern names (the
    `command` module is the default when only `-a` is given)."""
    w.emit(words, site)
    module, arguments, pattern = "command", None, None
    i = 1
    while i < len(words):
        text = words[i].text
        if text in {"-m", "--module-name"} and i + 1 < len(words):
            module = words[i + 1].text
        elif text in {"-a", "--args"} and i + 1 < len(words):
            arguments = words[i + 1]
        elif text.startswith("--args="):
            arguments = Word(text.partition("=")[2], text, words[i].span)
        if text in _ANSIBLE_VALUE_OPTIONS:
            i += 2
            continue
        if not text.startswith("-") and pattern is None:
            pattern = text
        i += 1
    if arguments is None or module not in _ANSIBLE_SHELL_MODULES:
        return
    host = pattern or "all"
    if not arguments.static:
        w.emit([arguments], site.inner(f"ansible {host}", remote_host=host), dynamic=True)
        return
    w.walk_source(arguments.text, site.nested(f"ansible {host}", host), "ansible command")


def _nested(
    frame: _Frame, simple: SimpleCommand, via: tuple[str, ...], host: str | None = None
) -> _Frame:
    return _Frame(
        depth=frame.depth + 1,
        via=via,
        span=frame.span or simple.span,
        remote_host=host or frame.remote_host,
        # A remote or nested shell starts where the outer one stands; a remote host's
        # directory is unknown.
        cwd=None if host else frame.cwd,
        cwd_known=False if host else frame.cwd_known,
    )


def _walk_script_file(w: _Walker, path: str, site: _Site) -> None:
    """A script run by a shell is analysed: as written earlier in the line, or as it is on
    disk when it exists here and is small enough."""
    written = w.written_script(path, site)
    if written is not None:
        w.run_written(path, written, site, site.via[-1].split()[0] if site.via else "shell")
        return
    frame = site.frame
    if frame.remote_host:
        return
    base = frame.cwd or w.context.cwd
    full = resolve_path(path, base, w.context.home)
    try:
        if not os.path.isfile(full) or os.path.getsize(full) > MAX_SCRIPT_BYTES:
            return
        with open(full, encoding="utf-8", errors="replace") as handle:
            text = handle.read()
    except OSError:
        return
    w.walk_source(text, site.nested_frame(), f"script {path}")


_HANDLERS: dict[str, _Handler] = {
    **dict.fromkeys(_SIMPLE_WRAPPERS, _simple_wrapper),
    "timeout": _timeout,
    "chrt": _skip_one_positional,
    "taskset": _skip_one_positional,
    "flock": _skip_one_positional,
    "chroot": _skip_one_positional,
    "env": _env,
    "command": _command_builtin,
    "exec": _exec,
    "watch": _watch,
    "xargs": _xargs,
    "parallel": _parallel,
    "sem": _parallel,
    **dict.fromkeys(
        ["python", "python3", "python2", *(f"python3.{minor}" for minor in range(6, 16))],
        _python,
    ),
    "busybox": _multicall,
    "toybox": _multicall,
    "git": _git,
    "find": _find,
    "ssh": _ssh,
    "su": _su,
    "eval": _eval,
    "source": _source,
    ".": _source,
    **dict.fromkeys(SHELLS, _shell),
    **dict.fromkeys(
        [
            "npx",
            "bunx",
            "uv",
            "uvx",
            "poetry",
            "pipenv",
            "bundle",
            "pnpm",
            "yarn",
            "pdm",
            "hatch",
            "rye",
            "pipx",
        ],
        _package_runner,
    ),
    "ansible": _ansible,
    "kubectl": _container_exec,
    "oc": _container_exec,
    "docker": _container_exec,
    "podman": _container_exec,
}
