"""How a subcommand word spells a verb, for the generic verb vocabulary (`verbs_any`,
docs/rules.md): `delete-bucket`, `volume-rm`, `apps:destroy`, `deleteUser`, `vm.destroy`; and
which leading words of a command can be its subcommand at all (not an option's value, not the
text a `create`/`add`/`get` is given). Imports nothing of safesh."""

from __future__ import annotations

from safesh.lazy_re import later

VERB_POSITIONS = 3
_VERB_SPLIT = later(r"[-_]|(?<=[a-z])(?=[A-Z])")
SHORT_OPTION = later(r"^-[A-Za-z]$")
# `tool rm -rf x`: the unwrap stage judges such an argument as the command it names (fs rules
# decide by its paths), so the verb vocabulary leaves it alone.
COMMANDS_AS_ARGUMENTS = frozenset({"rm", "shred", "srm", "truncate"})
_DATA_CHARACTERS = frozenset("/=,'\"{}()[]$`*")
_DOTTED_VERB_LENGTH = 4

# Options that take free text or a name in any CLI (an issue's title, a commit message, notes,
# a label). The word after one is that text, never a subcommand, whatever the tool: `bd create
# --notes rm`, `todo add --description purge`. A long option not listed here may be a flag, so
# the word after it is still read as a possible verb (`tool --verbose delete x`).
TEXT_VALUE_OPTIONS = frozenset(
    {"--message", "--msg", "--notes", "--note", "--title", "--description", "--desc", "--body",
     "--comment", "--comments", "--summary", "--text", "--subject", "--reason", "--label",
     "--labels", "--tag", "--tags", "--content", "--details", "--detail", "--assignee",
     "--milestone", "--priority", "--status", "--type", "--category", "--topic", "--prompt",
     "--query", "--search", "--filter", "--pattern", "--keyword", "--keywords", "--alias",
     "--display-name", "--notes-file", "--template", "--question", "--answer", "--comment-body"}
)  # fmt: skip

# A leading word that makes, writes, records or looks at something: what follows it is that
# thing's name or text (`bd create rm`, `notes add delete`, `tool get drop-policy`), not a
# further subcommand. Destructive verbs never lead such a word, so `tool delete x` is unchanged.
DATA_VERBS = frozenset(
    {"create", "new", "add", "append", "insert", "update", "edit", "set", "comment", "note",
     "log", "post", "write", "echo", "say", "print", "show", "get", "list", "ls", "search",
     "find", "view", "describe", "info", "status", "open", "tag", "label", "rename", "title",
     "message", "msg", "ask", "chat", "prompt", "query", "grep", "read", "cat", "explain",
     "reply", "answer", "remember", "todo", "draft", "propose", "suggest", "annotate", "lookup"}
)  # fmt: skip


def verb_tokens(word: str) -> list[str]:
    """The verbs a subcommand word spells: the first and last token of each `:`-separated
    part, split at `-`, `_` and camelCase (`delete-bucket`, `volume-rm`, `apps:destroy`,
    `deleteUser`), lower case. Look-alikes spell other tokens (`list-deleted`,
    `get-deletion-status`). A dotted word names its verb last, as a method (`vm.destroy`,
    `db.drop`, `Project.destroy_all`): only the first token of its last part counts, so a
    file name (`drop.sql`, `test_delete.py`, `app.rb`) or a host (`rm.example.com`) spells no
    verb."""
    if not word or any(c.isspace() or c in _DATA_CHARACTERS for c in word):
        return []
    if "." in word:
        last = word.rsplit(".", 1)[1]
        pieces = [p for p in _VERB_SPLIT.split(last) if p]
        # A short last part is a file's suffix (`app.rb`, `clip.rm`), never a method.
        long_enough = pieces and len(pieces[0]) >= _DOTTED_VERB_LENGTH and ":" not in last
        return [pieces[0].lower()] if long_enough else []
    tokens: list[str] = []
    for part in word.split(":"):
        pieces = [p for p in _VERB_SPLIT.split(part) if p]
        if pieces:
            # The verb leads (`delete-bucket`) or ends (`volume-rm`, `db-reset`) the word.
            tokens.extend({pieces[0].lower(), pieces[-1].lower()})
    return tokens


def verb_candidates(argv: tuple[str, ...], positional: tuple[int, ...]) -> list[int]:
    """The indices of the leading positional words that may be a subcommand verb: the first
    `VERB_POSITIONS` of them that are not the value of a one-letter option (`pytest -k
    delete`, `doctl -t TOKEN compute droplet delete`) or of a text option (`--notes rm`),
    up to a word that makes or reads something (`create`, `add`, `get`): the words after it
    are its data."""
    found: list[int] = []
    for index in positional:
        if len(found) == VERB_POSITIONS:
            break
        before = argv[index - 1] if index > 1 else ""
        if SHORT_OPTION.match(before) or before.lower() in TEXT_VALUE_OPTIONS:
            continue
        found.append(index)
        if argv[index].lower() in DATA_VERBS:
            break
    return found


def is_command_argument(argv: tuple[str, ...], index: int) -> bool:
    """`tool rm -rf x`: the word names a command the unwrap stage judges on its own. Not when
    what it removes is a URL (`ossutil rm -r -f oss://bucket/`): that is the tool's own
    subcommand on remote storage, which the fs rules cannot see."""
    following = argv[index + 1] if index + 1 < len(argv) else ""
    if any("://" in word for word in argv[index + 1 :]):
        return False
    return argv[index] in COMMANDS_AS_ARGUMENTS and following.startswith("-")
