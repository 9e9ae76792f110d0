"""`safesh serve` driven in a real headless browser (Debian's chromium with chromedriver, through
Selenium), with the agent's side through the real entry point (`python -m safesh -c ...`).

Skipped with a reason where no browser is installed, unless CI is set: CI installs one
(scripts/install-browser.sh), so there a missing browser is a failure, not a skip.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

REFUSED = 77
TOKEN = "test-token-for-alice-0123456789"
STUBBED = ("rm", "terraform", "kubectl", "docker", "git")
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMEDRIVER = shutil.which("chromedriver")


def _missing() -> str | None:
    try:
        import selenium  # noqa: F401
        import starlette  # noqa: F401
        import uvicorn  # noqa: F401
    except ImportError as error:
        return f"{error.name} is not installed (pip install -e '.[dev]')"
    if CHROMIUM is None or CHROMEDRIVER is None:
        return "no chromium/chromedriver (bash scripts/install-browser.sh installs them)"
    return None


MISSING = _missing()
if MISSING is not None:
    if os.environ.get("CI"):
        pytest.fail(f"CI must run the browser tests: {MISSING}", pytrace=False)
    pytest.skip(MISSING, allow_module_level=True)

from selenium import webdriver  # noqa: E402
from selenium.common.exceptions import (  # noqa: E402
    NoSuchElementException,
    StaleElementReferenceException,
    WebDriverException,
)
from selenium.webdriver.chrome.service import Service  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.remote.webdriver import WebDriver  # noqa: E402
from selenium.webdriver.remote.webelement import WebElement  # noqa: E402
from selenium.webdriver.support.ui import Select, WebDriverWait  # noqa: E402


@dataclass(frozen=True)
class Machine:
    """One user's machine: its environment (stubs first on PATH), the served page's URL."""

    root: Path
    env: dict[str, str]
    url: str

    def agent(self, line: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
        """The agent runs `line` through safesh, with no terminal to ask on."""
        return subprocess.run(
            [sys.executable, "-m", "safesh", "-c", line],
            env=self.env,
            cwd=cwd or self.root / "project",
            capture_output=True,
            text=True,
            timeout=60,
            stdin=subprocess.DEVNULL,
        )

    def safesh(self, *args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "safesh", *args],
            env=self.env,
            cwd=self.root / "project",
            capture_output=True,
            text=True,
            timeout=60,
            stdin=subprocess.DEVNULL,
        )

    def ran(self) -> list[str]:
        marks = self.root / "stub-ran"
        return marks.read_text().splitlines() if marks.exists() else []


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _wait_for(url: str, process: subprocess.Popen[str]) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(
                f"safesh serve exited: {process.stderr.read() if process.stderr else ''}"
            )
        try:
            urllib.request.urlopen(url + "/login", timeout=2).close()
            return
        except (urllib.error.URLError, ConnectionError):
            time.sleep(0.2)
    raise RuntimeError("safesh serve did not start")


@pytest.fixture
def machine(tmp_path: Path) -> Iterator[Machine]:
    stubs = tmp_path / "stub-bin"
    stubs.mkdir()
    for name in STUBBED:
        stub = stubs / name
        stub.write_text(f'#!/bin/sh\necho "{name} $*" >> "{tmp_path}/stub-ran"\n')
        stub.chmod(0o755)
    (tmp_path / "home").mkdir()
    (tmp_path / "project").mkdir()
    tokens = tmp_path / "tokens"
    tokens.write_text(f"alice {TOKEN}\n")
    tokens.chmod(0o600)
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("SAFESH_", "XDG_"))},
        "PATH": f"{stubs}{os.pathsep}{os.environ.get('PATH', os.defpath)}",
        "HOME": str(tmp_path / "home"),
        "XDG_CONFIG_HOME": str(tmp_path / "config"),
        "XDG_STATE_HOME": str(tmp_path / "state"),
        "XDG_CACHE_HOME": str(tmp_path / "cache"),
        "SAFESH_NONINTERACTIVE": "1",
    }
    port = _free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "safesh", "serve", "--port", str(port), "--token-file", str(tokens)],
        env=env,
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        stdin=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_for(url, server)
        yield Machine(tmp_path, env, url)
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


@pytest.fixture
def browser(tmp_path: Path) -> Iterator[WebDriver]:
    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for flag in (
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        "--disable-dev-shm-usage",
        "--window-size=1280,1000",
        f"--user-data-dir={tmp_path / 'chromium-profile'}",
    ):
        options.add_argument(flag)
    driver = webdriver.Chrome(options=options, service=Service(executable_path=str(CHROMEDRIVER)))
    driver.set_page_load_timeout(30)
    try:
        yield driver
    finally:
        driver.quit()


def log_in(browser: WebDriver, machine: Machine) -> None:
    browser.get(machine.url + "/login")
    browser.find_element(By.ID, "token").send_keys(TOKEN)
    browser.find_element(By.ID, "login").click()
    WebDriverWait(browser, 10).until(lambda b: b.find_elements(By.ID, "user"))


def _replaced_node(error: WebDriverException) -> bool:
    """ChromeDriver's other word for a stale element: the node was swapped out between finding
    it and reading it (`unhandled inspector error: … does not belong to the document`)."""
    return "does not belong to the document" in str(error.msg)


def wait_for_text(browser: WebDriver, text: str, timeout: float = 15) -> None:
    # The page may be navigating (a form was posted): a stale or missing body is retried.
    def body_has_text(b: WebDriver) -> bool:
        try:
            return text in b.find_element(By.TAG_NAME, "body").text
        except WebDriverException as error:
            if isinstance(error, StaleElementReferenceException | NoSuchElementException):
                return False
            if _replaced_node(error):
                return False
            raise

    WebDriverWait(browser, timeout).until(body_has_text)


def on_request(browser: WebDriver, approval_id: str, act: Callable[[WebElement], object]) -> None:
    """Do `act` to the request's section, from finding it to its last step in one go: the live
    poll may swap the section for a fresh copy at any moment, and a step on the old copy raises
    StaleElementReferenceException before it reaches the page, so the whole act is retried."""

    def attempt(b: WebDriver) -> bool:
        try:
            act(b.find_element(By.ID, f"request-{approval_id}"))
        except WebDriverException as error:
            if isinstance(error, StaleElementReferenceException) or _replaced_node(error):
                return False
            raise
        return True

    WebDriverWait(browser, 15, ignored_exceptions=(StaleElementReferenceException,)).until(attempt)


def section_text(browser: WebDriver, approval_id: str) -> str:
    texts: list[str] = []
    on_request(browser, approval_id, lambda section: texts.append(section.text))
    return texts[-1]


def request_id(result: subprocess.CompletedProcess[str]) -> str:
    found = re.search(r"request (\w+) is waiting", result.stderr)
    assert found is not None, result.stderr
    return found.group(1)


def log_records(machine: Machine) -> list[dict[str, Any]]:
    output = machine.safesh("log", "--json").stdout
    return [json.loads(line) for line in output.splitlines() if line.strip()]


# -- approvals ----------------------------------------------------------------------------------


def test_approving_on_the_page_lets_the_agents_command_run_once(
    machine: Machine, browser: WebDriver
) -> None:
    refused = machine.agent("terraform destroy")
    assert refused.returncode == REFUSED and machine.ran() == []
    approval_id = request_id(refused)

    log_in(browser, machine)
    text = section_text(browser, approval_id)
    assert "terraform destroy" in text
    assert "iac.destroy" in text
    assert str(machine.root / "project") in text
    on_request(browser, approval_id, lambda s: s.find_element(By.NAME, "approve-once").click())
    wait_for_text(browser, f"approved {approval_id} once")
    assert not browser.find_elements(By.ID, f"request-{approval_id}")

    assert machine.agent("terraform destroy").returncode == 0
    assert machine.ran() == ["terraform destroy"]
    assert machine.agent("terraform destroy").returncode == REFUSED  # once means once
    assert machine.ran() == ["terraform destroy"]
    approvals = [r for r in log_records(machine) if r["kind"] == "approval"]
    assert any(
        r["outcome"] == "approved" and r["user"] == "alice" and "via web" in str(r["note"])
        for r in approvals
    )


def test_denying_on_the_page_records_the_reason_and_the_approver(
    machine: Machine, browser: WebDriver
) -> None:
    approval_id = request_id(machine.agent("kubectl delete namespace payments"))
    log_in(browser, machine)

    def deny(section: WebElement) -> None:
        reason = section.find_element(By.NAME, "reason")
        reason.clear()
        reason.send_keys("not during the freeze")
        section.find_element(By.NAME, "deny").click()

    on_request(browser, approval_id, deny)
    wait_for_text(browser, f"denied {approval_id}")
    decisions = [r for r in log_records(machine) if r["approval_id"] == approval_id]
    denied = [r for r in decisions if r["kind"] == "approval"]
    assert [(r["outcome"], r["user"]) for r in denied] == [("denied", "alice")]
    assert "via web" in (denied[0]["note"] or "")
    assert "not during the freeze" in (denied[0]["note"] or "")
    assert machine.agent("kubectl delete namespace payments").returncode == REFUSED
    assert machine.ran() == []


def test_approving_for_a_while_lets_the_command_run_again_within_it(
    machine: Machine, browser: WebDriver
) -> None:
    approval_id = request_id(machine.agent("terraform destroy"))
    log_in(browser, machine)

    def approve_for_an_hour(section: WebElement) -> None:
        Select(section.find_element(By.CSS_SELECTOR, "select[name=grant]")).select_by_value("1h")
        section.find_element(By.NAME, "approve-for").click()

    on_request(browser, approval_id, approve_for_an_hour)
    wait_for_text(browser, f"approved {approval_id} for 1h")
    assert machine.agent("terraform destroy").returncode == 0
    assert machine.agent("terraform destroy").returncode == 0
    assert machine.ran() == ["terraform destroy", "terraform destroy"]


def test_a_new_request_appears_without_reloading(machine: Machine, browser: WebDriver) -> None:
    log_in(browser, machine)
    assert browser.find_elements(By.ID, "no-pending")
    approval_id = request_id(machine.agent("terraform destroy"))
    WebDriverWait(browser, 20).until(lambda b: b.find_elements(By.ID, f"request-{approval_id}"))


# -- the audit timeline, the notify queue, sessions ---------------------------------------------


def test_the_timeline_filters_by_decision(machine: Machine, browser: WebDriver) -> None:
    assert machine.agent("echo hello").returncode == 0
    assert machine.agent("terraform destroy").returncode == REFUSED
    log_in(browser, machine)
    browser.get(machine.url + "/log")
    assert "echo hello" in browser.page_source and "terraform destroy" in browser.page_source
    Select(browser.find_element(By.NAME, "decision")).select_by_value("ask")
    browser.find_element(By.ID, "apply").click()
    WebDriverWait(browser, 10).until(lambda b: "decision=ask" in b.current_url)
    # Read the rows in one call: the live poll may swap the table in between two calls.
    rows = browser.execute_script(
        "return Array.from(document.querySelectorAll('tr.record'), r => r.innerText)"
    )
    assert rows and all("ask" in row for row in rows)
    assert any("terraform destroy" in row for row in rows)
    assert not any("echo hello" in row for row in rows)


def test_the_notify_queue_is_emptied_by_marking_reviewed(
    machine: Machine, browser: WebDriver
) -> None:
    assert machine.agent("docker stop web").returncode == 0  # runs, but a human should see it
    log_in(browser, machine)
    browser.get(machine.url + "/notify")
    section = browser.find_element(By.CSS_SELECTOR, "section.notify")
    assert "docker stop web" in section.text and "docker.change" in section.text
    section.find_element(By.CSS_SELECTOR, "button.reviewed").click()
    wait_for_text(browser, "marked reviewed")
    assert browser.find_elements(By.ID, "no-notify")


def test_the_sessions_page_sums_up_what_ran_and_what_was_stopped(
    machine: Machine, browser: WebDriver
) -> None:
    machine.agent("echo one")
    machine.agent("terraform destroy")
    log_in(browser, machine)
    browser.get(machine.url + "/sessions")
    text = browser.find_element(By.TAG_NAME, "main").text
    assert "2 commands" in text and "1 allow" in text and "1 ask" in text
    assert "terraform destroy" in text


# -- who may use it ----------------------------------------------------------------------------


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


def _get(url: str, cookie: str | None = None) -> tuple[int, str, str]:
    opener = urllib.request.build_opener(_NoRedirect)
    request = urllib.request.Request(url, headers={"Cookie": cookie} if cookie else {})
    try:
        with opener.open(request, timeout=10) as response:
            return response.status, response.headers.get("Location", ""), response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.headers.get("Location", ""), error.read().decode()


def test_every_page_needs_a_login(machine: Machine) -> None:
    for path in ("/", "/log", "/notify", "/sessions"):
        status, location, _ = _get(machine.url + path)
        assert (status, location) == (303, "/login")
    assert _get(machine.url + "/live/pending")[0] == 401
    assert _get(machine.url + "/login?token=wrong")[0] == 403


def test_a_form_without_the_sessions_csrf_value_is_refused(
    machine: Machine, browser: WebDriver
) -> None:
    approval_id = request_id(machine.agent("terraform destroy"))
    log_in(browser, machine)
    cookie = "; ".join(f"{c['name']}={c['value']}" for c in browser.get_cookies())
    request = urllib.request.Request(
        f"{machine.url}/approve/{approval_id}",
        data=b"grant=once&csrf=forged",
        headers={"Cookie": cookie, "Content-Type": "application/x-www-form-urlencoded"},
        method="POST",
    )
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(request, timeout=10)
    assert refused.value.code == 403
    assert machine.agent("terraform destroy").returncode == REFUSED


def test_the_agents_text_is_shown_escaped(machine: Machine, browser: WebDriver) -> None:
    line = "terraform destroy '<script>alert(1)</script>'"
    machine.agent(line)
    log_in(browser, machine)
    assert "<script>alert(1)</script>" in browser.find_element(By.TAG_NAME, "main").text
    assert not browser.find_elements(By.XPATH, "//main//script")
