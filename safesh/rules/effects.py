"""The effect model: what a command does, to which target, as facts rules can match.

Each command gets a set of *facts*, strings `KIND@TARGET` (docs/rules.md, "The effect model"):

    delete@CLASS        a file is deleted (inline code: os.remove, unlink, File.delete)
    delete-tree@CLASS   a directory is deleted with everything in it (shutil.rmtree,
                        fs.rmSync, FileUtils.rm_rf, rmtree)
    overwrite@CLASS     a file is replaced or truncated (`>`, cp/mv/install/ln destination,
                        tee, truncate, dd of=, sed -i, scp/rsync destination, open(…, 'w'))
    append@CLASS        a file is appended to or edited in place (`>>`, tee -a)
    move@CLASS          a path is moved away (mv source)
    extract@CLASS       an archive is unpacked into a place (tar -x -C DIR, unzip -d DIR)
    sql-destroy@any     a client is given a statement that drops, truncates or deletes all
                        rows (any client: the sql pack parses the ones it knows), also in
                        a file it reads (`-f`, `-i`, `@FILE`, `< FILE`)
    sql-unread@any      such a statement file cannot be read here
    sync-delete@CLASS   a sync deletes at its destination what the source lacks
                        (rsync --delete*, rclone sync/purge/delete, azcopy, …)
    perm@CLASS          permissions or owner change (chmod, chown, chgrp, setfacl, chattr)
    perm-tighten@CLASS  chmod that only takes permissions away (600, go-rwx)
    setuid@CLASS        a setuid/setgid bit is set
    mode-000@CLASS      every permission is taken away
    http-METHOD@PLACE   an HTTP request (get, head, post, put, patch, delete, query) to a
                        `remote` or `loopback` host
    http-admin@PLACE    a write to a datastore's or service's admin endpoint
    code@unknown        inline code whose effect cannot be read (built at run time)
    data-destroy@any    inline code that drops or empties a table, collection, bucket or store
                        through a library or the application's models (datacode.py)
    fork-bomb@any       inline code that forks without end
    ldap-…@any          what the LDIF given to ldapmodify/ldapadd does (ldif.py): delete,
                        rename, bulk-modify, members, config, unread

CLASS is a path class (paths.py), or for a remote destination `remote-root`, `remote-home`,
`remote-system`, `remote-system-core`, `remote-credential`, `remote` (any other remote path).
`system-core` is added to the root, a top-level system directory itself, and anything under
/etc, /usr (not /usr/local), /boot, /bin, /sbin and /lib*.

Rules in rules.toml name facts with `effects_any` (globs), and so decide the tier: the
extractors here only say what happens, never how bad it is. HTTP requests are read in http.py,
inline programs in inline.py, LDIF in ldif.py, path classes in targets.py, data destroyed by
code and destroying statements in datacode.py. May import model,
targets, checks (write targets), clients, http, inline and ldif.
"""

from __future__ import annotations

from collections.abc import Iterable

from safesh.lazy_re import later, re
from safesh.model import Command, Context
from safesh.rules.targets import extra_classes, path_classes


def _facts(kind: str, classes: Iterable[str]) -> set[str]:
    return {f"{kind}@{cls}" for cls in classes}


# -- writes -------------------------------------------------------------------------------------


def write_facts(command: Command, context: Context) -> set[str]:
    """overwrite@ / append@ / move@ facts of a command's write targets."""
    from safesh.rules.checks import write_targets

    facts: set[str] = set()
    overwritten = write_targets(command, appends=False)
    for target in overwritten:
        facts |= _facts("overwrite", _write_classes(command, context, target))
    for target in write_targets(command, appends=True):
        if target not in overwritten:
            facts |= _facts("append", _write_classes(command, context, target))
    if command.name == "mv":
        positional = [a for a in command.argv[1:] if not a.startswith("-")]
        for source in positional[:-1]:
            facts |= _facts("move", path_classes(command, context, source))
    for source in _archived_and_removed(command):
        facts |= _facts("move", path_classes(command, context, source))
    facts |= _remote_copy_facts(command)
    facts |= _extract_facts(command, context)
    return facts


