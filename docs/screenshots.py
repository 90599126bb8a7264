"""The README's pictures of the desk, taken again from the demo:

    .venv/bin/python docs/screenshots.py

Seeds the demo (seed_demo) into a temporary SQLite database, reads its screenshots as the worker
would (appeals.evidence.pipeline: cleaning, OCR, the checks, straight-through approval), serves it
with `manage.py runserver` on a free port, signs the agent and the supervisor in with their TOTP
codes, and saves, in Debian's chromium at 1440 × 900 in Simplified Chinese:

- docs/desk-workspace.png: the doctored appeal's page, claimed, the refund receipt shown with the line
  its ✗ check relied on marked, the reject panel open (R) with a canned reply;
- docs/desk-queue.png: the agent's queue;
- docs/dashboard.png: the supervisor's dashboard.

Each PNG is reduced to a 256-colour palette. Nothing outside the temporary directory is written
but the three files; the server is stopped at the end. Takes a minute or two (OCR)."""

# ruff: noqa: S603  (manage.py runserver in a child process)

import io
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
CHROMIUM = "/usr/bin/chromium"
VIEWPORT = {"width": 1440, "height": 900}


def environment(tmp: Path) -> dict:
    """Dev settings on a database, private media and broker queue of their own."""
    return {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.dev",
            "DATABASE_URL": f"sqlite:///{tmp / 'db.sqlite3'}", "PRIVATE_MEDIA_ROOT": str(tmp / "private"),
            "CELERY_FILESYSTEM_DIR": str(tmp / "celery"), "LOG_LEVEL": "WARNING"}


def seed() -> None:
    """The demo, its screenshots read (the tasks seed_demo queued are never run: this does their work)."""
    import django
    from django.core.management import call_command

    django.setup()
    from appeals.evidence import pipeline
    from appeals.models import Evidence

    call_command("migrate", verbosity=0)
    call_command("seed_demo", stdout=io.StringIO())
    for pk in Evidence.objects.filter(status=Evidence.Status.PENDING).values_list("pk", flat=True):
        pipeline.evidence_process(evidence_id=pk)


def claim_doctored() -> int:
    """The doctored appeal (its receipt shows another amount), claimed by the agent: the decision bar's buttons."""
    from accounts.models import User
    from appeals.models import Appeal, State
    from appeals.workflow import review

    appeal = Appeal.objects.get(customer__username="doctored")
    if appeal.state == State.SUBMITTED:
        review.appeal_claim(appeal_id=appeal.pk, actor=User.objects.get(username="agent"))
    return appeal.pk


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def serve(env: dict, port: int) -> subprocess.Popen:
    server = subprocess.Popen([sys.executable, "manage.py", "runserver", "--noreload", f"127.0.0.1:{port}"],
                              cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for _ in range(100):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/admin/login/", timeout=1)  # noqa: S310 (our server)
            return server
        except OSError:
            time.sleep(0.2)
    server.terminate()
    raise SystemExit("runserver did not answer")


def signed_in(browser, base: str, username: str):
    """A Chinese desk page with `username` signed in (password and TOTP code)."""
    from django.core.management import call_command

    from accounts.demo import PASSWORD

    context = browser.new_context(viewport=VIEWPORT, locale="zh-CN")
    context.add_cookies([{"name": "django_language", "value": "zh-hans", "url": base}])
    page = context.new_page()
    page.goto(f"{base}/admin/login/")
    code = io.StringIO()
    call_command("totp_code", username, stdout=code)
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.fill("#id_otp_token", code.getvalue().strip())
    page.click("input[type=submit]")
    page.wait_for_load_state()
    return page


def fold_sidebar(page) -> None:
    """The admin's app list folded away (remembered by the browser): the queue's columns fit."""
    if page.locator("#nav-sidebar").is_visible():
        page.click("#toggle-nav-sidebar")
        page.evaluate("window.scrollTo(0, 0)")  # reaching the sticky toggle scrolled the page


def save(page, name: str) -> None:
    from PIL import Image

    shot = Image.open(io.BytesIO(page.screenshot()))
    path = DOCS / name
    shot.convert("RGB").quantize(colors=256, dither=Image.Dither.NONE).save(path, optimize=True)
    print(f"{path.relative_to(ROOT)}: {path.stat().st_size // 1024} KB")


def take(base: str, appeal_pk: int) -> None:
    from playwright.sync_api import sync_playwright

    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"  # totp_code's ORM read inside Playwright's loop
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"])
        page = signed_in(browser, base, "agent")
        page.goto(f"{base}/admin/appeals/appeal/")
        fold_sidebar(page)
        save(page, "desk-queue.png")
        page.goto(f"{base}/admin/appeals/appeal/{appeal_pk}/change/")
        page.locator(".shot.current img").evaluate(
            "img => img.complete || new Promise((done) => img.addEventListener('load', done, { once: true }))")
        page.click("table.checks tr.check-contradicts a[data-shot]")  # the receipt, the ✗ line marked
        page.keyboard.press("r")
        page.locator("#panel-reject").wait_for()
        canned = page.locator("#canned-reject option[data-reason=evidence_mismatch]")
        if canned.count():
            page.select_option("#canned-reject", canned.first.get_attribute("value"))
        save(page, "desk-workspace.png")
        page = signed_in(browser, base, "supervisor")
        page.goto(f"{base}/admin/appeals/appeal/dashboard/")
        fold_sidebar(page)
        save(page, "dashboard.png")
        browser.close()


def main() -> None:
    sys.path.insert(0, str(ROOT))
    with tempfile.TemporaryDirectory(prefix="desk-screenshots-") as tmp:
        env = environment(Path(tmp))
        os.environ.update(env)
        seed()
        appeal_pk = claim_doctored()
        port = free_port()
        server = serve(env, port)
        try:
            take(f"http://127.0.0.1:{port}", appeal_pk)
        finally:
            server.terminate()
            server.wait(timeout=10)


if __name__ == "__main__":
    main()
