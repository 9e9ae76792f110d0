"""The unwrap stage: from parsed simple commands to the commands that will really run.

A command can hide what it does behind a wrapper (`sudo`, `env`, `timeout`, `xargs`,
`find -exec`), behind a string another shell parses (`bash -c '…'`, `eval`, `ssh host '…'`,
`su -c`), or behind what feeds its standard input (a heredoc or a download piped into a shell).
This stage peels all of that, recursively up to a depth limit, so the rules only ever see the
innermost command with a record (`via`) of what was peeled.

Modules, by concern (none imports the walker; each says what it may import):
    site        the values passed between the parts (Frame, Site, Unparsed, Unwrapped) and
                the protocol a handler sees of the walk
    words       command names (paths, .exe, case), assignments, options, lexical paths
    expand      argv from variables, arrays, `set --`, positional parameters, defaults
    variables   what the line assigns (HOME/TMPDIR/PWD, any variable), aliases, functions
    cwd         cd tracking
    wrappers    sudo/env/timeout/nice/command/exec/watch/busybox/python -m/npx…
    feeds       what feeds stdin: heredocs, here-strings, pipes, compounds, downloads
    written     files written earlier in the line
    fanout      xargs, find -exec, fd -x, parallel: a command per input
    shells      shell option clusters; bash -c / scripts / stdin / <(…); source, eval, su -c
    remote      ssh, vagrant, gcloud, ansible; docker/kubectl exec and run
    runners     tmux, nix-shell, conda run, npm exec, sg, capsh, entr, hyperfine
    schedule    at, batch, crontab
    git         git's `--`, configuration values git runs, aliases of every kind
    handlers    which handler peels each command name (an index, its modules loaded on use)
    walker      the walk itself
May use: `safesh.model`, `safesh.parse` (lazily, as the default parser) and the standard
library; never a later stage or a front end.
"""

from __future__ import annotations

from safesh.unwrap.feeds import DOWNLOADERS, heredoc_substitutions
from safesh.unwrap.site import MAX_DEPTH, Unparsed, Unwrapped
from safesh.unwrap.walker import unwrap
from safesh.unwrap.words import command_name, resolve_path

__all__ = [
    "DOWNLOADERS",
    "MAX_DEPTH",
    "Unparsed",
    "Unwrapped",
    "command_name",
    "heredoc_substitutions",
    "resolve_path",
    "unwrap",
]