_TAR_VALUES = frozenset({"-f", "--file", "-C", "--directory", "-T", "--files-from", "-X",
                         "--exclude-from", "--exclude", "-b", "--blocking-factor", "-I",
                         "--use-compress-program", "--strip-components", "-g", "-V"})  # fmt: skip


def _extract_facts(command: Command, context: Context) -> set[str]:
    """extract@CLASS: an archive unpacked into a place (`tar -x -C /`, `unzip -d /etc`),
    overwriting what is there."""
    argv = command.argv
    if command.name in {"tar", "bsdtar", "gtar"}:
        first = argv[1] if len(argv) > 1 else ""
        extracting = any(
            a in {"--extract", "--get"} or (a[:1] == "-" and a[1:2] != "-" and "x" in a[1:])
            for a in argv[1:]
        ) or (first[:1] not in {"-", ""} and "x" in first)
        if not extracting:
            return set()
        directory = _option_value(argv, {"-C", "--directory"})
    elif command.name in {"unzip", "7z", "7za", "bsdunzip"}:
        if command.name.startswith("7z") and (len(argv) < 2 or argv[1] not in {"x", "e"}):
            return set()
        directory = _option_value(argv, {"-d"}) or next(
            (a[2:] for a in argv[1:] if a.startswith("-o") and command.name.startswith("7z")),
            None,
        )
    else:
        return set()
    if (directory or "").rstrip("/") in {"/usr/local", "/opt"}:
        return {"extract@local-install"}  # where administrators unpack their own software
    return _facts("extract", _write_classes(command, context, directory or "."))


_ZIP_VALUES = frozenset({"-b", "-n", "-t", "-tt", "-x", "-i", "-P", "-O", "--out", "-Z", "-s",
                         "-sp", "-ll", "-lf", "-la", "-lc"})  # fmt: skip


def _archived_and_removed(command: Command) -> list[str]:
    """The files an archiver deletes once they are in the archive: `tar --remove-files`,
    `zip -m`/`--move`, `7z a -sdel`. Their content only survives in the archive, so they are
    moved there, as `mv` moves its sources."""
    argv = command.argv
    if command.name in {"tar", "bsdtar", "gtar"} and "--remove-files" in argv:
        return _tar_operands(argv)
    if command.name == "zip":
        moving = any(
            a in {"-m", "--move"} or (a[:1] == "-" and a[1:2] != "-" and "m" in a[1:])
            for a in argv[1:]
            if a not in _ZIP_VALUES
        )
        return _positional(argv, _ZIP_VALUES)[1:] if moving else []
    if command.name in {"7z", "7za", "7zz"} and "-sdel" in argv and len(argv) > 1:
        return [a for a in argv[2:] if not a.startswith("-")][1:]
    return []


def _tar_operands(argv: tuple[str, ...]) -> list[str]:
    """tar's operands: not options, not an option's value. The old-style first word
    (`tar czf out.tgz dir`) and a cluster ending in `f` (`-czf out.tgz`) take the archive
    name as their value."""
    words: list[str] = []
    index = 1
    if len(argv) > 1 and argv[1][:1] not in {"-", ""}:
        index = 3 if "f" in argv[1] else 2
    while index < len(argv):
        word = argv[index]
        cluster_f = word[:1] == "-" and word[1:2] != "-" and word.endswith("f")
        if word in _TAR_VALUES or cluster_f:
            index += 2
            continue
        if not word.startswith("-"):
            words.append(word)
        index += 1
    return words


def _option_value(argv: tuple[str, ...], options: set[str]) -> str | None:
    for index, word in enumerate(argv[1:], start=1):
        name, equals, value = word.partition("=")
        if name in options and equals:
            return value
        if word in options and index + 1 < len(argv):
            return argv[index + 1]
    return None


def _write_classes(command: Command, context: Context, target: str) -> frozenset[str]:
    classes = path_classes(command, context, target)
    if "local-install" in classes:
        # Where administrators put software of their own: overwriting there is routine.
        return frozenset({"local-install"})
    return classes


