"""Family: file attributes and access lists changed where it matters: `chattr` (+i, -i, +a, -a,
=…, -R) on system files, logs, the root or a home, or on files chosen while the line runs
(xargs, a computed list); `setfacl -R -b/-k/-m` on system directories or a home; recursive
ownership, mode and ACL changes through `find -exec` over such places, or through xargs over
directories the line does not show. The project's own files and reads pass.
"""

from __future__ import annotations

import pytest
from judgekit import stops

CHANGES_PROTECTION = [
    "chattr -R +i /",
    "chattr -R -i /etc",
    "chattr -R +i ~",
    "sudo chattr -R +i /var",
    "chattr -R +a /home",
    "chattr +i /etc/passwd",
    "sudo chattr +i /etc/resolv.conf",
    "sudo chattr -i /etc/shadow",
    "chattr -i /etc/sudoers",
    "chattr +i ~/.bashrc",
    "chattr -a /var/log/auth.log",
    "chattr -R -a /var/log",
    "chattr -RV +i /usr",
    "chattr -V -R +i /srv",
    "chattr =i /etc/hosts",
    "chattr +i -R /etc",
    "timeout 10 chattr -i /etc/shadow",
    "env LC_ALL=C chattr -R +i /etc",
    "lsattr -R / | xargs chattr -i",
    "lsattr -Ra /etc 2>/dev/null | awk '{print $2}' | xargs -r chattr -i",
    "chattr -i $(cat files.txt)",
    'chattr -R -a "$LOGDIR"',
    "find / -type f -exec chattr -i {} +",
    "find /etc -exec chattr +i {} \\;",
    "find / -name '*.conf' -print0 | xargs -0 chattr +i",
    "sudo find /var/log -type f | xargs chattr -a",
    "setfacl -R -b /etc",
    "setfacl -R -k /",
    "setfacl -b -R ~",
    "setfacl -Rb /srv",
    "setfacl -Rk /home",
    "setfacl -b /etc/shadow",
    "setfacl -m u:nobody:rwx /etc/shadow",
    "setfacl -k /etc",
    "find / -exec chown nobody {} +",
    "find /etc -exec chmod 777 {} \\;",
    "find ~ -exec chmod 000 {} +",
    "find /var -exec chown -h bob {} +",
    "find / -print0 | xargs -0 chown bob",
    "sudo find /usr -exec chgrp staff {} +",
    "fd . / -x chmod 777",
    "find /etc -execdir chmod 000 {} +",
    "find $HOME -ok chmod 700 {} \\;",
    "cat dirs.txt | xargs chown -R bob",
    "cat dirs.txt | xargs chmod -R 777",
    "xargs -a dirs.txt chmod -R 000",
    "ls | xargs -n1 chmod -R 777",
    "chown -R bob $(cat dirs.txt)",
    "echo /etc | xargs setfacl -R -b",
    "setfacl -R -m o::rwx $(cat dirs)",
    "parallel chmod -R 777 ::: /etc /var",
]

EVERYDAY = [
    "chattr +i build/lock",
    "chattr -R +i ./vendor",
    "chattr +i notes.txt",
    "chattr -i notes.txt",
    "lsattr /etc/passwd",
    "lsattr -R /etc",
    "setfacl -m u:deploy:rwx shared/",
    "setfacl -R -m u:me:rwx ./data",
    "getfacl /etc/shadow",
    "find . -type f -exec chmod 644 {} +",
    "find . -type d -exec chmod 755 {} \\;",
    "find src -name '*.sh' -exec chmod +x {} +",
    "find /tmp/build -exec chown me {} +",
    "ls | xargs chmod +x",
    "find . -type d -exec chmod -R 755 {} +",
    "find . -name node_modules -prune -exec chown -R me {} +",
    "fd -t d . -x chmod -R 755",
    "chown -R $USER .",
    "chmod -R u+w build/",
]


@pytest.mark.parametrize("line", CHANGES_PROTECTION)
def test_changing_protection_of_system_files_or_unseen_files_asks(line: str) -> None:
    assert stops(line), line


@pytest.mark.parametrize("line", EVERYDAY)
def test_attributes_of_the_projects_own_files_and_reads_pass(line: str) -> None:
    assert not stops(line), line
