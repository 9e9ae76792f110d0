"""Take docs/web-approvals.png: the `safesh serve` page over a small made-up store.

    .venv/bin/python scripts/web_screenshot.py [OUT.png]

Fills a throwaway store (a temporary XDG_STATE_HOME) with a few agents' commands and two
pending requests through the store's API, serves it, and photographs the pending-approvals
page in headless chromium (needs the dev extras and scripts/install-browser.sh).
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TOKEN = "screenshot-token-0123456789abcdef"


def fill(state: Path) -> None:
    os.environ["XDG_STATE_HOME"] = str(state)
    from safesh.store import AuditEvent, Store

    with Store(user="dev") as store:
        project = "/srv/checkout/payments-api"
        for line, decision, rules, outcome in [
            ("pytest -q tests/", "allow", (), "ran"),
            ("git status --short", "allow", (), "ran"),
            ("docker stop payments-worker", "notify", ("docker.change",), "ran"),
            ("git push --force origin main", "ask", ("git.push-force",), "refused"),
        ]:
            store.record(
                AuditEvent(
                    line, project, decision, rules, mode="hook:claude-code", outcome=outcome,
                    agent="claude-code", session="7f3c9a",
                )
            )  # fmt: skip
        store.request_approval(
            "git push --force origin main", project, "f" * 64, ["git.push-force"],
            "This rewrites published history: commits others pulled vanish from the remote.",
            agent="claude-code", session="7f3c9a",
        )  # fmt: skip
        store.request_approval(
            "kubectl delete namespace payments-staging", "/srv/checkout/infra", "e" * 64,
            ["k8s.delete"],
            "This deletes or evicts resources in a cluster that other people and services rely on.",
            agent="codex", session="b21e04",
        )  # fmt: skip


def main() -> None:
    out = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "docs" / "web-approvals.png"
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service
    from selenium.webdriver.common.by import By

    with tempfile.TemporaryDirectory() as directory:
        root = Path(directory)
        fill(root / "state")
        tokens = root / "tokens"
        tokens.write_text(f"alice {TOKEN}\n")
        tokens.chmod(0o600)
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        env = {**os.environ, "XDG_STATE_HOME": str(root / "state")}
        server = subprocess.Popen(
            [sys.executable, "-m", "safesh", "serve", "--port", str(port),
             "--token-file", str(tokens)],
            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        try:
            url = f"http://127.0.0.1:{port}"
            for _ in range(100):
                try:
                    urllib.request.urlopen(url + "/login", timeout=1).close()
                    break
                except OSError:
                    time.sleep(0.2)
            options = webdriver.ChromeOptions()
            for flag in ("--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                         "--disable-background-networking", "--disable-component-update",
                         "--disable-sync", "--window-size=1280,900",
                         f"--user-data-dir={root / 'profile'}"):  # fmt: skip
                options.add_argument(flag)
            driver = webdriver.Chrome(options=options, service=Service("/usr/bin/chromedriver"))
            try:
                driver.get(f"{url}/login?token={TOKEN}")
                driver.find_element(By.ID, "user")
                driver.save_screenshot(str(out))
            finally:
                driver.quit()
        finally:
            server.terminate()
            server.wait(timeout=10)
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