# Options of scp/rsync that take a value, so the destination can be found.
_COPY_VALUES = frozenset(
    {
        "-P", "-i", "-o", "-F", "-c", "-J", "-l", "-S", "-e", "--rsh", "--exclude",
        "--include", "--exclude-from", "--include-from", "--files-from", "-f", "--filter",
        "--chmod", "--chown", "--log-file", "--password-file", "-T", "--temp-dir",
        "--partial-dir", "--backup-dir", "--suffix", "--rsync-path", "--port",
        "--compare-dest", "--copy-dest", "--link-dest", "--max-size", "--min-size", "--bwlimit",
        "--timeout", "--contimeout", "--info", "--debug", "--out-format",
    }
)  # fmt: skip
_REMOTE = later(
    r"^(?:[A-Za-z][A-Za-z0-9+.-]*://[^/]*(?P<urlpath>/.*)?"  # rsync://host/path
    r"|(?:[^/:@\s]+@)?(?P<host>\[[^\]]+\]|[A-Za-z0-9][A-Za-z0-9_.-]*):(?P<path>.*))$"  # host:path
)


def _positional(argv: tuple[str, ...], values: frozenset[str]) -> list[str]:
    words: list[str] = []
    index = 1
    done = False
    while index < len(argv):
        word = argv[index]
        index += 1
        if done or not word.startswith("-") or word == "-":
            words.append(word)
        elif word == "--":
            done = True
        elif word in values or (len(word) == 2 and word in values):
            index += 1
        elif not word.startswith("--") and len(word) > 2 and word[:2] in values:
            continue
    return words


def remote_path(word: str) -> str | None:
    """The path part of `host:path`, `user@host:path`, `rsync://host/path`; None if local."""
    if word.startswith(("/", "./", "../", "~")):
        return None
    match = _REMOTE.match(word)
    if match is None:
        return None
    if match.group("host") is not None:
        return match.group("path")
    return match.group("urlpath") or ""


def remote_classes(path: str) -> frozenset[str]:
    """What a path on another machine names: its root, its home, a system tree, a key."""
    import posixpath

    if not path or path in {"~", "~/", "."} or not path.startswith("/"):
        relative = path.removeprefix("~/").removeprefix("~").removeprefix("./").lstrip("/")
        first = relative.split("/", 1)[0]
        from safesh.rules.paths import SENSITIVE_HOME_ENTRIES

        if not first or first in {"*", ".*"}:
            return frozenset({"remote-home"})
        if first in SENSITIVE_HOME_ENTRIES:
            return frozenset({"remote-credential", "remote"})
        return frozenset({"remote"})
    normal = "/" + posixpath.normpath(path).lstrip("/")
    if normal == "/":
        return frozenset({"remote-root"})
    extra = extra_classes(normal)
    classes = {"remote"}
    if "system-core" in extra:
        # Deploying into /srv, /var/www or /opt is routine; the system's own trees are not.
        classes |= {"remote-system-core", "remote-system"}
    parts = normal.split("/")
    if len(parts) >= 3 and parts[1] in {"home", "Users"}:
        if len(parts) == 3:
            classes.add("remote-home")
        elif parts[3] in {".ssh", ".bashrc", ".profile", ".bash_profile", ".zshrc"}:
            classes.add("remote-credential")
    if parts[1] == "root" and len(parts) == 2:
        classes.add("remote-home")
    return frozenset(classes)


def _remote_copy_facts(command: Command) -> set[str]:
    """scp/rsync onto another machine: the destination's classes, prefixed `remote-`."""
    if command.name not in {"scp", "rsync", "sftp"}:
        return set()
    words = _positional(command.argv, _COPY_VALUES)
    if len(words) < 2:
        return set()
    path = remote_path(words[-1])
    if path is None:
        return set()
    return _facts("overwrite", remote_classes(path))


# -- syncs that delete at the destination ------------------------------------------------------

