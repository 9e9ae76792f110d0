"""Family: a copy into a directory writes a file there; it does not replace the directory.

`cp notes.txt /tmp` writes /tmp/notes.txt, so it is judged by that file's place, not as
overwriting /tmp (it asked before, as did `mv a.txt /tmp/` and `cp a.txt ~/`). A directory is
a destination ending in `/`, `-t DIR`, several sources, a place that is always a directory
(`.`, `~`, /tmp) or one that is a directory on disk. Copies that land on a key, a start-up
file or a system directory still ask.

Also: a program copied or linked under another name in the line (`cp /bin/rm ./x && ./x -rf
~`) is judged as that program when the new name runs.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from judgekit import decide, stops

from safesh.model import Context, Tier


@pytest.mark.parametrize(
    "line",
    [
        "cp notes.txt /tmp",
        "cp notes.txt /tmp/",
        "cp -r src /tmp/",
        "mv notes.txt /tmp/",
        "cp report.pdf ~/",
        "cp a.txt b.txt ~/Desktop/",
        "cp -t /tmp a.txt b.txt",
        "cp /etc/hosts /tmp/",
    ],
)
def test_copying_into_an_ordinary_directory_passes(line: str) -> None:
    assert not stops(line)


@pytest.mark.parametrize(
    "line",
    [
        "cp evil.so /etc",
        "cp evil.so /etc/",
        "cp -t /etc app.conf",
        "cp id_rsa ~/.ssh/",
        "cp bashrc ~/.bashrc",
        "mv ~/.ssh /tmp/old-ssh",
        "cp -T conf /etc",
        "cp a b c /etc/",
    ],
)
def test_copies_onto_keys_startup_files_or_system_directories_still_ask(line: str) -> None:
    assert stops(line)


def test_a_directory_on_disk_is_read_as_one(tmp_path: Path) -> None:
    (tmp_path / "project").mkdir()
    (tmp_path / "project" / "out").mkdir()
    context = Context(cwd=str(tmp_path / "project"), home=str(tmp_path), repo_root=None)
    assert decide("cp notes.txt out", context) == Tier.ALLOW
    assert decide(f"cp notes.txt {tmp_path / 'project' / 'out'}", context) == Tier.ALLOW


@pytest.mark.parametrize(
    "line",
    [
        "cp /bin/rm /tmp/x && /tmp/x -rf ~/",
        "ln -sf /bin/rm ./ls && ./ls -rf ~/",
        "install -m 755 /usr/bin/dropdb ./x; ./x production",
    ],
)
def test_a_program_copied_under_another_name_is_judged_as_itself(line: str) -> None:
    assert decide(line) == Tier.BLOCK


def test_a_harmless_program_copied_under_another_name_passes() -> None:
    assert not stops("cp /bin/ls ./myls && ./myls -la")
    assert not stops("ln -s /usr/bin/python3 .venv/bin/python && .venv/bin/python -m pytest")
