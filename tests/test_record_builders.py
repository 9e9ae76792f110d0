"""The builders that make the values a long line needs by the ten thousand without the
record's __init__ (safesh.model, safesh.unwrap.site) build exactly what __init__ builds."""

from __future__ import annotations

import copy
import pickle

from safesh.model import (
    Command,
    Feed,
    SimpleCommand,
    Span,
    Word,
    new_command,
    new_feed,
    new_plain_word,
    new_simple_command,
    new_span,
    new_word,
)
from safesh.record import fields
from safesh.unwrap.site import Frame, Site, new_site

SPAN = Span(3, 5)
WORD = Word("rm", "'rm'", SPAN, True, False)


def same(built: object, made: object, *, ordered: bool = True) -> None:
    assert built == made
    assert hash(built) == hash(made)
    assert repr(built) == repr(made)
    assert vars(built) == vars(made)
    if ordered:  # as a positional __init__ stores them (replace() stores defaults first)
        assert list(vars(built)) == list(vars(made))
    assert pickle.loads(pickle.dumps(built)) == made
    assert copy.copy(built) == made


def test_the_builders_take_every_field_in_order() -> None:
    for cls, builder in [
        (Span, new_span),
        (Word, new_word),
        (SimpleCommand, new_simple_command),
        (Command, new_command),
        (Feed, new_feed),
        (Site, new_site),
    ]:
        names = [f.name for f in fields(cls)]
        assert list(builder.__code__.co_varnames[: len(names)]) == names
        assert builder.__code__.co_argcount == len(names)
        assert not hasattr(cls, "__post_init__")
        assert all(f.init and f.default_factory is None for f in fields(cls))


def test_span_and_word() -> None:
    same(new_span(3, 5), SPAN)
    same(new_word("rm", "'rm'", new_span(3, 5), True, False), WORD)
    same(new_plain_word("rm", 3, 5), Word("rm", "rm", SPAN, True, False))


def test_simple_command() -> None:
    values = ((WORD,), SPAN, (("A", WORD),), (), (1, 0, 2), ("$(…)",), True)
    same(new_simple_command(*values), SimpleCommand(*values))


def test_command() -> None:
    feed = Feed("pipe", "x", ("echo", "x"))
    values = (
        "rm", ("rm",), (WORD,), SPAN, "'rm'", (), (("A", "1"),), ("sudo",), ("group",), feed,
        (0, 1, 2), False, True, "db1", 2, True, "/tmp", False,
    )  # fmt: skip
    same(new_command(*values), Command(*values))


def test_feed_and_site() -> None:
    same(new_feed("pipe", None, ("cat",)), Feed("pipe", None, ("cat",)))
    simple = SimpleCommand((WORD,), SPAN)
    frame = Frame(0, (), None, None, None, True)
    values = (simple, frame, None, frozenset({"f"}), ("env",), True, None, (("A", "1"),), True)
    same(new_site(*values), Site(*values))


def test_a_site_inside_a_wrapper_is_what_replace_makes() -> None:
    from safesh.record import replace

    simple = SimpleCommand((WORD,), SPAN)
    site = Site(simple, Frame(0, (), None, None, None, True), None, frozenset(), ("sudo",))
    same(site.inner("env"), replace(site, via=("sudo", "env")), ordered=False)
    changed = site.inner("$x=1", expanded=True, assignments=(("A", "1"),))
    made = replace(site, via=("sudo", "$x=1"), expanded=True, assignments=(("A", "1"),))
    same(changed, made, ordered=False)