# rclone's options that take a value as the next word: unread, a value (`--min-age 0s`) would
# pass for the path the command deletes.
_RCLONE_VALUES = frozenset({
    "--config", "--filter", "--filter-from", "--include", "--include-from", "--exclude",
    "--exclude-from", "--exclude-if-present", "--files-from", "--files-from-raw", "--transfers",
    "--checkers", "--log-file", "--log-level", "--log-format", "--backup-dir", "--suffix",
    "--dedupe-mode", "--min-age", "--max-age", "--min-size", "--max-size", "--max-depth",
    "--max-delete", "--max-delete-size", "--max-transfer", "--max-duration", "--bwlimit",
    "--bwlimit-file", "--order-by", "--compare-dest", "--copy-dest", "--retries",
    "--retries-sleep", "--low-level-retries", "--timeout", "--contimeout", "--tpslimit",
    "--tpslimit-burst", "--stats", "--stats-log-level", "--stats-unit", "--cache-dir",
    "--buffer-size", "--bind", "--header", "--header-download", "--header-upload",
    "--user-agent", "--password-command", "--cutoff-mode", "--modify-window",
    "--multi-thread-cutoff", "--multi-thread-streams", "--track-renames-strategy",
    "--conflict-resolve", "--conflict-loser", "--conflict-suffix", "--workdir",
    "--max-backlog", "--dump", "--disable", "--client-cert", "--client-key", "--ca-cert",
})  # fmt: skip
_RCLONE_DELETING = frozenset({"sync", "purge", "delete", "deletefile", "rmdir", "rmdirs",
                              "cleanup", "move", "moveto", "bisync"})  # fmt: skip


def sync_delete_facts(command: Command, context: Context) -> set[str]:
    name, argv = command.name, command.argv
    if name == "rsync":
        if not any(a.startswith("--delete") or a in {"--del", "--remove-source-files"}
                   for a in argv[1:]):  # fmt: skip
            return set()
        if any(a == "--dry-run" or (a[:1] == "-" and a[1:2] != "-" and "n" in a[1:])
               for a in argv[1:]):  # fmt: skip
            return set()  # -n: it only lists what it would do
        words = _positional(argv, _COPY_VALUES)
        return _destination_facts(command, context, words[-1:] if len(words) >= 2 else [])
    if name == "rclone":
        words = _positional(argv, _RCLONE_VALUES)
        if words[:1] == ["dedupe"]:
            return _rclone_dedupe_facts(command, context, words)
        if not words or words[0] not in _RCLONE_DELETING:
            return set()
        if any(a in {"--dry-run", "-n", "--interactive", "-i"} for a in argv):
            return set()
        targets = words[1:] if words[0] in {"purge", "delete", "deletefile", "rmdir", "rmdirs",
                                            "cleanup"} else words[2:3]  # fmt: skip
        return _destination_facts(command, context, targets, rclone=True)
    if name == "azcopy":
        words = _positional(argv, frozenset())
        if words[:1] == ["remove"] or words[:1] == ["rm"]:
            return _destination_facts(command, context, words[1:2])
        if words[:1] == ["sync"] and any(
            # (=prompt asks about each file before deleting it)
            a.startswith("--delete-destination") and not a.endswith(("=false", "=prompt"))
            for a in argv
        ):
            return _destination_facts(command, context, words[2:3])
    if name == "mc":
        return _mc_mirror_facts(command, context)
    if name == "unison" and any(a in {"-force", "-prefer"} for a in argv):
        return _destination_facts(command, context, _positional(argv, frozenset())[1:2])
    return set()


# `rclone dedupe` modes that delete every copy but one (interactive asks per file; rename,
# skip and list delete nothing).
_RCLONE_DEDUPE_DELETING = frozenset({"first", "newest", "oldest", "largest", "smallest"})


