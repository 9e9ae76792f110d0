"""Family: stopping what a process supervisor keeps running is stopping a service.

`systemctl stop` asks (`host.service-stop`); the supervisors that do the same job for
applications (supervisord, pm2, runit's sv, s6, monit, forever, circus, upstart, Homebrew's
services) asked for nothing, so `supervisorctl stop all` or `pm2 kill` took every app down
unasked. Reading their state and starting or restarting still passes.
"""

from __future__ import annotations

import pytest
from judgekit import stops


@pytest.mark.parametrize(
    "line",
    [
        "supervisorctl stop all",
        "sudo supervisorctl stop api:*",
        "supervisorctl -c /etc/supervisord.conf shutdown",
        "pm2 kill",
        "pm2 stop all",
        "npx pm2 stop api",
        "sv stop nginx",
        "sudo sv force-stop /etc/service/postgres",
        "s6-svc -d /run/service/nginx",
        "monit stop all",
        "monit unmonitor nginx",
        "forever stopall",
        "circusctl stop",
        "initctl stop ssh",
        "brew services stop postgresql@16",
    ],
)
def test_stopping_supervised_programs_asks(line: str) -> None:
    assert stops(line)


@pytest.mark.parametrize(
    "line",
    [
        "supervisorctl status",
        "supervisorctl restart api",
        "supervisorctl tail -f api",
        "pm2 list",
        "pm2 logs api",
        "pm2 restart api",
        "pm2 start ecosystem.config.js",
        "sv status nginx",
        "sv up nginx",
        "s6-svc -u /run/service/nginx",
        "monit status",
        "forever list",
        "brew services list",
        "brew services start redis",
    ],
)
def test_reading_starting_and_restarting_pass(line: str) -> None:
    assert not stops(line)
