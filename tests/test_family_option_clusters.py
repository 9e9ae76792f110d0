"""Family: a wrapper's short options clustered the way getopt reads them.

`sudo -iu postgres CMD` is `-i -u postgres CMD`: the last letter of a cluster that takes a
value takes the next word, so the wrapped command is CMD, not `postgres`. `su -lc STRING` and
`su -cSTRING` run STRING. Read otherwise, the wrapped command was a user name and the line ran
unjudged. A value attached inside the cluster (`-uroot`, `-n5`) takes no next word.
"""

from __future__ import annotations

import pytest
from judgekit import decide, stops

from safesh.model import Tier


@pytest.mark.parametrize(
    "line",
    [
        "sudo -iu postgres dropdb production",
        "sudo -Hiu postgres dropdb production",
        "sudo -iu postgres psql -c 'DROP DATABASE app'",
        "sudo -Eu deploy kubectl delete namespace prod",
        "sudo -nu deploy terraform destroy -auto-approve",
        "doas -nu app dropdb production",
        "runuser -lu postgres -- dropdb production",
        "su -lc 'dropdb production' postgres",
        "su -mc 'rm -rf /srv' app",
        "su -c'rm -rf /srv'",
        "runuser -lc 'rm -rf /srv' app",
        "ssh -tp 2222 prod dropdb production",
        "ssh -Tl admin prod kubectl delete namespace prod",
    ],
)
def test_a_clustered_wrapper_option_does_not_hide_the_command(line: str) -> None:
    assert stops(line)


@pytest.mark.parametrize(
    "line",
    [
        "sudo -iu postgres psql -c 'SELECT 1'",
        "sudo -Eu deploy ls /srv",
        "su -lc 'ls -la' app",
        "runuser -lc 'whoami' app",
        "ssh -tp 2222 prod uptime",
        "ssh -NfL 8080:localhost:80 prod",
    ],
)
def test_the_same_clusters_around_ordinary_work_pass(line: str) -> None:
    assert not stops(line)


def test_a_value_attached_inside_the_cluster_takes_no_next_word() -> None:
    # `-uroot` is `-u root`; `dropdb` is the command, not -u's value.
    assert decide("sudo -uroot dropdb production") == decide("sudo -u root dropdb production")
    assert decide("nice -n5 dropdb production") == Tier.BLOCK


def test_an_interactive_shell_as_another_user_is_the_interactive_shell_it_is() -> None:
    # `sudo -iu app` names no command: it opens a login shell as app, as `sudo -u app -i`.
    assert decide("sudo -iu app") == decide("sudo -u app -i")