def _rclone_dedupe_facts(command: Command, context: Context, words: list[str]) -> set[str]:
    argv = command.argv
    if any(a in {"--dry-run", "-n"} for a in argv):
        return set()
    modes = [a.split("=", 1)[1] for a in argv if a.startswith("--dedupe-mode=")]
    modes += [argv[i + 1] for i, a in enumerate(argv[:-1]) if a == "--dedupe-mode"]
    modes += [w for w in words[1:2] if w in _RCLONE_DEDUPE_DELETING]  # old form: dedupe MODE PATH
    if not any(m in _RCLONE_DEDUPE_DELETING for m in modes):
        return set()
    return _destination_facts(command, context, words[-1:], rclone=True)


_MC_VALUES = frozenset({"--exclude", "--older-than", "--newer-than", "--storage-class",
                        "--attr", "--region", "--encrypt-key", "--config-dir", "-C"})  # fmt: skip


def _mc_mirror_facts(command: Command, context: Context) -> set[str]:
    """`mc mirror --remove SRC DST` (MinIO client) deletes at DST every object SRC lacks; DST
    is an `ALIAS/bucket/…` path unless it is spelled as a local one."""
    argv = command.argv
    words = _positional(argv, _MC_VALUES)
    if words[:1] != ["mirror"] or "--remove" not in argv or "--dry-run" in argv:
        return set()
    targets = words[2:3]
    local = [t for t in targets if t.startswith(("/", ".", "~", "$"))]
    remote = [t for t in targets if t not in local]
    return _destination_facts(command, context, local) | (
        _facts("sync-delete", {"remote"}) if remote else set()
    )


def _destination_facts(
    command: Command, context: Context, targets: list[str], rclone: bool = False
) -> set[str]:
    facts: set[str] = set()
    for target in targets:
        if rclone and re.match(r"^[A-Za-z0-9_.-]+:", target) and not target.startswith("/"):
            inside = target.split(":", 1)[1]
            classes = {"remote-root"} if inside.strip("/") == "" else {"remote"}
            facts |= _facts("sync-delete", classes)
            continue
        remote = remote_path(target)
        if remote is not None:
            facts |= _facts("sync-delete", remote_classes(remote))
        elif "://" in target:
            facts |= _facts("sync-delete", {"remote"})
        else:
            facts |= _facts("sync-delete", path_classes(command, context, target))
    return facts


# -- permissions --------------------------------------------------------------------------------

_PERM_TOOLS = frozenset({"chmod", "chown", "chgrp", "setfacl", "chattr", "lchown"})
_PERM_VALUES = frozenset({"--reference", "--from", "-m", "-M", "-x", "-X", "--modify",
                          "--remove", "--set", "--set-file"})  # fmt: skip


def perm_facts(command: Command, context: Context) -> set[str]:
    if command.name not in _PERM_TOOLS:
        return set()
    words = _positional(command.argv, _PERM_VALUES)
    # (paths under /usr/local and /opt count as `local-install`, as for writes)
    if command.name in {"chmod", "chown", "chgrp", "lchown"} and "--reference" not in " ".join(
        command.argv
    ):
        mode, paths = (words[0], words[1:]) if words else ("", [])
    elif command.name == "chattr":
        mode, paths = (words[0], words[1:]) if words and words[0][:1] in "+-=" else ("", words)
    else:
        mode, paths = "", words
    # `chmod -x file` spells the mode like an option.
    if command.name == "chmod" and not mode:
        dashed = [a for a in command.argv[1:] if re.fullmatch(r"-[rwxXst]+", a)]
        mode = dashed[0] if dashed else ""
    kinds = _mode_kinds(command.name, mode)
    facts: set[str] = set()
    for path in paths:
        classes = _write_classes(command, context, path)
        for kind in kinds:
            facts |= _facts(kind, classes)
    return facts


def _mode_kinds(tool: str, mode: str) -> set[str]:
    if tool != "chmod":
        return {"perm"}
    kinds: set[str] = set()
    if re.fullmatch(r"0*[2467][0-7]{3}", mode) or re.search(r"[ugoa]*\+[rwxXt]*s", mode):
        kinds.add("setuid")
    if (
        re.fullmatch(r"0+", mode)
        or re.fullmatch(r"(a|ugo)?[-=]", mode)
        or mode
        in {
            "a-rwx",
            "ugo-rwx",
            "a=",
            "ugo=",
            "-rwx",
            "=",
        }
    ):
        kinds.add("mode-000")
    if _only_takes_away(mode):
        kinds.add("perm-tighten")
    else:
        kinds.add("perm")
    return kinds


