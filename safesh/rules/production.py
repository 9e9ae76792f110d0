"""Does a command run against production? (docs/rules.md, "Production context")

Only what is cheap and local is read: the command's own words, its environment assignments,
the context's environment, the ssh host it runs on, and three small local files a tool keeps
its current target in (kubeconfig's `current-context:`, gcloud's active configuration, and
terraform's `.terraform/environment`). Nothing here starts a process or opens a socket, and the
files are read only for a command of that tool.

A signal is *targeted* when it says where this very command acts (the ssh host, the tool's
current context, an assignment on the command itself); it raises any finding of the command
that changes state. A signal is *ambient* when it only names production somewhere on the line
or in the shell's environment; it raises the findings of rules whose blast is shared (a
cluster, a cloud account, a database), never the ones about local files.
"""

from __future__ import annotations

import os

from safesh.lazy_re import later, re
from safesh.model import Command, Context
from safesh.record import frozen

_TOKEN_SPLIT = later(r"[^A-Za-z0-9]+")

KUBE_TOOLS = frozenset({"kubectl", "oc", "helm", "helmfile", "kustomize", "k9s", "stern"})
GCLOUD_TOOLS = frozenset({"gcloud", "gsutil", "bq"})
TERRAFORM_TOOLS = frozenset({"terraform", "tofu", "terragrunt"})

# Environment variables that name the deployment environment or the cloud target.
_TARGET_VARIABLES = frozenset(
    {
        "ENV",
        "ENVIRONMENT",
        "STAGE",
        "AWS_PROFILE",
        "AWS_DEFAULT_PROFILE",
        "CLOUDSDK_CORE_PROJECT",
        "CLOUDSDK_ACTIVE_CONFIG_NAME",
        "GOOGLE_CLOUD_PROJECT",
        "TF_WORKSPACE",
        "PULUMI_STACK",
        "AZURE_SUBSCRIPTION_ID",
    }
)
# `*_ENV` names that hold a path or a tool's own setting, not a deployment environment.
_NOT_TARGET_VARIABLES = frozenset({"VIRTUAL_ENV", "CONDA_DEFAULT_ENV", "PIPENV_VENV_IN_PROJECT"})
_MAX_CONFIG_BYTES = 256_000


@frozen
class Signal:
    """Why a command is judged to act on production. `targeted`: see the module doc."""

    evidence: str
    targeted: bool


def names_production(text: str, patterns: tuple[str, ...]) -> bool:
    """A token of `text` (split on non-alphanumerics) matches one of `patterns`: `prod-eu`
    names `prod`, `products` does not."""
    from fnmatch import fnmatchcase  # only for a line with something to match

    lowered = [p.lower() for p in patterns]
    return any(
        fnmatchcase(token.lower(), pattern)
        for token in _TOKEN_SPLIT.split(text)
        if token
        for pattern in lowered
    )


def is_target_variable(name: str) -> bool:
    if name in _NOT_TARGET_VARIABLES:
        return False
    return name in _TARGET_VARIABLES or name.endswith(("_ENV", "_ENVIRONMENT", "_STAGE"))


# Variables naming the files a tool keeps its current target in: the same command under
# another KUBECONFIG acts on another cluster.
_TARGET_FILE_VARIABLES = frozenset({"KUBECONFIG", "CLOUDSDK_CONFIG"})


def bound_environment(context: Context) -> tuple[tuple[str, str], ...]:
    """The variables of the environment these checks read to tell where a command acts: what
    an approval is bound to besides the command (an approval given under one KUBECONFIG or
    AWS_PROFILE is not one for another). HOME is included: the tools' default files live
    under it."""
    return tuple(
        (name, value)
        for name, value in context.env
        if is_target_variable(name) or name in _TARGET_FILE_VARIABLES or name == "HOME"
    )


def production_signal(
    command: Command,
    context: Context,
    patterns: tuple[str, ...],
    skip: tuple[int, ...] | frozenset[int] = (),
) -> Signal | None:
    """The strongest reason to think `command` acts on production, or None. `skip`: indices
    of argv words that are the tool's subcommand, not a target (`start-live-tail`)."""
    if not patterns:
        return None
    if command.remote_host and names_production(command.remote_host, patterns):
        return Signal(f"ssh host {command.remote_host}", targeted=True)
    for name, value in command.assignments:
        if is_target_variable(name) and "/" not in value and names_production(value, patterns):
            return Signal(f"{name}={value}", targeted=True)
    option = _target_option(command, patterns)
    if option is not None:
        return Signal(option, targeted=True)
    tool = _tool_target(command, context)
    if tool is not None and names_production(tool[1], patterns):
        return Signal(f"{tool[0]} {tool[1]}", targeted=True)
    for index, word in enumerate(command.argv[1:], start=1):
        if index not in skip and names_production(word, patterns):
            return Signal(f"`{word}`", targeted=False)
    for name, value in command.assignments:
        if names_production(value, patterns):
            return Signal(f"{name}={value}", targeted=False)
    for name, value in context.env:
        if is_target_variable(name) and "/" not in value and names_production(value, patterns):
            return Signal(f"{name}={value}", targeted=False)
    return None


