"""The walk finds each command's handler through an index (`safesh.unwrap.handlers`) so that
a line loads only the handler modules its programs need. The index must say exactly what the
full table says: a program missing from it would run unpeeled (`sudo rm -rf /` judged as
`sudo`), so this is a guard of the fail-closed property, not of speed."""

from __future__ import annotations

import subprocess
import sys

from safesh.unwrap import handlers


def test_the_index_names_every_program_the_full_table_does_and_no_other() -> None:
    assert set(handlers.INDEX) == set(handlers.full_table())


def test_the_index_gives_each_program_the_full_tables_handler() -> None:
    table = handlers.full_table()
    wrong = {name for name, function in table.items() if handlers.handler(name) is not function}
    assert wrong == set()


def test_a_program_with_no_handler_has_none() -> None:
    assert handlers.handler("ls") is None
    assert handlers.handler("") is None


def test_a_handler_is_found_in_a_fresh_process_before_its_module_was_loaded() -> None:
    # Through the real entry point: `sudo` peeled by its lazily loaded handler.
    probe = (
        "import sys, safesh\n"
        "assert 'safesh.unwrap.remote' not in sys.modules\n"
        "report = safesh.check('ssh host rm -rf /')\n"
        "assert 'safesh.unwrap.remote' in sys.modules\n"
        "print(report.decision, sorted(c.name for c in report.analysis.commands))\n"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    decision, names = done.stdout.split(" ", 1)
    assert decision in {"ask", "block"}
    assert "'rm'" in names
