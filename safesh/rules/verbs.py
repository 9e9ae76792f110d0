"""How a subcommand word spells a verb, for the generic verb vocabulary (`verbs_any`,
docs/rules.md): `delete-bucket`, `volume-rm`, `apps:destroy`, `deleteUser`. Imports nothing
of safesh."""

from __future__ import annotations

import re

VERB_POSITIONS = 3
_VERB_SPLIT = re.compile(r"[-_]|(?<=[a-z])(?=[A-Z])")
SHORT_OPTION = re.compile(r"^-[A-Za-z]$")
# `tool rm -rf x`: the unwrap stage judges such an argument as the command it names (fs rules
# decide by its paths), so the verb vocabulary leaves it alone.
COMMANDS_AS_ARGUMENTS = frozenset({"rm", "shred", "srm", "truncate"})


def verb_tokens(word: str) -> list[str]:
    """The verbs a subcommand word spells: the first and last token of each `:`-separated
    part, split at `-`, `_` and camelCase (`delete-bucket`, `volume-rm`, `apps:destroy`,
    `deleteUser`), lower case. Look-alikes spell other tokens (`list-deleted`,
    `get-deletion-status`)."""
    if not word or any(c.isspace() or c in "/=.,'\"{}()[]$`*" for c in word):
        return []
    tokens: list[str] = []
    for part in word.split(":"):
        pieces = [p for p in _VERB_SPLIT.split(part) if p]
        if pieces:
            # The verb leads (`delete-bucket`) or ends (`volume-rm`, `db-reset`) the word.
            tokens.extend({pieces[0].lower(), pieces[-1].lower()})
    return tokens
