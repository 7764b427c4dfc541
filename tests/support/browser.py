"""The console in a real browser: a live gunicorn on a prepared database, and Chromium driven by Playwright.

Fixtures (import them into a conftest.py: ``from support.browser import *``):

- ``browser``: one headless Debian Chromium for the session (Playwright cannot download its own here);
- ``live_console``: a ``LiveConsole``, gunicorn on a temporary database with the demo credentials and
  candidates, its clock inside the 2025H2 毕业申请 window; ``live_console.portal`` is an in-process
  test client on the same files, for what candidates do through the portal (fill, submit, pay);
- ``console_page``: a factory of pages (``console_page(width=1280, height=800)``) that fail the test
  on any JavaScript error or console error, and save screenshots under the test's tmp dir
  (``shot(page, name)``).

``sign_in(page, live, token)`` signs in through the form.  Each module gets its own server and
database (module scope), so tests within a module share what earlier ones did.
"""
from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
import yaml

from service.app import create_app
from service.store.db import connect
from service.web import auth
from support.candidates import load as load_candidates
from support.candidates import portal
from support.common import FIXTURES, TOKENS
from support.live_server import LiveServer

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]
# inside the 2025H2 毕业申请 window (rulesets/workflow/windows.yaml), as the workflow tests stand
NOW = "2025-11-20T10:00:00+08:00"
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}
LOAD_FAILED = "Failed to load resource"

__all__ = ["browser", "live_console", "console_page", "sign_in", "shot", "LiveConsole", "DESKTOP", "PHONE",
           "TOKENS", "csrf_token_of", "REGISTRATION_FORM"]

# what a candidate fills in after payment (seed 002, 9-10): enough for the county office to receive it
REGISTRATION_FORM = {
    "ethnicity": "汉族", "political_status": "群众", "occupation": "销售", "mobile": "13800000000",
    "education_obtained": "高中", "health": "健康", "work_start_date": "2012年7月1日", "overseas_relative": "否",
    "native_place": "山西省晋中市平遥县", "employer": "太原市某某商贸有限公司", "home_address": "山西省太原市小店区平阳路1号",
    "resume": [{"from": "2009年09月01日", "to": "2012年07月01日", "place": "山西省平遥中学学习"}],
    "family_members": [{"name": "王父", "employer": "平遥县某村", "position": "务农"}],
    "rewards_punishments": "无", "self_evaluation": None,
}


class LiveConsole:
    """gunicorn serving the console, and the portal's side in process on the same database and blobs."""

    def __init__(self, folder: Path, now: str = NOW):
        self.folder = folder
        self.db_path = folder / "console.sqlite3"
        self.blob_dir = folder / "blobs"
        self.app = create_app({"TESTING": True, "DATABASE": str(self.db_path), "BLOB_DIR": str(self.blob_dir),
                               "SECRET_KEY": "console-tests"})
        db = connect(self.db_path)
        try:
            for e in yaml.safe_load((FIXTURES / "demo_credentials.yaml").read_text(encoding="utf-8"))["credentials"]:
                auth.add_credential(db, e["role"], e["actor"], e.get("district"), token=e["token"])
        finally:
            db.conn.close()
        load_candidates(self.app, now)  # the demo candidates, verified; sets the in-process clock to ``now``
        self.portal = self.app.test_client()
        self.server = LiveServer(self.db_path, self.blob_dir, workers=2, threads=2,
                                 env={"SXZK_NOW": now, "SXZK_SECRET_KEY": "console-tests"})

    def expect(self, resp, status: int) -> dict:
        assert resp.status_code == status, (resp.status_code, resp.json)
        return resp.json

    def pay(self, app_id: int, exam_number: str) -> None:
        """The candidate pays through the sandbox provider: an order, then its signed callback (state ``paid``)."""
        from service.payments.providers import DEV_SANDBOX_SECRET, SandboxProvider

        order = self.expect(self.portal.post(f"/v1/applications/{app_id}/orders", headers=portal(exam_number),
                                             json={"provider": "alipay"}), 201)
        body, headers = SandboxProvider("alipay", DEV_SANDBOX_SECRET).callback(order, transaction_id=f"TXN{app_id:07d}")
        self.expect(self.portal.post("/callbacks/payments/alipay", data=body, headers=headers), 200)

    def fill_form(self, app_id: int, exam_number: str) -> None:
        """The candidate saves the 毕业生登记表 (after payment)."""
        self.expect(self.portal.put(f"/v1/applications/{app_id}/registration-form", json=REGISTRATION_FORM,
                                    headers=portal(exam_number)), 200)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.port}"

    def start(self) -> LiveConsole:
        self.server.start()
        return self

    def stop(self) -> None:
        self.server.stop()


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists() or shutil.which("chromium") is None:
        pytest.fail(f"{CHROMIUM} is missing: `make sysdeps` installs Debian's chromium package")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture(scope="module")
def live_console(tmp_path_factory):
    live = LiveConsole(tmp_path_factory.mktemp("console")).start()
    yield live
    live.stop()


@pytest.fixture
def console_page(browser, tmp_path):
    """``console_page(**viewport)``: a fresh context (no cookies) and page; a JavaScript error, a console error or
    a failed script, stylesheet or image fails the test at its end."""
    contexts, problems = [], []

    def make(width: int = 1280, height: int = 800):
        context = browser.new_context(viewport={"width": width, "height": height}, locale="zh-CN")
        contexts.append(context)
        page = context.new_page()
        page.on("pageerror", lambda exc: problems.append(f"page error: {exc}"))
        page.on("console", lambda msg: problems.append(f"console {msg.type}: {msg.text} ({msg.location.get('url')})")
                if msg.type == "error" and not msg.text.startswith(LOAD_FAILED) else None)
        # a refused step is a page with its status (401, 409, 422), which Chromium also logs as a failed load:
        # what must not fail is a script, stylesheet or image the page needs
        page.on("response", lambda resp: problems.append(f"{resp.status} for {resp.request.resource_type} {resp.url}")
                if resp.status >= 400 and resp.request.resource_type != "document" else None)
        page.screenshots = tmp_path / "screenshots"
        return page

    yield make
    for context in contexts:
        context.close()
    assert not problems, "JavaScript errors in the console:\n" + "\n".join(problems)


def shot(page, name: str) -> Path:
    """A full-page screenshot under the test's tmp dir (kept by pytest: look at them)."""
    folder = Path(page.screenshots)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def sign_in(page, live: LiveConsole, token: str) -> None:
    page.goto(f"{live.url}/console/sign-in")
    page.fill("#token", token)
    page.click("button[type=submit]")
    page.wait_for_load_state()
    assert "/console/sign-in" not in page.url, page.content()


def csrf_token_of(html: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)