# Options by which a tool is told where to act: a value naming production is where this
# command acts, not just a word on the line.
_TARGET_OPTIONS = (
    "--context",
    "--kube-context",
    "--namespace",
    "--cluster",
    "--profile",
    "--project",
    "--subscription",
    "--host",
    "--stack",
    "--workspace",
    "--environment",
)
_KUBE_SHORT_TARGETS = ("-n",)


def _target_option(command: Command, patterns: tuple[str, ...]) -> str | None:
    names = _TARGET_OPTIONS + (_KUBE_SHORT_TARGETS if command.name in KUBE_TOOLS else ())
    argv = command.argv
    for index, word in enumerate(argv[1:], start=1):
        option, equals, value = word.partition("=")
        if option not in names:
            continue
        if not equals:
            if index + 1 >= len(argv):
                continue
            value = argv[index + 1]
        if names_production(value, patterns):
            return f"{option} {value}"
    return None


def _getenv(command: Command, context: Context, name: str) -> str | None:
    for key, value in command.assignments:
        if key == name:
            return value
    return context.getenv(name)


def _option_value(argv: tuple[str, ...], names: tuple[str, ...]) -> str | None:
    for index, word in enumerate(argv):
        for name in names:
            if word == name and index + 1 < len(argv):
                return argv[index + 1]
            if word.startswith(name + "="):
                return word[len(name) + 1 :]
    return None


def _tool_target(command: Command, context: Context) -> tuple[str, str] | None:
    """The target a tool keeps in its own local state: (what, value)."""
    if command.remote_host:
        return None  # the remote machine's files are not these
    name = command.name
    if name in KUBE_TOOLS:
        return _kube_context(command, context)
    if name in GCLOUD_TOOLS:
        return _gcloud_project(command, context)
    if name in TERRAFORM_TOOLS:
        return _terraform_workspace(command, context)
    return None


def _kube_context(command: Command, context: Context) -> tuple[str, str] | None:
    if _option_value(command.argv, ("--context", "--kube-context")) is not None:
        return None  # an explicit context is one of the command's words
    explicit = _option_value(command.argv, ("--kubeconfig",))
    if explicit is not None:
        files = [explicit]
    else:
        variable = _getenv(command, context, "KUBECONFIG")
        if variable:
            files = [f for f in variable.split(os.pathsep) if f]
        else:
            files = [os.path.join(context.home, ".kube", "config")]
    for path in files:
        current = _scan(_expand(path, command, context), _CURRENT_CONTEXT)
        if current:
            return ("kube context", current)
    return None


_CURRENT_CONTEXT = later(r"^current-context:\s*['\"]?([^'\"\s#]+)", re.M)
_GCLOUD_PROJECT = later(r"^\s*project\s*=\s*(\S+)", re.M)


def _gcloud_project(command: Command, context: Context) -> tuple[str, str] | None:
    if _option_value(command.argv, ("--project",)) is not None:
        return None
    project = _getenv(command, context, "CLOUDSDK_CORE_PROJECT")
    if project:
        return ("gcloud project", project)
    base = _getenv(command, context, "CLOUDSDK_CONFIG") or os.path.join(
        context.home, ".config", "gcloud"
    )
    base = _expand(base, command, context)
    active = _getenv(command, context, "CLOUDSDK_ACTIVE_CONFIG_NAME")
    active = (
        _option_value(command.argv, ("--configuration",))
        or active
        or (_read(os.path.join(base, "active_config")) or "default").strip()
    )
    if not active or "/" in active:
        return None
    found = _scan(os.path.join(base, "configurations", f"config_{active}"), _GCLOUD_PROJECT)
    return ("gcloud project", found) if found else None


def _terraform_workspace(command: Command, context: Context) -> tuple[str, str] | None:
    workspace = _getenv(command, context, "TF_WORKSPACE")
    if workspace:
        return ("terraform workspace", workspace)
    if not command.cwd_known:
        return None
    base = command.cwd or context.cwd
    chdir = _option_value(command.argv, ("-chdir",))
    if chdir:
        base = os.path.join(base, _expand(chdir, command, context))
    text = _read(os.path.join(base, ".terraform", "environment"))
    workspace = (text or "").strip()
    return ("terraform workspace", workspace) if workspace else None


def _expand(path: str, command: Command, context: Context) -> str:
    if path == "~" or path.startswith("~/"):
        path = context.home + path[1:]
    if not os.path.isabs(path):
        path = os.path.join(command.cwd or context.cwd, path)
    return path


def _read(path: str) -> str | None:
    try:
        with open(path, "rb") as handle:
            data = handle.read(_MAX_CONFIG_BYTES)
    except OSError:
        return None
    return data.decode("utf-8", errors="replace")


def _scan(path: str, pattern: re.Pattern[str]) -> str | None:
    text = _read(path)
    if text is None:
        return None
    found = pattern.search(text)
    return found.group(1) if found else None
