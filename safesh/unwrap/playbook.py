"""`ansible-playbook PLAYBOOK…`: the playbook files are read when the line is judged (as a
script given to bash is) and each task is judged as the ad-hoc `ansible HOSTS -m MODULE -a
ARGS` line that does the same on the play's hosts, so the ad-hoc judgement applies
(remote.py): shell/command/raw/script lines are walked as commands run there, `file:
state=absent` is `rm -rf PATH` there, other modules' `state: absent` ask (rule
cli.ansible-absent). Task files and roles the playbook names are read the same way.
A playbook (or a task file, a role) that cannot be read or parsed here asks; Jinja
expressions (`{{ dir }}`) become values the line does not show. `ansible-pull` runs a
playbook from a repository, which is unseen code.

YAML is parsed with PyYAML's safe loader, imported only when ansible-playbook is on the line.

May use: `safesh.model`, `.site`, `.shells` (reading files) and the standard library, PyYAML.
"""

from __future__ import annotations

import os

from safesh.lazy_re import later
from safesh.model import Word
from safesh.unwrap.shells import read_local_file
from safesh.unwrap.words import resolve_path

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing at start-up
if TYPE_CHECKING:
    from typing import Any

    from safesh.unwrap.site import Handler, Site, Walk

_VALUE_OPTIONS = frozenset(
    {"-i", "--inventory", "--inventory-file", "-e", "--extra-vars", "-l", "--limit", "-u",
     "--user", "-t", "--tags", "--skip-tags", "-f", "--forks", "-c", "--connection",
     "--private-key", "--key-file", "-M", "--module-path", "--vault-id",
     "--vault-password-file", "--become-user", "--become-method", "-T", "--timeout",
     "--start-at-task", "--ssh-common-args", "--ssh-extra-args", "--scp-extra-args",
     "--sftp-extra-args", "-U", "--url", "-d", "--directory", "-C", "--checkout",
     "--accept-host-key", "--sleep", "-o"}
)  # fmt: skip
# Options that only list or check: no task runs.
_NOTHING_RUNS = frozenset(
    {"--syntax-check", "--list-tasks", "--list-hosts", "--list-tags", "--help", "-h",
     "--version"}
)  # fmt: skip
_CHECK_MODE = frozenset({"--check", "-C"})

# Keys of a task that are not its module.
_TASK_KEYWORDS = frozenset(
    {"name", "when", "tags", "register", "become", "become_user", "become_method",
     "become_flags", "become_exe", "ignore_errors", "ignore_unreachable", "changed_when",
     "failed_when", "loop", "loop_control", "notify", "listen", "vars", "environment", "args",
     "delegate_to", "delegate_facts", "run_once", "no_log", "retries", "delay", "until",
     "check_mode", "diff", "async", "poll", "throttle", "timeout", "any_errors_fatal",
     "connection", "remote_user", "debugger", "module_defaults", "collections", "port",
     "local_action", "action"}
)  # fmt: skip
_INCLUDES = frozenset(
    {"include_tasks", "import_tasks", "include", "ansible.builtin.include_tasks",
     "ansible.builtin.import_tasks", "ansible.builtin.include"}
)  # fmt: skip
_ROLE_INCLUDES = frozenset(
    {"include_role", "import_role", "ansible.builtin.include_role", "ansible.builtin.import_role"}
)
_TASK_LISTS = ("pre_tasks", "tasks", "post_tasks", "handlers")
_BLOCK_LISTS = ("block", "rescue", "always")
_FREE_FORM = frozenset(
    {"shell", "command", "raw", "script", "win_shell", "win_command", "win_powershell"}
)
_JINJA = later(r"\{\{.*?\}\}|\{%.*?%\}")
_MAX_FILES = 64
_MAX_DEPTH = 4


def _no_jinja(text: str) -> str:
    """`rm -rf {{ app_dir }}/x`: what a Jinja expression gives is not on the line; it becomes a
    shell variable, a value the judgement treats as unknown."""
    return _JINJA.sub("${ANSIBLE_VALUE}", text)


def _load_yaml(text: str) -> tuple[bool, Any]:
    """The YAML document (ansible's own tags such as `!vault` and `!unsafe` read as plain
    values); (False, reason) when it does not parse."""
    try:
        import yaml
    except ImportError:
        return False, "PyYAML is not installed"
    loader_base: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

    class Loader(loader_base):  # type: ignore[misc]
        pass

    def any_tag(loader: Any, suffix: str, node: Any) -> Any:
        if isinstance(node, yaml.ScalarNode):
            return loader.construct_scalar(node)
        if isinstance(node, yaml.SequenceNode):
            return loader.construct_sequence(node)
        return loader.construct_mapping(node)

    Loader.add_multi_constructor("!", any_tag)
    try:
        return True, yaml.load(text, Loader=Loader)  # a safe loader: no Python objects
    except yaml.YAMLError as error:
        return False, str(error).splitlines()[0] if str(error) else "invalid YAML"


