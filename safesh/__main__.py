"""Entry point for `safesh` and `python -m safesh`.

The outermost guard: a fault that escapes every front end's own guard (an import that fails,
say) still ends in a refusal, never in a traceback and exit status 1 that a caller would read
as "the command failed" or an agent as "the hook crashed, run it anyway".
"""

from __future__ import annotations

import sys


def main() -> None:
    argv = sys.argv[1:]
    try:
        from safesh.cli.main import main as cli_main

        code = cli_main(argv)
    except BaseException as error:
        from safesh.cli.failsafe import last_resort

        code = last_resort(argv, error)
    sys.exit(code)


if __name__ == "__main__":
    main()
