"""Family: LDIF whose reach is not its number of entries. One record can replace a group's
whole membership (`replace: member`), empty it (`delete: member` with no value), or change
the directory server's own access rules and administrator under `cn=config`: each asks
however few entries the file names. Adding or removing named members, small attribute
changes and loading a schema under cn=config pass; `ldapdelete` asks whatever it is given
(`-r` for a subtree, `-f` for a list of DNs).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from judgekit import decide, project_in, stops

from safesh.model import Context, Tier

GROUP = "dn: cn=admins,ou=groups,dc=example,dc=com\nchangetype: modify\n"
CONFIG_DB = "dn: olcDatabase={1}mdb,cn=config\nchangetype: modify\n"

WIDE = {
    "empty-group": GROUP + "delete: member\n",
    "empty-group-closed": GROUP + "delete: member\n-\n",
    "empty-unique": GROUP + "delete: uniqueMember\n",
    "empty-posix": GROUP + "delete: memberUid\n",
    "replace-members": GROUP + "replace: member\nmember: uid=eve,dc=example,dc=com\n",
    "replace-members-after-add": GROUP
    + "add: description\ndescription: x\n-\nreplace: member\nmember: uid=eve,dc=x\n-\n",
    "access-rules": CONFIG_DB + "replace: olcAccess\nolcAccess: {0}to * by * none\n",
    "access-rule-added": CONFIG_DB + "add: olcAccess\nolcAccess: {0}to * by anonymous write\n",
    "root-password": "dn: olcDatabase={0}config,cn=config\nchangetype: modify\n"
    "replace: olcRootPW\nolcRootPW: {SSHA}abc\n",
    "root-dn": CONFIG_DB + "replace: olcRootDN\nolcRootDN: cn=eve,dc=example,dc=com\n",
    "config-setting-deleted": "dn: cn=config\nchangetype: modify\ndelete: olcTLSCertificateFile\n",
    "config-spaced-dn": "dn: olcDatabase={1}mdb, cn=CONFIG\nchangetype: modify\n"
    "replace: olcSuffix\nolcSuffix: dc=other\n",
}
SMALL = {
    "add-member": GROUP + "add: member\nmember: uid=ann,dc=example,dc=com\n",
    "remove-one-member": GROUP + "delete: member\nmember: uid=eve,dc=example,dc=com\n-\n",
    "remove-two-members": GROUP + "delete: member\nmember: uid=a,dc=x\nmember: uid=b,dc=x\n",
    "mail": "dn: uid=bob,dc=x\nchangetype: modify\nreplace: mail\nmail: bob@new.example\n",
    "password": "dn: uid=bob,dc=x\nchangetype: modify\nreplace: userPassword\nuserPassword: x\n",
    "schema": "dn: cn=cosine,cn=schema,cn=config\nobjectClass: olcSchemaConfig\ncn: cosine\n",
    "module": "dn: cn=module{0},cn=config\nchangetype: modify\nadd: olcModuleLoad\n"
    "olcModuleLoad: memberof.la\n",
    "not-config": "dn: uid=bob,ou=config,dc=x\nchangetype: modify\nreplace: mail\nmail: b@x\n",
    "new-group": "dn: cn=ops,ou=groups,dc=x\nobjectClass: groupOfNames\ncn: ops\n"
    "member: uid=ann,dc=x\n",
}
LINES = [
    "ldapmodify -x -D cn=admin,dc=example,dc=com -W -f {f}",
    "ldapmodify -Y EXTERNAL -H ldapi:/// -f {f}",
    "ldapmodify -x -H ldap://ldap1 -f{f}",
    "ldapmodify -x < {f}",
    "cat {f} | ldapmodify -x -D cn=admin -w secret",
    "sudo ldapmodify -Q -Y EXTERNAL -H ldapi:/// -f {f}",
]


@pytest.fixture
def project(tmp_path: Path) -> Context:
    return project_in(tmp_path)


@pytest.mark.parametrize("name", sorted(WIDE))
def test_ldif_that_rewrites_a_group_or_the_server_configuration_asks(
    project: Context, name: str
) -> None:
    Path(project.cwd, "change.ldif").write_text(WIDE[name])
    for line in LINES:
        assert decide(line.format(f="change.ldif"), project) is Tier.ASK, (name, line)


@pytest.mark.parametrize("name", sorted(WIDE))
def test_the_same_ldif_in_a_heredoc_asks(name: str) -> None:
    assert decide(f"ldapmodify -x -W <<'EOF'\n{WIDE[name]}EOF") is Tier.ASK


@pytest.mark.parametrize("name", sorted(SMALL))
def test_named_members_small_changes_and_schemas_pass(project: Context, name: str) -> None:
    Path(project.cwd, "change.ldif").write_text(SMALL[name])
    for line in [*LINES, "ldapadd -Y EXTERNAL -H ldapi:/// -f {f}"]:
        assert not stops(line.format(f="change.ldif"), project), (name, line)


def test_showing_only_passes(project: Context) -> None:
    Path(project.cwd, "change.ldif").write_text(WIDE["empty-group"])
    assert not stops("ldapmodify -n -x -f change.ldif", project)
    assert not stops("ldapmodify -xn -f change.ldif", project)


@pytest.mark.parametrize(
    "line",
    ["ldapdelete -x -r ou=people,dc=example,dc=com", "ldapdelete -xr 'ou=people,dc=x'",
     "ldapdelete -r -x -D cn=admin,dc=x -W ou=people,dc=x", "ldapdelete -x -f dns.txt",
     "ldapdelete -c -x -f dns.txt", "sudo ldapdelete -x -r -H ldaps://ldap1 ou=old,dc=x",
     "ldapdelete -x uid=bob,dc=x"],
)  # fmt: skip
def test_ldapdelete_asks_whatever_it_is_given(line: str) -> None:
    assert decide(line) is Tier.ASK
