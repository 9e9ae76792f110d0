"""The approval page shows what a waiting command would destroy (issue 13), as the terminal
and `safesh approvals` do. Uses `tests/test_web.py`'s served page and headless browser (and is
skipped with it where no browser is installed)."""

from __future__ import annotations

import sqlite3

from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver
from test_web import REFUSED, Machine, browser, log_in, machine, request_id

__all__ = ["browser", "machine"]  # fixtures, used by name


def test_the_page_shows_the_preview_of_a_waiting_request(
    machine: Machine, browser: WebDriver
) -> None:
    database = machine.root / "project" / "shop.db"
    with sqlite3.connect(database) as conn:
        conn.execute("CREATE TABLE orders (id INTEGER)")
        conn.executemany("INSERT INTO orders VALUES (?)", [(i,) for i in range(5)])
    conn.close()
    refused = machine.agent("sqlite3 shop.db 'DELETE FROM orders'")
    assert refused.returncode == REFUSED
    approval_id = request_id(refused)
    log_in(browser, machine)
    section = browser.find_element(By.ID, f"request-{approval_id}")
    preview = section.find_element(By.CLASS_NAME, "preview").text
    assert "sqlite3 removes 5 rows from shop.db" in preview
    assert "DELETE FROM orders: 5 rows" in preview
    assert "undo: no snapshot" in preview
