"""`make screenshots`: the main page of each role, on a desktop and on a phone, taken in
headless Chromium from a live server with the demo data, into docs/screenshots/.

It uses its own SQLite file (var/screenshots.sqlite3): migrate, compile the catalogues,
seed the demo, start the development server on SCREENSHOTS_PORT (default 8180), log in
as each demo account through the real login form, take the pictures, stop the server."""

import os
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "docs" / "screenshots"
PORT = int(os.environ.get("SCREENSHOTS_PORT", "8180"))
BASE = f"http://127.0.0.1:{PORT}"
PASSWORD = "clamtex-demo"
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")

# (file name, account or None for a visitor, page)
SHOTS = [
    ("visitor", None, "/"),
    ("visitor-exchange", None, "/exchange/"),
    ("manager", "manager.emc2@clamtex.example", "/"),
    ("manager-exchange", "manager.emc2@clamtex.example", "/exchange/"),
    ("coordinator", "coordinator@clamtex.example", "/"),
    ("sme", "sme.ateval@clamtex.example", "/"),
    ("admin", "admin@clamtex.example", "/"),
]
DEVICES = {"desktop": {"width": 1366, "height": 900}, "phone": {"width": 375, "height": 812}}


def manage(*args, env):
    subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, check=True)


def wait_until_up(timeout=60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"{BASE}/healthz", timeout=2):
                return
        except OSError:
            time.sleep(0.5)
    raise SystemExit(f"the server did not start on {BASE}")


def take(playwright):
    browser = playwright.chromium.launch(
        executable_path=CHROMIUM, headless=True, args=["--no-sandbox", "--disable-gpu"]
    )
    OUT.mkdir(parents=True, exist_ok=True)
    for name, email, url in SHOTS:
        for device, viewport in DEVICES.items():
            context = browser.new_context(
                base_url=BASE, viewport=viewport, is_mobile=device == "phone"
            )
            page = context.new_page()
            if email:
                page.goto("/accounts/login/")
                page.fill("input[name=login]", email)
                page.fill("input[name=password]", PASSWORD)
                page.press("input[name=password]", "Enter")
                page.wait_for_url(f"{BASE}/")
            page.goto(url)
            page.wait_for_load_state("networkidle")
            path = OUT / f"{name}-{device}.png"
            page.screenshot(path=str(path), full_page=device == "desktop")
            print(f"  {path.relative_to(ROOT)}")
            context.close()
    browser.close()


def main():
    from playwright.sync_api import sync_playwright

    env = {
        **os.environ,
        "DJANGO_DEBUG": "1",
        "DJANGO_SETTINGS_MODULE": "clamtex.settings",
        "SQLITE_PATH": str(ROOT / "var" / "screenshots.sqlite3"),
    }
    env.pop("DATABASE_URL", None)
    (ROOT / "var").mkdir(exist_ok=True)
    manage("migrate", "--noinput", "-v", "0", env=env)
    manage("compile_translations", env=env)
    manage("seed_demo", env=env)
    server = subprocess.Popen(
        [sys.executable, "manage.py", "runserver", f"127.0.0.1:{PORT}", "--noreload"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_until_up()
        with sync_playwright() as playwright:
            take(playwright)
    finally:
        server.terminate()
        server.wait(timeout=10)


if __name__ == "__main__":
    main()
