"""One module per `safesh` subcommand; each exposes click command objects that
`safesh.cli.main` loads lazily, so the shell fast path never imports click."""
