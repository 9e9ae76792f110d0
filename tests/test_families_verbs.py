"""Families of the generic verb vocabulary: where a command spells that it destroys.

- A program whose own name carries the verb (`ldapdelete`, `kdestroy`, `lxc-destroy`, a project
  script `reset-db.sh`) asks; names that merely contain the letters pass.
- The value of an option that takes text (`--notes rm`, `--title delete`) and the words a
  `create`/`add`/`get` is given are data, not a subcommand, in any CLI; a real subcommand after
  an option's value (`doctl -t TOKEN compute droplet delete`) is still found.
- A dotted word names its verb last (`vm.destroy`, `db.drop`); a file name does not.
"""

from __future__ import annotations

import pytest
from effects_helpers import STOPPED, explain, judge

from safesh.model import Tier

NAME_SPELLS_VERB = [
    "ldapdelete -x -D cn=admin,dc=corp -W 'uid=eve,ou=staff,dc=corp'",
    "kdestroy --all",
    "lxc-destroy --name builder",
    "pg_dropcluster 16 main",
    "dropuser reporting",
    "ipcrm --all",
    "qdel 88",
    "kafka-delete-records --bootstrap-server b:9092 --offset-json-file offsets.json",
    "./scripts/reset-database.sh",
    "sh-less/bin/wipe-cache-and-data",
    "./tools/drop_tables.py --yes",
    "/usr/local/bin/purge-s3-versions bucket",
    "./nuke.sh",
    "./db/teardown-env.sh qa",
]

NAME_LOOKS_ALIKE = [
    "ldapsearch -LLL uid=eve",
    "dropbox-cli status",
    "delta --side-by-side old.txt new.txt",
    "delv @1.1.1.1 example.org",
    "reset",
    "./scripts/seed-database.sh",
    "./scripts/undelete-files.sh",
    "./nuke.sh --help",
    "purgecss --config purgecss.config.js",
    "kdestroy --version",
    "model evaluate",
]


@pytest.mark.parametrize("line", NAME_SPELLS_VERB)
def test_a_program_named_for_destroying_asks(line: str) -> None:
    analysis = judge(line)
    assert analysis.decision in STOPPED, explain(analysis)


@pytest.mark.parametrize("line", NAME_LOOKS_ALIKE)
def test_a_name_that_only_contains_the_letters_passes(line: str) -> None:
    analysis = judge(line)
    assert analysis.decision not in STOPPED, explain(analysis)


def test_a_name_alone_never_blocks_even_in_production() -> None:
    analysis = judge("./scripts/reset-db.sh production")
    assert analysis.decision is Tier.ASK, explain(analysis)


OPTION_VALUES = [
    "bd create --notes rm 'look into the cache'",
    "bd update 7 --notes delete",
    "tracker new --title destroy --body 'the old pipeline'",
    "todo add --description purge",
    "notes append --message reset",
    "kanban add --label wipe 'card'",
    "issues open --comment drop",
    "tool create thing drop",
    "tool get drop-policy",
    "catalog list purge-candidates",
    "agent ask remove",
]


@pytest.mark.parametrize("line", OPTION_VALUES)
def test_a_text_value_or_the_data_of_create_is_no_verb(line: str) -> None:
    analysis = judge(line)
    assert analysis.decision not in STOPPED, explain(analysis)


STILL_SUBCOMMANDS = [
    "kubectl delete -n prod pod x",
    "gh release delete v1",
    "doctl -t TOKEN compute droplet delete web-1",
    "vendorctl --title x delete thing",
    "hcloud --context dev server delete web",
    "govc vm.destroy web",
    "invoke db.drop",
    "mytool projects delete demo",
    "mytool -p staging users purge",
]


@pytest.mark.parametrize("line", STILL_SUBCOMMANDS)
def test_a_subcommand_after_an_option_value_is_still_a_verb(line: str) -> None:
    analysis = judge(line)
    assert analysis.decision in STOPPED, explain(analysis)


@pytest.mark.parametrize(
    "line", ["node reset.js", "vim drop.sql", "dig rm.example.com", "pytest tests/test_delete.py"]
)
def test_a_file_or_host_name_spells_no_verb(line: str) -> None:
    analysis = judge(line)
    assert analysis.decision not in STOPPED, explain(analysis)


@pytest.mark.parametrize(
    "line",
    [
        "yarn typeorm schema:drop",
        "pnpm prisma migrate reset",
        "yarn sequelize-cli db:drop",
        "migrate -path db/migrations -database postgres://x drop -f",
        "mytool -host db1 delete records",
        "keytool -delete -alias release -keystore app.jks",
    ],
)
def test_a_dependency_bin_and_go_or_java_style_options_hide_no_verb(line: str) -> None:
    analysis = judge(line)
    assert analysis.decision in STOPPED, explain(analysis)


@pytest.mark.parametrize(
    "line",
    [
        "yarn jest --watch",
        "pnpm vite build",
        "yarn remove lodash",
        "mytool delete -h",
        "keytool -list",
    ],
)
def test_everyday_package_manager_and_help_lines_pass(line: str) -> None:
    analysis = judge(line)
    assert analysis.decision not in STOPPED, explain(analysis)
