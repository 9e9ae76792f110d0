"""The effect model: what a command does, to which target, as facts rules can match.

Each command gets a set of *facts*, strings `KIND@TARGET` (docs/rules.md, "The effect model"):

    delete@CLASS        a file is deleted (inline code: os.remove, unlink, File.delete)
    delete-tree@CLASS   a directory is deleted with everything in it (shutil.rmtree,
                        fs.rmSync, FileUtils.rm_rf, rmtree)
    overwrite@CLASS     a file is replaced or truncated (`>`, cp/mv/install/ln destination,
                        tee, truncate, dd of=, sed -i, scp/rsync destination, open(…, 'w'))
    append@CLASS        a file is appended to or edited in place (`>>`, tee -a)
    move@CLASS          a path is moved away (mv source)
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
    fork-bomb@any       inline code that forks without end

CLASS is a path class (paths.py), or for a remote destination `remote-root`, `remote-home`,
`remote-system`, `remote-system-core`, `remote-credential`, `remote` (any other remote path).
`system-core` is added to the root, a top-level system directory itself, and anything under
/etc, /usr (not /usr/local), /boot, /bin, /sbin and /lib*.

Rules in rules.toml name facts with `effects_any` (globs), and so decide the tier: the
extractors here only say what happens, never how bad it is.

May import model, paths, targets, inline.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from urllib.parse import urlsplit

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
    facts |= _remote_copy_facts(command)
    return facts


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
_REMOTE = re.compile(
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
        words = _positional(argv, frozenset({"--config", "--filter", "--include", "--exclude",
                                             "--transfers", "--checkers", "--log-file",
                                             "--backup-dir", "--suffix"}))  # fmt: skip
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
            a.startswith("--delete-destination") and not a.endswith("=false") for a in argv
        ):
            return _destination_facts(command, context, words[2:3])
    if name == "unison" and any(a in {"-force", "-prefer"} for a in argv):
        return _destination_facts(command, context, _positional(argv, frozenset())[1:2])
    return set()


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


# -- HTTP ---------------------------------------------------------------------------------------

HTTP_CLIENTS = frozenset({"curl", "wget", "http", "https", "xh", "xhs", "httpie", "curlie"})
_CURL_VALUES = frozenset(
    {
        "-X", "--request", "-d", "--data", "--data-raw", "--data-binary", "--data-urlencode",
        "--data-ascii", "--json", "-F", "--form", "--form-string", "-H", "--header", "-o",
        "--output", "-u", "--user", "-A", "--user-agent", "-e", "--referer", "-b", "--cookie",
        "-c", "--cookie-jar", "-T", "--upload-file", "--url", "-x", "--proxy", "-m",
        "--max-time", "--connect-timeout", "-w", "--write-out", "-E", "--cert", "--key",
        "--cacert", "--resolve", "--retry", "--unix-socket", "-K", "--config", "-r", "--range",
        "-D", "--dump-header", "--limit-rate", "-U", "--proxy-user", "--oauth2-bearer",
        "--aws-sigv4", "--interface", "--connect-to", "-Y", "-y", "-z", "-C", "--variable",
        "--expand-url", "--expand-data", "--url-query", "--abstract-unix-socket",
    }
)  # fmt: skip
_CURL_DATA = frozenset({"-d", "--data", "--data-raw", "--data-binary", "--data-urlencode",
                        "--data-ascii", "--json", "-F", "--form", "--form-string",
                        "--expand-data"})  # fmt: skip
_WGET_VALUES = frozenset({"-O", "--output-document", "-o", "--output-file", "-P",
                          "--directory-prefix", "--header", "--user", "--password", "-U",
                          "--user-agent", "-t", "--tries", "-T", "--timeout", "-i",
                          "--input-file", "--method", "--body-data", "--body-file",
                          "--post-data", "--post-file", "--limit-rate", "-e", "--execute",
                          "-w", "--wait", "-l", "--level", "-A", "-R", "--accept",
                          "--reject"})  # fmt: skip
_HTTPIE_VALUES = frozenset({"-a", "--auth", "-A", "--auth-type", "-o", "--output", "-v",
                            "--session", "--session-read-only", "--verify", "--cert",
                            "--cert-key", "--proxy", "--timeout", "-p", "--print",
                            "--pretty", "-s", "--style", "--format-options",
                            "--default-scheme", "--max-redirects", "--boundary"})  # fmt: skip
_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE"})
_LOOPBACK = re.compile(
    r"^(localhost|127(\.\d+){3}|::1|\[::1\]|0\.0\.0\.0|0|[^.]+\.localhost|host\.docker\.internal)$"
)
# Paths and ports of datastores' and services' administration APIs, where a write deletes
# or reconfigures data (Elasticsearch/OpenSearch, Consul, etcd, CouchDB, Kafka Connect,
# RabbitMQ, Prometheus, Vault, Nomad, Docker, Kubernetes, InfluxDB, ClickHouse, Solr).
_ADMIN_PATH = re.compile(
    r"(/_delete_by_query|/_update_by_query|/_all\b|/_cluster/|/_snapshot|/_ilm/|/_security/"
    r"|/_close\b|/_shrink|/_rollover|/_forcemerge|/_aliases"
    r"|/v1/kv/|/v1/agent/|/v1/catalog/|/v1/acl/|/v1/sys/|/v1/secret/|/v1/job/|/v1/operator/"
    r"|/v2/keys|/v3/kv/|/v3/lease/|/v3/auth/|/v3/cluster/|deleterange|delete_series"
    r"|/api/v1/admin/|/api/queues/|/api/exchanges/|/api/vhosts/|/connectors/|/subjects/"
    r"|/containers/|/images/|/volumes/|/apis?/v1/namespaces|/api/v1/nodes|/apis/"
    r"|/_replicator|/_users|/_config|/solr/.*/update|/query\?.*\b(drop|delete|truncate)\b"
    r"|[?&]query=\s*(drop|delete|truncate|alter)\b)",
    re.IGNORECASE,
)
_ADMIN_PORTS = frozenset({"9200", "9300", "8500", "2379", "2380", "5984", "8083", "15672",
                          "9090", "8200", "4646", "2375", "2376", "6443", "8001", "10250",
                          "8086", "8123", "8983", "8081"})  # fmt: skip
# A POST that only asks a question: a search, a GraphQL query, a count.
_QUERY_PATH = re.compile(
    r"/(_search|_msearch|_count|_validate|_explain|_analyze|_mget|search|graphql|query|"
    r"_sql|_find|v1/query|api/v1/query|api/v1/query_range)\b",
    re.IGNORECASE,
)
# A statement in a request body or query string that destroys data (InfluxQL, SQL over HTTP).
_DESTRUCTIVE_STATEMENT = re.compile(
    r"\b(drop|delete|truncate|alter)(\s|%20|\+)+(database|table|measurement|series|retention"
    r"|index|from|user|keyspace|collection|bucket)\b",
    re.IGNORECASE,
)
_GRAPHQL_READ = re.compile(r"""^\s*\{\s*["']?query["']?\s*:\s*["']\s*(query\b|\{)""")


def http_facts(command: Command) -> set[str]:
    if command.name not in HTTP_CLIENTS:
        return set()
    if any(a in {"--help", "-h", "--version", "-V"} for a in command.argv[1:2]):
        return set()
    if command.name == "curl" or command.name == "curlie":
        requests = _curl_requests(command.argv)
    elif command.name == "wget":
        requests = _wget_requests(command.argv)
    else:
        requests = _httpie_requests(command.argv)
    facts: set[str] = set()
    for method, url, body, socket in requests:
        place, admin = _place(url, socket)
        kind = method.lower()
        destroys = bool(_DESTRUCTIVE_STATEMENT.search(body) or _DESTRUCTIVE_STATEMENT.search(url))
        if destroys:
            admin = True
        elif method == "POST" and (_QUERY_PATH.search(_path_of(url)) or _GRAPHQL_READ.match(body)):
            kind = "query"
        facts.add(f"http-{kind}@{place}")
        if admin and method not in {"GET", "HEAD", "OPTIONS"} and kind != "query":
            facts.add(f"http-admin@{place}")
    return facts


def _curl_requests(argv: tuple[str, ...]) -> list[tuple[str, str, str, bool]]:
    method: str | None = None
    urls: list[str] = []
    body = ""
    upload = get = head = socket = False
    index = 1
    while index < len(argv):
        word = argv[index]
        index += 1
        name, equals, value = word.partition("=") if word.startswith("--") else (word, "", "")
        if not word.startswith("-") or word == "-":
            urls.append(word)
            continue
        if not word.startswith("--") and len(word) > 2:
            # A short cluster: `-XDELETE`, `-sSL`, `-sd @f`, `-sX POST`.
            for offset, letter in enumerate(word[1:], start=2):
                option = "-" + letter
                if option in _CURL_VALUES:
                    rest = word[offset:]
                    if not rest and index < len(argv):
                        rest = argv[index]
                        index += 1
                    method, body, upload, socket = _curl_option(
                        option, rest, method, body, upload, socket
                    )
                    break
                get = get or option == "-G"
                head = head or option == "-I"
            continue
        if name in _CURL_VALUES:
            if not equals and index < len(argv):
                value = argv[index]
                index += 1
            if name == "--url":
                urls.append(value)
            method, body, upload, socket = _curl_option(name, value, method, body, upload, socket)
            continue
        get = get or name in {"-G", "--get"}
        head = head or name in {"-I", "--head"}
    if method is None:
        if head:
            method = "HEAD"
        elif upload:
            method = "PUT"
        elif body and not get:
            method = "POST"
        else:
            method = "GET"
    return [(method.upper(), url, body, socket) for url in urls or [""]]


def _curl_option(
    option: str, value: str, method: str | None, body: str, upload: bool, socket: bool
) -> tuple[str | None, str, bool, bool]:
    if option in {"-X", "--request"}:
        method = value.upper()
    elif option in _CURL_DATA:
        body = body or value or "-"
    elif option in {"-T", "--upload-file"}:
        upload = True
    elif option in {"--unix-socket", "--abstract-unix-socket"}:
        socket = True
    return method, body, upload, socket


def _wget_requests(argv: tuple[str, ...]) -> list[tuple[str, str, str, bool]]:
    method = "GET"
    body = ""
    urls: list[str] = []
    index = 1
    while index < len(argv):
        word = argv[index]
        index += 1
        if not word.startswith("-"):
            urls.append(word)
            continue
        name, equals, value = word.partition("=")
        if name in _WGET_VALUES and not equals and index < len(argv):
            value = argv[index]
            index += 1
        if name == "--method":
            method = value.upper()
        elif name in {"--post-data", "--post-file", "--body-data", "--body-file"}:
            body = value or "-"
            if method == "GET":
                method = "POST"
    return [(method, url, body, False) for url in urls or [""]]


def _httpie_requests(argv: tuple[str, ...]) -> list[tuple[str, str, str, bool]]:
    words = _positional(argv, _HTTPIE_VALUES)
    forms = any(a in {"-f", "--form", "--multipart"} for a in argv)
    if not words:
        return []
    method = None
    if words[0].upper() in _METHODS and len(words) > 1:
        method = words[0].upper()
        words = words[1:]
    url, items = words[0], words[1:]
    # Request items: `a=b`, `a:=json`, `f@file` make a body; `h:v` headers, `q==v` queries.
    data = [i for i in items if re.match(r"^[^:=@]+(=|:=|@|=@|:=@)", i) and "==" not in i]
    body = " ".join(data)
    if method is None:
        method = "POST" if data or forms else "GET"
    if command_url := url:
        return [(method, command_url, body, False)]
    return []


def _path_of(url: str) -> str:
    if "://" not in url:
        url = "http://" + url
    try:
        parts = urlsplit(url)
    except ValueError:
        return ""
    return parts.path + ("?" + parts.query if parts.query else "")


def _place(url: str, socket: bool) -> tuple[str, bool]:
    """(`remote` | `loopback`, whether it is an admin endpoint)."""
    if socket:
        # A unix socket is this machine's daemon (docker.sock, the kubelet): its API is admin.
        return "loopback", True
    text = url if "://" in url else "http://" + url
    if text.startswith(":") or url.startswith(":"):
        text = "http://localhost" + url  # httpie's `:8080/path`
    try:
        parts = urlsplit(text)
        host = (parts.hostname or "").lower()
        port = str(parts.port or "")
    except ValueError:
        return "remote", False
    place = "loopback" if _LOOPBACK.match(host) or url.startswith(":") else "remote"
    admin = bool(_ADMIN_PATH.search(parts.path + "?" + parts.query)) or port in _ADMIN_PORTS
    return place, admin


# -- all of it ----------------------------------------------------------------------------------


def command_facts(command: Command, context: Context) -> frozenset[str]:
    """Every fact about what `command` does (the module docstring lists them)."""
    facts = write_facts(command, context)
    facts |= sync_delete_facts(command, context)
    facts |= perm_facts(command, context)
    facts |= http_facts(command)
    from safesh.rules.inline import inline_facts

    facts |= inline_facts(command, context)
    return frozenset(facts)
