"""kubectl plugins: `kubectl PLUGIN ARGS…` runs the program `kubectl-PLUGIN` found on PATH
(`kubectl cnpg destroy CLUSTER`, `kubectl rook-ceph ceph osd pool delete …`). The walk judges
it as that program with its arguments, so the generic verb vocabulary reads what it does; a
plugin that hands its arguments to another CLI (`kubectl rook-ceph ceph …`) is judged as that
CLI's command.

May use: `safesh.model`, `safesh.record`, `.site` and the standard library.
"""

from __future__ import annotations

from safesh.model import Word
from safesh.record import replace

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing at start-up
if TYPE_CHECKING:
    from safesh.unwrap.site import Site, Walk

# kubectl's own commands; any other first word is a plugin, the program `kubectl-WORD` on PATH
# (`kubectl cnpg destroy CLUSTER`, `kubectl rook-ceph ceph osd pool delete …`).
_KUBECTL_BUILTINS = frozenset(
    {"get", "describe", "create", "apply", "delete", "edit", "patch", "replace", "scale",
     "rollout", "logs", "exec", "cp", "port-forward", "proxy", "run", "expose", "set", "label",
     "annotate", "autoscale", "certificate", "cluster-info", "top", "cordon", "uncordon",
     "drain", "taint", "api-resources", "api-versions", "config", "plugin", "version",
     "explain", "wait", "attach", "auth", "debug", "events", "diff", "kustomize",
     "completion", "alpha", "convert", "options", "help", "new-project", "project", "projects",
     "login", "logout", "whoami", "status", "adm", "policy", "start-build", "new-app",
     "process", "rsh", "rsync", "image", "import-image", "tag", "extract", "observe",
     "registry", "secrets", "serviceaccounts", "idle", "volumes", "env", "import"}
)  # fmt: skip
_KUBECTL_GLOBAL_VALUES = frozenset(
    {"-n", "--namespace", "--context", "--cluster", "--kubeconfig", "-s", "--server", "--user",
     "--as", "--as-group", "--as-uid", "--token", "--request-timeout", "--certificate-authority",
     "--client-certificate", "--client-key", "--tls-server-name", "--cache-dir", "-v", "--v"}
)  # fmt: skip
# Plugins that hand their arguments to another CLI (`kubectl rook-ceph ceph …` runs `ceph …`
# in the operator's pod).
_PASSING_PLUGINS = {"rook-ceph": frozenset({"ceph", "rbd", "rados", "radosgw-admin"})}


def kubectl_plugin(w: Walk, name: str, words: list[Word], site: Site) -> None:
    """`kubectl PLUGIN ARGS…`: judged as the plugin program `kubectl-PLUGIN ARGS…` (and, for a
    plugin that passes its arguments to another CLI, as that CLI's command)."""
    index = 1
    while index < len(words) and words[index].text.startswith("-"):
        index += 2 if words[index].text in _KUBECTL_GLOBAL_VALUES else 1
    if index >= len(words) or not words[index].static:
        return
    plugin = words[index].text
    if plugin in _KUBECTL_BUILTINS or "/" in plugin or "=" in plugin:
        return
    rest = words[index + 1 :]
    passes = _PASSING_PLUGINS.get(plugin, frozenset())
    for i, word in enumerate(rest):
        if word.text in passes:
            w.peel(rest[i:], site.inner(f"{name} {plugin}"))
            return
    program = f"{name}-{plugin}"
    named = replace(words[index], text=program, raw=program)
    w.peel([named, *rest], site.inner(f"{name} {plugin}"))
