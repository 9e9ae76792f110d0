"""Commands a cloud or hosting CLI runs on machines it manages: `aws ssm send-command
--parameters commands=[…]`, `aws ssm start-session … --parameters command=…`, `aws ecs
execute-command --command …`, `az vm run-command invoke --scripts …`, `az aks command invoke
--command …`, `az container exec --exec-command …`, `heroku run CMD…`, `fly ssh console -C …`,
`doctl compute ssh DROPLET --ssh-command …`. The outer command is judged by its own rules, and
the command it carries is judged as a command line run on that host; a command that cannot be
seen (`--scripts @script.sh` of a file not here, an expansion, a parameters file that cannot be
read) is dynamic, so a human decides.

Payloads read from files are judged as if given inline: the AWS CLI's `file://PATH` arguments,
the Azure CLI's `@PATH` ones, and the fields of `gh|glab api --input FILE`. heroku's and fly's
database shells are peeled as their clients (dbshells.py).

May use: `safesh.model`, `.site`, `.remote` (its option helpers), `.dbshells` and the standard
library.
"""

from __future__ import annotations

from safesh.model import Word
from safesh.record import replace
from safesh.unwrap.dbshells import platform_shell
from safesh.unwrap.remote import _option_value, _positionals
from safesh.unwrap.shells import read_local_file

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing at start-up
if TYPE_CHECKING:
    from safesh.unwrap.site import Site, Walk


def _run_on(w: Walk, host: str, texts: list[str] | None, word: Word, site: Site) -> None:
    """Judge `texts` (the command lines `host` runs) or, when they cannot be seen, `word` as a
    dynamic command."""
    label = f"on {host}"
    if texts is None or not word.static:
        w.emit([word], site.inner(label, remote_host=host), dynamic=True)
        return
    for text in texts:
        if text.strip():
            w.walk_source(text, site.nested(label, host), "remote command")