def _only_takes_away(mode: str) -> bool:
    """600, 0700, 400, go-rwx, o-w: the owner keeps access, nobody else gains any."""
    if re.fullmatch(r"0?[4-7]00", mode):
        return True
    clauses = mode.split(",")
    return bool(mode) and all(re.fullmatch(r"[ugoa]*-[rwxXst]+", c) for c in clauses)


# -- all of it ----------------------------------------------------------------------------------


def command_facts(command: Command, context: Context) -> frozenset[str]:
    """Every fact about what `command` does (the module docstring lists them)."""
    facts = write_facts(command, context)
    facts |= sync_delete_facts(command, context)
    facts |= perm_facts(command, context)
    facts |= _http_facts(command, context)
    facts |= inline_facts(command, context)
    facts |= sql_text_facts(command, context)
    if command.name in _LDIF_CLIENTS:  # ldif.py is loaded only for them
        from safesh.rules.ldif import ldif_facts

        facts |= ldif_facts(command, context)
    return frozenset(facts)


_LDIF_CLIENTS = frozenset({"ldapmodify", "ldapadd"})


def _http_facts(command: Command, context: Context) -> set[str]:
    """http.py's facts about an HTTP client's requests (the module is loaded only for one)."""
    from safesh.rules.clients import HTTP_CLIENTS

    if command.name not in HTTP_CLIENTS:
        return set()
    from safesh.rules.http import http_facts

    return http_facts(command, context)


def inline_facts(command: Command, context: Context) -> set[str]:
    """What an inline program (inline.py) deletes and writes, target by target."""
    from safesh.rules.programs import program_text

    if program_text(command) is None:
        return set()  # no program: answered without loading inline.py and its patterns
    from safesh.rules.inline import read_program, uses_safesh_internals

    program = read_program(command)
    if program is None:
        return set()
    facts: set[str] = set()
    found = program_text(command)
    if found is not None and found[0] != "sed":
        from safesh.rules.datacode import data_code_facts

        facts |= data_code_facts(found[1])
    for kind, paths in (("delete", program.deletes), ("delete-tree", program.tree_deletes),
                        ("overwrite", program.writes), ("append", program.appends)):  # fmt: skip
        for path in paths:
            classes = path_classes(command, context, path) if path else frozenset({"unknown"})
            facts |= _facts(kind, classes)
    if program.requests:
        from safesh.rules.http import request_facts

        facts |= request_facts([(method, url, "", False) for method, url in program.requests])
    if program.unknown:
        facts.add("code@unknown")
    if program.fork_bomb:
        facts.add("fork-bomb@any")
    if uses_safesh_internals(command):
        # safesh's store, settings or install API: what approves, trusts or configures.
        facts.add("overwrite@safesh-state")
    return facts


def sql_text_facts(command: Command, context: Context) -> set[str]:
    """`sql-destroy@any` when a statement the client is given destroys data (in its arguments,
    `--execute=STATEMENT`, its input, or, for the clients in `STATEMENT_FILE_CLIENTS`, a file
    it reads: `-f FILE`, `-i FILE`, `--queries-file FILE`, `@FILE`, `< FILE`);
    `sql-unread@any` when such a file cannot be read here."""
    texts = [a.partition("=")[2] if a.startswith("--") else a for a in command.argv[1:]]
    # A short option's value glued to it: `-q"DROP …"`.
    texts += [a[2:] for a in command.argv[1:] if a[:1] == "-" and a[1:2] not in "-" and len(a) > 2]
    if command.feed is not None and command.feed.text:
        texts.append(command.feed.text)
    for redirect in command.redirects:
        if redirect.heredoc:
            texts.append(redirect.heredoc)
    facts: set[str] = set()
    if command.name in STATEMENT_FILE_CLIENTS:
        for read in _statement_files(command, context):
            if read is None:
                facts.add("sql-unread@any")
            else:
                texts.append(_SQL_COMMENT.sub("", read))
    texts = [text for text in texts if _may_name_a_statement(text)]
    if not texts:
        return facts  # most commands: answered without loading datacode.py and its pattern
    from safesh.rules.datacode import destroying_statement

    if any(destroying_statement(text) for text in texts):
        return facts | {"sql-destroy@any"}
    return facts


