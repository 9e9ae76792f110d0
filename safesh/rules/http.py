"""HTTP requests a command sends: curl, wget, httpie/xh, as effect facts (effects.py).

`http-METHOD@PLACE` for each request (`get`, `head`, `post`, `put`, `patch`, `delete`, and
`query` for a POST that only asks: a search, a GraphQL query), PLACE being `remote` or
`loopback`; `http-admin@PLACE` for a write to a datastore's or service's admin API. The method
comes from the client's own spelling (`-X`, data options imply POST, `-T` PUT, `-G` GET; wget's
`--method`/`--post-data`; httpie's METHOD word or data items). A body read from a file
(`-d @drop.sql`, `--data-urlencode q@q.txt`, `--post-file`, httpie's `field=@file`) is read
here, when it can be, and judged as the same text given inline. May import model, lazy_re,
clients and the standard library.
"""

from __future__ import annotations

from safesh.lazy_re import later, re
from safesh.model import Command, Context
from safesh.rules.clients import HTTP_CLIENTS as HTTP_CLIENTS


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
        elif word in values:
            index += 1
    return words


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
_LOOPBACK = later(
    r"^(localhost|127(\.\d+){3}|::1|\[::1\]|0\.0\.0\.0|0|[^.]+\.localhost|host\.docker\.internal)$"
)
# Paths and ports of datastores' and services' administration APIs, where a write deletes
# or reconfigures data (Elasticsearch/OpenSearch, Consul, etcd, CouchDB, Kafka Connect,
# RabbitMQ, Prometheus, Vault, Nomad, Docker, Kubernetes, InfluxDB, ClickHouse, Solr).
_ADMIN_PATH = later(
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
# Search and vector stores whose writes are everyday indexing (Meilisearch 7700, Typesense
# 8108, Qdrant 6333/6334): only a deletion there is an admin call (an index, a collection,
# every document, points chosen by a filter).
_STORE_PORTS = frozenset({"7700", "8108", "6333", "6334"})
# Grafana's API, where saving a dashboard is everyday work and a DELETE loses one for good.
_GRAFANA_PATH = later(
    r"/api/(dashboards|datasources|folders|alert-notifications|v1/provisioning|annotations)/",
    re.IGNORECASE,
)
# Admin calls that change state through a GET: Solr's core and collection API unloads and
# deletes with `action=…` in the query string.
_GET_ADMIN = later(
    r"/solr/admin/(cores|collections|configs)\b.*[?&]action=(unload|delete\w*|remove\w*|rename"
    r"|swap)\b|[?&]deleteindex=true",
    re.IGNORECASE,
)
# A POST that only asks a question: a search, a GraphQL query, a count.
_QUERY_PATH = later(
    r"/(_search|_msearch|_count|_validate|_explain|_analyze|_mget|search|graphql|query|"
    r"_sql|_find|v1/query|api/v1/query|api/v1/query_range)\b",
    re.IGNORECASE,
)
# A statement in a request body or query string that destroys data (InfluxQL, SQL over HTTP).
_DESTRUCTIVE_STATEMENT = later(
    r"\b(drop|delete|truncate|alter)(\s|%20|\+)+(database|table|measurement|series|retention"
    r"|index|from|user|keyspace|collection|bucket)\b",
    re.IGNORECASE,
)
_GRAPHQL_READ = later(r"""^\s*\{\s*["']?query["']?\s*:\s*["']\s*(query\b|\{)""")


def http_facts(command: Command, context: Context | None = None) -> set[str]:
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
    read = _body_files(command, context) if context is not None else ""
    if read:
        requests = [
            (method, url, f"{body}\n{read}", socket) for method, url, body, socket in requests
        ]
    return request_facts(requests)


# How each client names a file whose text is (part of) the body: curl's `-d @FILE` (and
# `--data-binary`, `--json`, …), `--data-urlencode [NAME]@FILE`; wget's `--post-file FILE`;
# httpie's `FIELD=@FILE`, `FIELD:=@FILE`. (A form's file, `-F NAME=@FILE`, is an upload: its
# text is data, not a statement.)
_CURL_FILE = later(r"@(?P<path>[^@].*)")
_CURL_URLENCODED_FILE = later(r"[^=@]*@(?P<path>[^@].*)")
_HTTPIE_FILE = later(r"[^=:@\s]+:?=@(?P<path>.+)")
_WGET_FILES = frozenset({"--post-file", "--body-file"})
_MAX_BODY_BYTES = 1 << 20


def _file_reference(client: str, option: str, value: str) -> str | None:
    """The file `option VALUE` sends as body text, if it names one."""
    if client == "wget":
        return value if option in _WGET_FILES else None
    if client not in {"curl", "curlie"}:
        match = _HTTPIE_FILE.fullmatch(value)
    elif option in {"-F", "--form", "--form-string"}:
        return None
    elif option == "--data-urlencode":
        match = _CURL_URLENCODED_FILE.fullmatch(value)
    elif option in _CURL_DATA:
        match = _CURL_FILE.fullmatch(value)
    else:
        return None
    return match.group("path") if match is not None else None


def _body_files(command: Command, context: Context) -> str:
    """The text of the files `command` sends as (part of) a request body, when they can be
    read here; a file that cannot be read adds nothing (the request is judged as before)."""
    import os

    argv = command.argv
    client = "curl" if command.name in {"curl", "curlie"} else command.name
    client = client if client in {"curl", "wget"} else "httpie"
    paths: list[str] = []
    for index, word in enumerate(argv[1:], start=1):
        if word.startswith("--") and "=" in word:
            option, _, value = word.partition("=")
        elif client == "curl" and word[:2] == "-d" and len(word) > 2:
            option, value = word[:2], word[2:]
        else:
            option, value = argv[index - 1], word
        path = _file_reference(client, option, value)
        if path and path != "-":
            paths.append(path)
    texts: list[str] = []
    base = command.cwd or context.cwd
    for path in paths[:8]:
        if not os.path.isabs(path) and not command.cwd_known:
            continue
        full = os.path.join(base, os.path.expanduser(path))
        try:
            with open(full, "rb") as handle:
                texts.append(handle.read(_MAX_BODY_BYTES).decode("utf-8", errors="replace"))
        except OSError:
            continue
    return "\n".join(texts)


def _store_delete(method: str, url: str) -> bool:
    """A deletion on a search or vector store's port (`DELETE /indexes/movies`, `POST
    /collections/docs/points/delete`), or of a Grafana dashboard, data source or folder."""
    from urllib.parse import urlsplit

    text = url if "://" in url else "http://" + url
    try:
        parts = urlsplit(text)
        port = str(parts.port or "")
    except ValueError:
        return False
    if method == "DELETE" and _GRAFANA_PATH.search(parts.path):
        return True
    return port in _STORE_PORTS and (method == "DELETE" or "/delete" in parts.path.lower())


def request_facts(requests: list[tuple[str, str, str, bool]]) -> set[str]:
    """The facts of (method, url, body, over a unix socket) requests, from any client: a
    command line here, or an inline program (`requests.delete(url)`, `fetch(url, {method})`)."""
    facts: set[str] = set()
    for method, url, body, socket in requests:
        place, admin = _place(url, socket)
        kind = method.lower()
        destroys = bool(_DESTRUCTIVE_STATEMENT.search(body) or _DESTRUCTIVE_STATEMENT.search(url))
        if destroys:
            admin = True
        elif admin and _search_upkeep(method, url):
            admin = False
        elif method == "POST" and (_QUERY_PATH.search(_path_of(url)) or _GRAPHQL_READ.match(body)):
            kind = "query"
        facts.add(f"http-{kind}@{place}")
        get_admin = bool(_GET_ADMIN.search(url)) or _store_delete(method, url)
        writes = method not in {"GET", "HEAD", "OPTIONS"} or get_admin
        if (admin or get_admin) and writes and kind != "query":
            facts.add(f"http-admin@{place}")
    return facts


# Elasticsearch/OpenSearch calls that write but lose nothing: making recent writes searchable
# or durable (_refresh, _flush), dropping caches, reopening an index, and creating an index
# (`PUT /name`: an existing one is an error, never replaced). Only on the search port, and
# only where no admin path (_all, _cluster, _delete_by_query …) is named.
_SEARCH_PORTS = frozenset({"9200", "9300"})
_SEARCH_UPKEEP = later(r"^/([^/_*,?][^/*,?]*/)?(_refresh|_flush|_cache/clear|_open)/?$")
_SEARCH_INDEX = later(r"^/[^/_*,?][^/*,?]*/?$")


def _search_upkeep(method: str, url: str) -> bool:
    from urllib.parse import urlsplit

    text = url if "://" in url else "http://" + url
    try:
        parts = urlsplit(text)
        port = str(parts.port or "")
    except ValueError:
        return False
    if port not in _SEARCH_PORTS or _ADMIN_PATH.search(parts.path + "?" + parts.query):
        return False
    if method in {"POST", "PUT"} and _SEARCH_UPKEEP.match(parts.path):
        return True
    return method == "PUT" and bool(_SEARCH_INDEX.match(parts.path))


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
    from urllib.parse import urlsplit

    if "://" not in url:
        url = "http://" + url
    try:
        parts = urlsplit(url)
    except ValueError:
        return ""
    return parts.path + ("?" + parts.query if parts.query else "")


def _place(url: str, socket: bool) -> tuple[str, bool]:
    """(`remote` | `loopback`, whether it is an admin endpoint)."""
    from urllib.parse import urlsplit

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