def _strings(value: object) -> list[str] | None:
    """A command parameter's value: a string or a list of strings."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, list) and all(isinstance(x, str) for x in value):
        return list(value)
    return None


def _ssm_commands(text: str) -> list[str] | None:
    """The command lines in an SSM `--parameters` value: JSON (`{"commands": […]}`) or the
    CLI's shorthand (`commands=["a","b"]`, `commands=a`, `command="a"`). [] when it names no
    command parameter (a document that runs none, `Operation=Scan`); None when it cannot be
    read (`file://params.json`)."""
    import json  # only for these lines: the walk's start-up stays without it

    stripped = text.strip()
    if stripped.startswith(("file://", "fileb://", "http://", "https://")):
        return None
    if stripped.startswith("{"):
        try:
            loaded = json.loads(stripped)
        except ValueError:
            return None
        if not isinstance(loaded, dict):
            return None
        found: list[str] = []
        for key in ("commands", "command"):
            if key in loaded:
                strings = _strings(loaded[key])
                if strings is None:
                    return None
                found += strings
        return found
    key, sep, rest = stripped.partition("=")
    if not sep or key.strip() not in {"commands", "command"}:
        return [] if "command" not in stripped else None
    rest = rest.strip()
    if rest.startswith("["):
        try:
            return _strings(json.loads(rest))
        except ValueError:
            inner = rest[1:-1] if rest.endswith("]") else rest[1:]
            return [inner.strip().strip("\"'")]
    return [rest.strip("\"'")]


_AWS_GLOBAL_VALUES = frozenset(
    {"--region", "--profile", "--output", "--endpoint-url", "--query", "--color",
     "--ca-bundle", "--cli-read-timeout", "--cli-connect-timeout", "--cli-binary-format"}
)  # fmt: skip


def _payload(w: Walk, word: Word, site: Site) -> Word:
    """`file://PATH` (or `--option=file://PATH`) as the text the AWS CLI reads from PATH, so
    the rules judge a change batch or request read from a file as they judge it given inline;
    a file that cannot be read here keeps its `file://` word (rules that need the text ask).
    `fileb://` is binary (a zip, a key) and stays as written."""
    text = word.text
    option, equals, value = text.partition("=") if text.startswith("--") else ("", "", text)
    if not word.static or not value.startswith("file://"):
        return word
    path = value[len("file://") :]
    if not path or (not site.frame.cwd_known and not path.startswith(("/", "~"))):
        return word
    content = read_local_file(w, path, site)
    if content is None:
        return word
    return replace(word, text=f"{option}{equals}{content}")


def aws(w: Walk, name: str, words: list[Word], site: Site) -> None:
    """`aws ssm send-command|start-session … --parameters …`, `aws ecs execute-command
    --command …`; any `file://PATH` argument is judged as the text it reads."""
    if any("file://" in x.text for x in words[1:]):
        words = [words[0], *(_payload(w, x, site) for x in words[1:])]
    w.emit(words, site)
    service = _positionals(words[1:], _AWS_GLOBAL_VALUES)[:2]
    pair = tuple(x.text for x in service)
    if pair in {("ssm", "send-command"), ("ssm", "start-session")}:
        parameters = _option_value(words, {"--parameters"})
        if parameters is None:
            return
        commands = _ssm_commands(parameters.text)
        if commands == []:
            return
        target = _option_value(words, {"--instance-ids", "--target", "--targets"})
        host = f"ssm:{target.text}" if target is not None else "ssm"
        _run_on(w, host, commands, parameters, site)
    elif pair == ("ecs", "execute-command"):
        command = _option_value(words, {"--command"})
        task = _option_value(words, {"--task"})
        if command is not None:
            host = f"ecs:{task.text}" if task is not None else "ecs"
            _run_on(w, host, [command.text], command, site)


def _values_after(words: list[Word], option: str) -> list[Word]:
    """The words after `option` up to the next option (`--scripts 'a' 'b' --foo`)."""
    texts = [x.text for x in words]
    if option not in texts:
        return []
    found: list[Word] = []
    for word in words[texts.index(option) + 1 :]:
        if word.text.startswith("-") and len(word.text) > 1:
            break
        found.append(word)
    return found


def _az_payload(w: Walk, word: Word, site: Site) -> Word:
    """`@PATH` (or `--option=@PATH`) as the text the Azure CLI reads from PATH for any
    argument (`--scripts @cleanup.sh`, `--body @request.json`), so it is judged as given
    inline; a file that cannot be read here keeps its `@` word (a script there asks)."""
    text = word.text
    option, equals, value = text.partition("=") if text.startswith("--") else ("", "", text)
    if not word.static or not value.startswith("@") or len(value) < 2:
        return word
    path = value[1:]
    if not site.frame.cwd_known and not path.startswith(("/", "~")):
        return word
    content = read_local_file(w, path, site)
    if content is None:
        return word
    return replace(word, text=f"{option}{equals}{content}")


def az(w: Walk, name: str, words: list[Word], site: Site) -> None:
    """`az vm|vmss run-command invoke|create … --scripts …|--script …`, `az aks command invoke
    --command …`, `az container exec --exec-command …`; any `@PATH` argument is judged as the
    text it reads."""
    if any(x.text.startswith("@") or "=@" in x.text for x in words[1:]):
        words = [words[0], *(_az_payload(w, x, site) for x in words[1:])]
    w.emit(words, site)
    texts = [x.text for x in words]
    target = _option_value(words, {"--name", "-n"})
    host = f"az:{target.text}" if target is not None else "az"
    if "run-command" in texts[1:4]:
        scripts = _values_after(words, "--scripts") or _values_after(words, "--script")
        for script in scripts:
            seen = None if script.text.startswith("@") else [script.text]
            _run_on(w, host, seen, script, site)
    elif texts[1:4] == ["aks", "command", "invoke"]:
        command = _option_value(words, {"--command", "-c"})
        if command is not None:
            _run_on(w, host, [command.text], command, site)
    elif texts[1:3] == ["container", "exec"]:
        command = _option_value(words, {"--exec-command"})
        if command is not None:
            _run_on(w, host, [command.text], command, site)


_HEROKU_RUN_VALUES = frozenset(
    {"-a", "--app", "-r", "--remote", "-e", "--env", "-s", "--size", "--type"}
)


def heroku(w: Walk, name: str, words: list[Word], site: Site) -> None:
    """`heroku run [OPTIONS] CMD…` (and `run:detached`): the command runs on a one-off dyno of
    the app, with its config (DATABASE_URL and all)."""
    w.emit(words, site)
    if platform_shell(w, name, words, site):
        return
    if len(words) < 2 or words[1].text not in {"run", "run:detached"}:
        return
    rest = words[2:]
    texts = [x.text for x in rest]
    if "--" in texts:
        command = rest[texts.index("--") + 1 :]
    else:
        command = _positionals(rest, _HEROKU_RUN_VALUES)
    if not command:
        return
    app = _option_value(rest, {"-a", "--app"})
    host = f"heroku:{app.text}" if app is not None else "heroku"
    joined = Word(
        " ".join(x.text for x in command),
        " ".join(x.raw for x in command),
        command[0].span,
        all(x.static for x in command),
    )
    _run_on(w, host, [joined.text], joined, site)


def fly(w: Walk, name: str, words: list[Word], site: Site) -> None:
    """`fly ssh console [-a APP] -C CMD` / `--command CMD`; `fly postgres connect` (dbshells)."""
    w.emit(words, site)
    if platform_shell(w, name, words, site):
        return
    texts = [x.text for x in words]
    if texts[1:3] != ["ssh", "console"]:
        return
    command = _option_value(words[3:], {"-C", "--command"})
    if command is None:
        return
    app = _option_value(words[3:], {"-a", "--app"})
    _run_on(w, f"fly:{app.text}" if app is not None else "fly", [command.text], command, site)


def doctl(w: Walk, name: str, words: list[Word], site: Site) -> None:
    """`doctl compute ssh DROPLET --ssh-command CMD`."""
    w.emit(words, site)
    texts = [x.text for x in words]
    if texts[1:3] != ["compute", "ssh"]:
        return
    command = _option_value(words[3:], {"--ssh-command"})
    if command is None:
        return
    droplets = [x for x in words[3:] if not x.text.startswith("-") and x is not command]
    host = f"droplet:{droplets[0].text}" if droplets else "droplet"
    _run_on(w, host, [command.text], replace(command), site)


def forge_api(w: Walk, name: str, words: list[Word], site: Site) -> None:
    """`gh api … --input FILE` / `glab api … --input FILE`: the JSON body's top-level fields
    are judged as the `-f KEY=VALUE` fields that send the same (`{"private": false}` as
    `-f private=false`); a file that cannot be read adds none."""
    texts = [x.text for x in words]
    if texts[1:2] == ["api"]:
        words = [*words, *_input_fields(w, words, site)]
    w.emit(words, site)


def _input_fields(w: Walk, words: list[Word], site: Site) -> list[Word]:
    import json  # only for an api call with an input file

    value = _option_value(words, {"--input"})
    if value is None or not value.static or value.text == "-":
        return []
    text = read_local_file(w, value.text, site)
    try:
        body = json.loads(text) if text is not None else None
    except ValueError:
        return []
    if not isinstance(body, dict):
        return []
    fields: list[Word] = []
    for key, item in body.items():
        if isinstance(item, bool | int | float | str):
            spelled = json.dumps(item) if isinstance(item, bool) else str(item)
            for field in ("-f", f"{key}={spelled}"):
                fields.append(replace(value, text=field, raw=field))
    return fields


HANDLERS = {"aws": aws, "az": az, "heroku": heroku, "fly": fly, "flyctl": fly, "doctl": doctl,
            "gh": forge_api, "glab": forge_api}  # fmt: skip
