"""Command-line front ends: the dispatcher (`main`), bash's own command line (`shell`), and
the `safesh SUBCOMMAND` click group (`group`, one module per subcommand in `commands/`).
A front end: it may use every stage; no stage imports it.
"""