# Database clients whose statements sql.py does not parse, and that read them from files.
STATEMENT_FILE_CLIENTS = frozenset(
    {"sqlcmd", "cockroach", "snowsql", "snow", "trino",
     "trino-cli", "presto", "presto-cli", "usql", "mysqlsh", "cqlsh", "sqlplus", "isql", "vsql",
     "nzsql", "ysqlsh", "spark-sql", "beeline", "hive", "impala-shell", "db2", "dolt",
     "cypher-shell", "litecli", "influx", "surreal", "arangosh", "bq"}
)  # fmt: skip
# Their options whose value is a file of statements.
_STATEMENT_FILE_OPTIONS = frozenset(
    {"-f", "--file", "-i", "--input-file", "--queries-file", "--filename", "--script",
     "--sql-file", "-input", "--sqlfile"}
)  # fmt: skip
_STATEMENT_SUFFIXES = (".sql", ".cql", ".hql", ".cypher", ".cyp", ".influxql", ".ddl", ".surql")
_SQL_COMMENT = later(r"^[ \t]*(?:--|#|//)[^\n]*$|/\*.*?\*/", re.MULTILINE | re.DOTALL)
_MAX_STATEMENT_BYTES = 1 << 20


def _statement_files(command: Command, context: Context) -> list[str | None]:
    """The texts of the statement files `command` reads (None: one it names that cannot be
    read here)."""
    argv = command.argv
    paths: list[str] = []
    for index, word in enumerate(argv[1:], start=1):
        option, equals, value = word.partition("=")
        if equals and option in _STATEMENT_FILE_OPTIONS:
            paths.append(value)
        elif argv[index - 1] in _STATEMENT_FILE_OPTIONS:
            paths.append(word)
        elif word.startswith("@") and len(word) > 1 and command.name in {"sqlplus", "isql"}:
            paths.append(word[1:])  # sqlplus runs `@script` (`.sql` when it names none)
        elif not word.startswith("-") and word.lower().endswith(_STATEMENT_SUFFIXES):
            paths.append(word)
    for redirect in command.redirects:
        if redirect.op == "<" and redirect.target is not None and redirect.fd in (None, 0):
            paths.append(redirect.target.text if redirect.target.static else "")
    return [_read_statements(command, context, path) for path in dict.fromkeys(paths)]


def _read_statements(command: Command, context: Context, path: str) -> str | None:
    import os

    if not path or (not os.path.isabs(path) and not command.cwd_known):
        return None
    full = os.path.join(command.cwd or context.cwd, os.path.expanduser(path))
    for candidate in (full, f"{full}.sql") if command.name == "sqlplus" else (full,):
        try:
            with open(candidate, "rb") as handle:
                data = handle.read(_MAX_STATEMENT_BYTES + 1)
        except OSError:
            continue
        if len(data) > _MAX_STATEMENT_BYTES:
            return None
        return data.decode("utf-8", errors="replace")
    return None


# Each statement `datacode.destroying_statement` knows begins with one of these words.
_STATEMENT_WORDS = ("drop", "truncate", "delete", "alter", "flush", "match")


def _may_name_a_statement(text: str) -> bool:
    """False only when `datacode.destroying_statement(text)` cannot hold: ASCII text without
    any of its keywords (ignoring case). Most arguments are that (`-la`, a path), so the pattern is
    neither compiled nor run for them. Other text is always matched: under IGNORECASE the
    pattern also matches some non-ASCII letters (`ſ` for `s`)."""
    if not text.isascii():
        return True
    lowered = text.lower()
    return any(word in lowered for word in _STATEMENT_WORDS)
