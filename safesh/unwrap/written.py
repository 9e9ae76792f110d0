"""Files written earlier in the line: `curl -o i.sh URL`, `cat > run.sh <<EOF`,
`echo … > x.sh`. A later `bash i.sh` runs what was written, not what is on disk now, so the
walker remembers these by absolute path.

May use: `safesh.model`, `.words`, `.feeds` and the standard library.
"""

from __future__ import annotations

from safesh.model import Feed, SimpleCommand
from safesh.unwrap.feeds import DOWNLOADERS, peeled_argv, pipe_text
from safesh.unwrap.words import resolve_path


def written_by(
    simple: SimpleCommand, base: str, home: str, argv: tuple[str, ...] | None = None
) -> list[tuple[str, Feed]]:
    """The files `simple` writes whose content is known or known to be unseen, by absolute
    path (`base` is the directory it runs in): a download's output, a heredoc `cat`/`tee`
    writes, what `echo`/`printf` print into a file. `argv`: `peeled_argv(simple)`, when the
    caller has it already."""
    if argv is None:
        argv = peeled_argv(simple)
    if not argv or argv[0] not in WRITERS:
        return []
    targets = [
        r.target.text
        for r in simple.redirects
        if r.op in OUTPUT_OPS and r.target is not None and r.target.static
    ]
    if argv[0] in DOWNLOADERS:
        content = Feed("download", source=argv)
        targets += download_outputs(argv)
    elif argv[0] in {"cat", "tee"}:
        body = next((r.heredoc for r in simple.redirects if r.heredoc is not None), None)
        if body is None:
            return []
        content = Feed("heredoc", text=body)
        if argv[0] == "tee":
            targets += [a for a in argv[1:] if not a.startswith("-")]
    elif argv[0] in {"echo", "printf"}:
        if not targets:
            return []  # printed, not written
        content = Feed("pipe", source=argv, text=pipe_text(argv, simple))
    elif argv[0] in _COPIERS:
        copied = _copied_program(argv)
        if copied is None:
            return []
        program, target = copied
        content = Feed("program", source=(program,))
        targets = [target]
    else:
        return []
    return [
        (resolve_path(target, base, home), content)
        for target in targets
        if target not in {"-", "/dev/stdout", "/dev/null"}
    ]


OUTPUT_OPS = frozenset({">", ">>", ">|", "&>", "&>>"})

# Programs that make a file run another program under a new name (a copy or a link), their
# options that take a value, and the directories whose files are programs.
_COPIERS = frozenset({"cp", "ln", "install", "rsync"})
_COPIER_VALUES = frozenset({"-m", "--mode", "-o", "--owner", "-g", "--group", "-S", "--suffix"})
# Every program written_by reads further; those that write without a redirection (the
# others write nothing known unless one gives them a heredoc or a file to print into).
WRITERS = DOWNLOADERS | {"cat", "tee", "echo", "printf"} | _COPIERS
UNREDIRECTED = DOWNLOADERS | _COPIERS
_PROGRAM_DIRS = ("/bin/", "/sbin/", "/usr/bin/", "/usr/sbin/", "/usr/local/bin/",
                 "/usr/local/sbin/", "/opt/homebrew/bin/", "/snap/bin/")  # fmt: skip


def _copied_program(argv: tuple[str, ...]) -> tuple[str, str] | None:
    """(program, new path) for `cp /bin/rm ./x`, `ln -s /usr/bin/rm x`, `install -m 755
    /bin/rm ~/bin/ll`: one source in a directory of programs and one target. A target that is
    a directory (`cp /bin/rm /tmp/`) keeps the program's own name."""
    operands: list[str] = []
    index = 1
    while index < len(argv):
        arg = argv[index]
        if arg in _COPIER_VALUES:
            index += 2
            continue
        if not arg.startswith("-"):
            operands.append(arg)
        index += 1
    if len(operands) != 2 or not operands[0].startswith(_PROGRAM_DIRS):
        return None
    source, target = operands
    program = source.rpartition("/")[2]
    if not program:
        return None
    return program, (target + program if target.endswith("/") else target)


def download_outputs(argv: tuple[str, ...]) -> list[str]:
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
