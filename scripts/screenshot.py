"""Refresh docs/screenshot.png: build the demo in a throwaway data dir, serve it, sign in as
the product manager and photograph the overview with Debian's Chromium.

    make screenshot
"""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic",
]  # fmt: skip


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def main() -> None:
    lodestar = [sys.executable, "-m", "lodestar.cli"]
    with tempfile.TemporaryDirectory() as data_dir:
        env = {**os.environ, "LODESTAR_DATA_DIR": data_dir, "LODESTAR_LOG_LEVEL": "WARNING"}
        env.pop("DATABASE_URL", None)
        out = subprocess.run(
            [*lodestar, "demo", "--no-serve"], env=env, check=True, capture_output=True, text=True
        ).stdout
        row = next(line for line in out.splitlines() if "priya@acme.example" in line)
        password = re.split(r"\s*│\s*", row.strip(" │"))[-1]
        port = free_port()
        server = subprocess.Popen([*lodestar, "serve", "--port", str(port)], env=env)
        base = f"http://127.0.0.1:{port}"
        try:
            for _ in range(100):
                try:
                    urllib.request.urlopen(base + "/healthz", timeout=1)
                    break
                except OSError:
                    time.sleep(0.1)
            with sync_playwright() as p:
                browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
                page = browser.new_page(viewport={"width": 1280, "height": 820})
                page.goto(base + "/accounts/login/")
                page.fill("#id_email", "priya@acme.example")
                page.fill("#id_password", password)
                page.click("button[type=submit]")
                page.wait_for_url(base + "/w/acme/")
                page.screenshot(path=str(ROOT / "docs" / "screenshot.png"))
                browser.close()
        finally:
            server.terminate()
            server.wait(timeout=20)
    print("Wrote docs/screenshot.png")


if __name__ == "__main__":
    main()
