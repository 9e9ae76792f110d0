"""`safesh serve`: the web page for approvals and the audit trail (needs `safesh[web]`).

Binds to 127.0.0.1 by default. Every page needs a login token, on loopback too (an agent on
the same machine must not be able to post an approval): from `--token-file` (`name token`
per line, private to the user), else `SAFESH_WEB_TOKEN`, else one made for this run and
printed here only. The web libraries are imported only when this command runs.
"""

from __future__ import annotations

import os
from pathlib import Path

import click


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8765, show_default=True, type=click.IntRange(0, 65535))
@click.option(
    "--token-file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Login tokens, `name token` per line (chmod 600); else $SAFESH_WEB_TOKEN or a new one.",
)
@click.option(
    "--secure-cookie",
    is_flag=True,
    help="Mark the session cookie Secure (when a TLS proxy serves the page).",
)
def command(host: str, port: int, token_file: Path | None, secure_cookie: bool) -> None:
    """Serve the approvals, audit timeline, notify queue and session pages."""
    try:
        import uvicorn

        from safesh.web.app import WebConfig, create_app
    except ImportError as error:
        raise click.ClickException(
            f"safesh serve needs the web extra ({error.name} is missing): pip install 'safesh[web]'"
        ) from None
    from safesh.store.values import current_user
    from safesh.web.auth import CredentialsError, is_loopback, load_credentials

    try:
        credentials = load_credentials(token_file, os.environ, current_user())
    except CredentialsError as error:
        raise click.ClickException(str(error)) from None
    shown = f"[{host}]" if ":" in host else host
    if not is_loopback(host):
        click.echo(
            f"safesh serve: listening on {host}, not only this machine: anyone who can reach it "
            "with a token can approve. Serve it behind TLS (and pass --secure-cookie).",
            err=True,
        )
    if credentials.generated is not None:
        click.echo(f"safesh serve: open http://{shown}:{port}/login?token={credentials.generated}")
    else:
        click.echo(f"safesh serve: open http://{shown}:{port}/ and log in with your token")
    app = create_app(WebConfig(credentials, secure_cookie=secure_cookie))
    uvicorn.run(app, host=host, port=port, log_level="warning", server_header=False)