class _Reader:
    """Reads one playbook and what it includes, walking every task it finds."""

    def __init__(self, w: Walk, site: Site, check_mode: bool) -> None:
        self.w, self.site, self.check_mode = w, site, check_mode
        self.files = 0
        # Where roles are looked for: beside each playbook read, then the user's and the
        # system's role directories.
        self.role_dirs: list[str] = []

    def unseen(self, message: str, path: str) -> None:
        self.w.note_unparsed(self.site.frame, message, path, kind="unseen")

    def load(self, path: str, what: str) -> Any:
        """The parsed file, or None (reported) when it cannot be read or parsed."""
        self.files += 1
        if self.files > _MAX_FILES:
            self.w.note_unparsed(self.site.frame, f"the {what} includes too many files", path)
            return None
        text = read_local_file(self.w, path, self.site)
        if text is None:
            self.unseen(f"ansible-playbook runs the {what} {path}, which safesh cannot read", path)
            return None
        ok, found = _load_yaml(text)
        if not ok:
            message = f"cannot parse the {what} {path}: {found}"
            self.w.note_unparsed(self.site.frame, message, path)
            return None
        return found

    def playbook(self, path: str, depth: int) -> None:
        plays = self.load(path, "playbook")
        if plays is None:
            return
        if not isinstance(plays, list):
            self.w.note_unparsed(self.site.frame, f"{path} is not a list of plays", path)
            return
        base = os.path.dirname(path)
        self.role_dirs.append(os.path.join(base, "roles"))
        for play in plays:
            if not isinstance(play, dict):
                continue
            imported = play.get("import_playbook") or play.get("ansible.builtin.import_playbook")
            if isinstance(imported, str) and depth < _MAX_DEPTH:
                self.playbook(self.near(base, imported), depth + 1)
                continue
            hosts = _hosts(play)
            for role in play.get("roles") or []:
                self.role(role, hosts, depth)
            for key in _TASK_LISTS:
                self.tasks(play.get(key), base, hosts, depth)

    def near(self, base: str, name: str) -> str:
        return resolve_path(_no_jinja(name), base, self.w.context.home)

    def role(self, role: Any, hosts: str, depth: int) -> None:
        name = role.get("role") or role.get("name") if isinstance(role, dict) else role
        if not isinstance(name, str) or depth >= _MAX_DEPTH:
            return
        home_roles = os.path.join(self.w.context.home, ".ansible", "roles")
        roots = [*self.role_dirs, home_roles, "/etc/ansible/roles", "/usr/share/ansible/roles"]
        candidates = [
            os.path.join(root, name, "tasks", main)
            for root in roots
            for main in ("main.yml", "main.yaml")
        ]
        found = next((c for c in candidates if os.path.isfile(c)), None)
        if found is None:
            self.unseen(f"ansible-playbook runs the role {name}, which safesh cannot find", name)
            return
        self.task_file(found, hosts, depth + 1)

    def task_file(self, path: str, hosts: str, depth: int) -> None:
        tasks = self.load(path, "task file")
        if tasks is not None:
            self.tasks(tasks, os.path.dirname(path), hosts, depth)

    def tasks(self, tasks: Any, base: str, hosts: str, depth: int) -> None:
        if tasks is None:
            return
        if not isinstance(tasks, list):
            self.w.note_unparsed(self.site.frame, "a task list that is not a list", str(tasks))
            return
        for task in tasks:
            if isinstance(task, dict):
                self.task(task, base, hosts, depth)

    def task(self, task: dict[str, Any], base: str, hosts: str, depth: int) -> None:
        for key in _BLOCK_LISTS:
            if key in task:
                self.tasks(task[key], base, hosts, depth)
        if self.check_mode and task.get("check_mode") not in {False, "no", "false", "False"}:
            return  # --check: the task only reports what it would change
        module, arguments = _module_of(task)
        if module is None:
            return
        short = module.rpartition(".")[2]
        if module in _INCLUDES or short in {"include_tasks", "import_tasks", "include"}:
            target = arguments if isinstance(arguments, str) else _dict(arguments).get("file")
            if isinstance(target, str) and depth < _MAX_DEPTH:
                self.task_file(self.near(base, target), hosts, depth + 1)
            return
        if module in _ROLE_INCLUDES or short in {"include_role", "import_role"}:
            self.role(_dict(arguments), hosts, depth)
            return
        self.judge(module, arguments, task, hosts)

    def judge(self, module: str, arguments: Any, task: dict[str, Any], hosts: str) -> None:
        """The task as the ad-hoc command that does the same, walked as a line."""
        import shlex

        short = module.rpartition(".")[2]
        extra = _dict(task.get("args"))
        if short in _FREE_FORM:
            text = _command_text(arguments, extra)
            if text is None:
                if arguments is not None:
                    self.unseen(f"a {module} task whose command safesh cannot read", str(task))
                return
            args = _no_jinja(text)
        else:
            settings = {**_dict(extra), **_dict(arguments)}
            if isinstance(arguments, str):
                args = _no_jinja(arguments)
            else:
                args = " ".join(
                    f"{k}={shlex.quote(_no_jinja(str(v)))}" for k, v in settings.items()
                )
        line = f"ansible {shlex.quote(hosts)} -m {shlex.quote(module)} -a {shlex.quote(args)}"
        name = task.get("name")
        label = f"ansible-playbook task {name!r}" if isinstance(name, str) else "ansible-playbook"
        self.w.walk_source(line, self.site.nested(label), "ansible-playbook task")


