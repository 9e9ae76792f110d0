"""A throw-away PostgreSQL server for tests: `initdb` in a temporary directory, listening only on
a Unix socket there, trust authentication, stopped and deleted afterwards.

The binaries are found on PATH, in SAFESH_PG_BIN, or under /usr/lib/postgresql/*/bin
(scripts/postgres.sh installs them for CI). PostgreSQL refuses to run as root, so as root the
server runs as the `postgres` user the distribution's package creates.
"""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

PORT = 5499  # only names the socket file: the server listens on no TCP port


def find_binaries() -> Path | None:
    candidates = [os.environ.get("SAFESH_PG_BIN", "")]
    found = shutil.which("initdb")
    if found:
        candidates.append(str(Path(found).resolve().parent))
    candidates += sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True)
    for directory in candidates:
        if directory and (Path(directory) / "initdb").is_file():
            return Path(directory)
    return None


def why_unavailable() -> str | None:
    """None when a server can be started here, else why not (the skip reason)."""
    if find_binaries() is None:
        return "PostgreSQL's initdb is not installed (scripts/postgres.sh installs it)"
    if os.geteuid() == 0 and shutil.which("runuser") is None:
        return "running as root without runuser: cannot start PostgreSQL as another user"
    if os.geteuid() == 0:
        try:
            import pwd

            pwd.getpwnam("postgres")
        except KeyError:
            return "running as root and there is no postgres user to run the server as"
    try:
        import psycopg  # noqa: F401
    except ImportError:
        return "psycopg is not installed (pip install 'safesh[postgres]')"
    return None


@dataclass
class Server:
    bin: Path
    directory: Path

    @property
    def data(self) -> Path:
        return self.directory / "data"

    @property
    def socket_dir(self) -> Path:
        return self.directory / "socket"

    @property
    def url(self) -> str:
        return f"postgresql://safesh@/postgres?host={self.socket_dir}&port={PORT}"

    def _run(self, *argv: str) -> None:
        command = [str(self.bin / argv[0]), *argv[1:]]
        if os.geteuid() == 0:
            command = ["runuser", "-u", "postgres", "--", *command]
        subprocess.run(command, check=True, capture_output=True, timeout=120)

    def init(self) -> None:
        self.data.mkdir(parents=True)
        self.socket_dir.mkdir()
        if os.geteuid() == 0:
            import pwd

            entry = pwd.getpwnam("postgres")
            for path in (self.directory, self.data, self.socket_dir):
                os.chown(path, entry.pw_uid, entry.pw_gid)
            self.directory.chmod(0o755)
        self._run(
            "initdb", "-D", str(self.data), "-U", "safesh", "--auth=trust", "--locale=C",
            "-E", "UTF8",
        )  # fmt: skip

    def start(self) -> None:
        options = f"-c listen_addresses='' -k {self.socket_dir} -p {PORT} -c fsync=off"
        self._run(
            "pg_ctl", "-D", str(self.data), "-o", options, "-l", str(self.directory / "log"),
            "-w", "-t", "60", "start",
        )  # fmt: skip

    def stop(self, mode: str = "fast") -> None:
        self._run("pg_ctl", "-D", str(self.data), "-m", mode, "-w", "-t", "60", "stop")

    def kill(self) -> None:
        """As abrupt as it gets short of SIGKILL: no checkpoint, clients cut off."""
        self.stop("immediate")
