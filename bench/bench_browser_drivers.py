"""Which library drives the browser tests: Selenium (with Debian's chromium-driver) or Playwright.

Both drive the same Debian ``chromium`` (Playwright cannot download its own browsers here). One
cycle: start the browser, open a live server's dashboard, wait for the clock, press "+1 min", wait
for the clock to move, take a screenshot, quit. Cycles alternate between the two, so both see the
same load; medians are reported. Playwright is not a dependency of the project: install it in the
virtualenv to run this (``pip install playwright``), it is skipped otherwise.

    .venv/bin/python bench/bench_browser_drivers.py [-n 5]
"""
from __future__ import annotations

import argparse
import os
import re
import shutil
import tempfile
import time

from common import median, say

FLAGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"


def selenium_cycle(url: str, shot: str) -> dict:
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    profile = tempfile.mkdtemp()
    t0 = time.perf_counter()
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in FLAGS + [f"--user-data-dir={profile}"]:
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service(shutil.which("chromedriver")), options=options)
    started = time.perf_counter()
    try:
        driver.get(url)
        clock = lambda: driver.find_element(By.ID, "clock-now").text      # noqa: E731
        WebDriverWait(driver, 20, 0.05).until(lambda d: clock() not in ("", "…"))
        before = clock()
        driver.find_element(By.CSS_SELECTOR, '[data-advance="PT1M"]').click()
        WebDriverWait(driver, 20, 0.05).until(lambda d: clock() != before)
        driver.save_screenshot(shot)
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)
    end = time.perf_counter()
    return {"launch_s": started - t0, "total_s": end - t0}


def playwright_cycle(url: str, shot: str) -> dict:
    from playwright.sync_api import expect, sync_playwright

    t0 = time.perf_counter()
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS[1:], headless=True)
        started = time.perf_counter()
        try:
            page = browser.new_page()
            page.goto(url)
            clock = page.locator("#clock-now")      # locators: the page's CSP refuses eval'd predicates
            expect(clock).to_have_text(re.compile(r"^\d{4}-"), timeout=20000)
            before = clock.text_content()
            page.click('[data-advance="PT1M"]')
            expect(clock).not_to_have_text(before, timeout=20000)
            page.screenshot(path=shot)
        finally:
            browser.close()
    end = time.perf_counter()
    return {"launch_s": started - t0, "total_s": end - t0}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("-n", type=int, default=5)
    ns = ap.parse_args(argv)
    from mockcdr.settings import Settings
    from mockcdr.testing import LiveServer

    drivers = {"selenium": selenium_cycle}
    try:
        import playwright  # noqa: F401
        drivers["playwright"] = playwright_cycle
    except ImportError:
        say("playwright is not installed: measuring selenium only")
    runs: dict[str, list[dict]] = {name: [] for name in drivers}
    out = tempfile.mkdtemp()
    with LiveServer(Settings(seed="bench", clock_start="2026-04-16T12:00:00Z", clock_frozen=True)) as server:
        url = f"{server.url}/_mockcdr/ui/"
        for i in range(ns.n):
            for name, cycle in drivers.items():
                runs[name].append(cycle(url, os.path.join(out, f"{name}-{i}.png")))
    shutil.rmtree(out, ignore_errors=True)
    print("| driver | launch s (median) | whole cycle s (median) | runs |")
    print("| --- | ---: | ---: | ---: |")
    for name, rs in runs.items():
        print(f"| {name} | {median([r['launch_s'] for r in rs]):.2f} | {median([r['total_s'] for r in rs]):.2f} "
              f"| {len(rs)} |")
    print(f"\nload average at the end: {open('/proc/loadavg').read().split()[:3]}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