def _dict(value: Any) -> dict[str, Any]:
    return {str(k): v for k, v in value.items()} if isinstance(value, dict) else {}


def _hosts(play: dict[str, Any]) -> str:
    hosts = play.get("hosts", "all")
    if isinstance(hosts, list):
        hosts = ":".join(str(h) for h in hosts)
    return _no_jinja(str(hosts)) or "all"


def _module_of(task: dict[str, Any]) -> tuple[str | None, Any]:
    """The task's module and its arguments (`shell: CMD`, `file: {path: …}`,
    `action: file path=…`, `local_action: …`)."""
    for key in ("action", "local_action"):
        value = task.get(key)
        if isinstance(value, str) and value.strip():
            module, _, free = value.strip().partition(" ")
            return module, free
        if isinstance(value, dict) and "module" in value:
            return str(value["module"]), {k: v for k, v in value.items() if k != "module"}
    for key, value in task.items():
        if key not in _TASK_KEYWORDS and key not in _BLOCK_LISTS and not key.startswith("with_"):
            return str(key), value
    return None, None


def _command_text(arguments: Any, extra: dict[str, Any]) -> str | None:
    """The command line of a shell/command/raw/script task: free form, `cmd:`, `argv:`, with
    `chdir:` as a `cd` before it."""
    import shlex

    settings = {**extra, **_dict(arguments)}
    if isinstance(arguments, str):
        text: str | None = arguments
    elif isinstance(settings.get("cmd"), str):
        text = settings["cmd"]
    elif isinstance(settings.get("argv"), list):
        text = shlex.join(str(x) for x in settings["argv"])
    elif isinstance(settings.get("script"), str):  # win_powershell
        text = settings["script"]
    elif isinstance(settings.get("_raw_params"), str):
        text = settings["_raw_params"]
    else:
        return None
    chdir = settings.get("chdir")
    if isinstance(chdir, str) and chdir and text:
        text = f"cd {shlex.quote(chdir)} && {text}"
    return text


def ansible_playbook(w: Walk, name: str, words: list[Word], site: Site) -> None:
    """`ansible-playbook [OPTIONS] PLAYBOOK…`, `ansible-pull -U URL [PLAYBOOK]`."""
    w.emit(words, site)
    texts = [x.text for x in words[1:]]
    if _NOTHING_RUNS & set(texts):
        return
    if name == "ansible-pull":
        w.note_unparsed(
            site.frame,
            "ansible-pull runs a playbook from a repository it fetches: code nobody has read",
            " ".join(texts)[:80],
            kind="unseen",
        )
        return
    check_mode = bool(_CHECK_MODE & set(texts))
    playbooks: list[Word] = []
    i = 1
    while i < len(words):
        text = words[i].text
        if text in _VALUE_OPTIONS and not (text == "-C" and name == "ansible-playbook"):
            i += 2
            continue
        if not text.startswith("-"):
            playbooks.append(words[i])
        i += 1
    for word in playbooks:
        if not word.static:
            w.emit([word], site.inner(f"{name} playbook"), dynamic=True)
            continue
        base = site.frame.cwd or w.context.cwd
        path = resolve_path(word.text, base, w.context.home)
        for found in _expanded(path, word):
            _Reader(w, site, check_mode).playbook(found, 0)


def _expanded(path: str, word: Word) -> list[str]:
    """`playbooks/*.yml`: the shell expands an unquoted pattern to the files it matches
    (here, now); one that matches nothing stays as written, a file ansible cannot read."""
    if word.raw != word.text or not any(c in word.text for c in "*?["):
        return [path]
    import glob

    return sorted(glob.glob(path))[:_MAX_FILES] or [path]


# The handlers this module adds to the walk's table (safesh.unwrap.handlers).
HANDLERS: dict[str, Handler] = dict.fromkeys(["ansible-playbook", "ansible-pull"], ansible_playbook)
