"""Family: `ldapmodify` / `ldapadd` do what the LDIF they read says: from `-f FILE`, a
`< FILE` redirect, a heredoc or a pipe. Records with `changetype: delete` remove entries and
ask, as `ldapdelete` does; `modrdn`/`moddn` rename entries and ask (as `ldapmodrdn` now
does); replacing or deleting attribute values on many entries at once asks; LDIF that cannot
be read here asks. Adding entries and small changes pass, and `-n` (show only) passes.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from effects_helpers import STOPPED, explain, judge

from safesh.model import Analysis, Context, Tier

DELETE = "dn: uid=bob,ou=people,dc=example,dc=com\nchangetype: delete\n"
RENAME = "dn: uid=bob,ou=people,dc=example,dc=com\nchangetype: modrdn\nnewrdn: uid=rob\n" \
         "deleteoldrdn: 1\n"  # fmt: skip
ADD = "dn: uid=ann,ou=people,dc=example,dc=com\nobjectClass: inetOrgPerson\ncn: Ann\nsn: A\n"


def replace_mail(count: int) -> str:
    return "\n".join(
        f"dn: uid=u{n},ou=people,dc=example,dc=com\nchangetype: modify\nreplace: mail\n"
        f"mail: u{n}@new.example\n-\n"
        for n in range(count)
    )


@pytest.fixture
def project(tmp_path: Path) -> Path:
    path = tmp_path / "project"
    path.mkdir()
    return path


def judge_in(project: Path, line: str) -> Analysis:
    return judge(line, Context(cwd=str(project), home=str(project.parent), repo_root=None))


@pytest.mark.parametrize(
    "text", [DELETE, RENAME, replace_mail(5), ADD + "\n" + DELETE,
             "dn: cn=old,ou=groups,dc=x\nchangetype: moddn\nnewrdn: cn=new\ndeleteoldrdn: 1\n"],
)  # fmt: skip
def test_ldif_that_deletes_renames_or_rewrites_many_entries_asks(project: Path, text: str) -> None:
    (project / "change.ldif").write_text(text)
    for line in ["ldapmodify -x -D cn=admin,dc=example,dc=com -W -f change.ldif",
                 "ldapmodify -H ldap://ldap1 -x -fchange.ldif", "ldapmodify -x < change.ldif",
                 "cat change.ldif | ldapmodify -x -D cn=admin -w secret"]:  # fmt: skip
        analysis = judge_in(project, line)
        assert analysis.decision is Tier.ASK, explain(analysis)


@pytest.mark.parametrize("text", [ADD, replace_mail(2), ADD + "\n" + replace_mail(1)])
def test_additions_and_small_changes_pass(project: Path, text: str) -> None:
    (project / "change.ldif").write_text(text)
    for line in ["ldapmodify -x -f change.ldif", "ldapadd -x -D cn=admin -W -f change.ldif"]:
        analysis = judge_in(project, line)
        assert analysis.decision not in STOPPED, explain(analysis)


def test_ldif_given_in_a_heredoc_is_read() -> None:
    line = f"ldapmodify -x -D cn=admin,dc=example,dc=com -W <<'EOF'\n{DELETE}EOF"
    assert judge(line).decision is Tier.ASK
    line = f"ldapadd -x -D cn=admin,dc=example,dc=com -W <<'EOF'\n{ADD}EOF"
    assert judge(line).decision not in STOPPED


def test_ldif_piped_from_printf_is_read() -> None:
    analysis = judge("printf 'dn: uid=bob,dc=x\\nchangetype: delete\\n' | ldapmodify -x")
    assert analysis.decision is Tier.ASK, explain(analysis)


def test_a_delete_record_in_an_ldapadd_file_asks(project: Path) -> None:
    (project / "mixed.ldif").write_text(ADD + "\n" + DELETE)
    assert judge_in(project, "ldapadd -x -f mixed.ldif").decision is Tier.ASK


@pytest.mark.parametrize(
    "line",
    ["ldapmodify -x -f missing.ldif", "generate-users | ldapmodify -x",
     'ldapmodify -x -f "$LDIF"', "ldapadd -x -f /nonexistent/users.ldif"],
)  # fmt: skip
def test_ldif_that_cannot_be_read_here_asks(project: Path, line: str) -> None:
    analysis = judge_in(project, line)
    assert analysis.decision is Tier.ASK, explain(analysis)


def test_showing_what_would_be_done_passes(project: Path) -> None:
    (project / "change.ldif").write_text(DELETE)
    for line in ["ldapmodify -n -x -f change.ldif", "ldapmodify -xn -f change.ldif"]:
        analysis = judge_in(project, line)
        assert analysis.decision not in STOPPED, explain(analysis)


def test_a_delete_is_judged_as_ldapdelete_is() -> None:
    assert judge("ldapdelete -x uid=bob,ou=people,dc=example,dc=com").decision is Tier.ASK
    assert judge("ldapmodrdn -x uid=bob,ou=people,dc=example,dc=com uid=rob").decision is Tier.ASK
