#!/usr/bin/env python3
"""The `scan --format html` page in a real headless browser (Chromium, driven by Selenium).

Scans a copy of testdata/fleet, opens the page from disk and checks that it renders, that each
crate's chart has one bar per line with the counts of the JSON report, that clicking a column
header sorts the table both ways (version lines by semver), and that the console stays free of
errors. Then scans a fleet with a workspace named to inject markup and checks that the page shows the name as text (no
image element, no script run). Saves a screenshot to target/browser/scan-html.png as a test
artefact.

Usage: python3 tests/browser/scan_html.py [path/to/cargo-etcd-deps]
"""

import json
import os
import shutil
import subprocess
import sys
import tempfile

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.common.exceptions import NoAlertPresentException
from selenium.webdriver.common.by import By

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
TOOL = os.path.abspath(sys.argv[1]) if len(sys.argv) > 1 else os.path.join(ROOT, "target/debug/cargo-etcd-deps")
ARTEFACT = os.path.join(ROOT, "target/browser/scan-html.png")


def scan(cwd, fmt):
    args = [TOOL, "scan", "fleet", "--policy", "fleet/etcd-policy.toml",
            "--today", "2026-12-15", "--format", fmt]
    run = subprocess.run(args, cwd=cwd, capture_output=True, text=True)
    # The fleet holds an unreadable workspace: exit 2 after reporting every workspace.
    assert run.returncode == 2, (run.returncode, run.stderr)
    return run.stdout


def browser():
    options = webdriver.ChromeOptions()
    options.binary_location = shutil.which("chromium") or "/usr/bin/chromium"
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--window-size=1400,1000",
                "--disable-dev-shm-usage"):
        options.add_argument(arg)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver_path = shutil.which("chromedriver") or "/usr/bin/chromedriver"
    return webdriver.Chrome(service=Service(executable_path=driver_path), options=options)


def column(driver, index):
    return [row.find_elements(By.TAG_NAME, "td")[index].text
            for row in driver.find_elements(By.CSS_SELECTOR, "#workspaces tbody tr")]


def header(driver, name):
    return next(th for th in driver.find_elements(By.CSS_SELECTOR, "#workspaces th")
                if th.text.strip() == name)


def check_charts(driver, report):
    charts = driver.find_elements(By.CSS_SELECTOR, ".chart")
    assert [c.get_attribute("data-crate") for c in charts] == [
        "etcd-client", "tonic", "prost", "hyper"], [c.get_attribute("data-crate") for c in charts]
    for chart in charts:
        krate = chart.get_attribute("data-crate")
        expected = {line: len(paths) for line, paths in report["fleet"][krate].items()}
        bars = chart.find_elements(By.CSS_SELECTOR, ".bar")
        got = {b.get_attribute("data-line"): int(b.text) for b in bars}
        assert len(bars) == len(expected), (krate, got, expected)
        assert got == expected, (krate, got, expected)
        for b in bars:
            assert b.is_displayed() and b.size["width"] > 0, krate
    # Bar length follows the count: equal counts, equal bars.
    widths = {b.get_attribute("data-line"): b.size["width"]
              for b in driver.find_elements(By.CSS_SELECTOR, '.chart[data-crate="tonic"] .bar')}
    assert len(set(widths.values())) == 1, widths


def check_sorting(driver):
    names = column(driver, 0)
    assert names == sorted(names), names
    header(driver, "workspace").click()
    assert column(driver, 0) == sorted(names), column(driver, 0)
    header(driver, "workspace").click()
    assert column(driver, 0) == sorted(names, reverse=True), column(driver, 0)
    # Numbers sort by value; the unreadable row has no such cell and sorts as empty text.
    index = [th.text.strip() for th in
             driver.find_elements(By.CSS_SELECTOR, "#workspaces th")].index("errors")
    header(driver, "errors").click()
    errors = [int(e) for e in column_numbers(driver, index)]
    assert errors == sorted(errors), errors
    header(driver, "errors").click()
    errors = [int(e) for e in column_numbers(driver, index)]
    assert errors == sorted(errors, reverse=True), errors
    assert header(driver, "errors").get_attribute("aria-sort") == "descending"
    # Version lines sort by semver (0.9 before 0.10 before 0.14), never as decimals.
    index = [th.text.strip() for th in
             driver.find_elements(By.CSS_SELECTOR, "#workspaces th")].index("tonic")
    header(driver, "tonic").click()
    tonic = column_numbers(driver, index)
    assert tonic == ["0.9, 0.12", "0.10", "0.14"], tonic
    header(driver, "tonic").click()
    assert column_numbers(driver, index) == ["0.14", "0.10", "0.9, 0.12"], column_numbers(driver, index)


def column_numbers(driver, index):
    out = []
    for row in driver.find_elements(By.CSS_SELECTOR, "#workspaces tbody tr"):
        cells = row.find_elements(By.TAG_NAME, "td")
        if len(cells) > index:
            out.append(cells[index].text)
    return out


HOSTILE = "=1+1`<img src=x onerror=alert(1)>|x\"'<script>alert(2)"  # no /: it is one directory


def check_hostile_name(driver, tmp):
    """A workspace directory named to add an image and a script is one row showing the name."""
    fleet = os.path.join(tmp, "hostile", "fleet")
    shutil.copytree(os.path.join(ROOT, "testdata/fleet"), fleet)
    os.rename(os.path.join(fleet, "orders"), os.path.join(fleet, HOSTILE))
    page = os.path.join(tmp, "hostile.html")
    with open(page, "w", encoding="utf-8") as f:
        f.write(scan(os.path.dirname(fleet), "html"))
    driver.get("file://" + page)
    assert driver.find_elements(By.TAG_NAME, "img") == [], "an image element from a name"
    assert len(driver.find_elements(By.TAG_NAME, "script")) == 1, "a script element from a name"
    try:
        text = driver.switch_to.alert.text
        raise AssertionError(f"a script ran: alert {text!r}")
    except NoAlertPresentException:
        pass
    assert "fleet/" + HOSTILE in column(driver, 0), column(driver, 0)


def main():
    with tempfile.TemporaryDirectory() as tmp:
        shutil.copytree(os.path.join(ROOT, "testdata/fleet"), os.path.join(tmp, "fleet"))
        report = json.loads(scan(tmp, "json"))
        page = os.path.join(tmp, "fleet.html")
        with open(page, "w", encoding="utf-8") as f:
            f.write(scan(tmp, "html"))
        driver = browser()
        try:
            driver.get("file://" + page)
            assert driver.title == "cargo etcd-deps scan", driver.title
            assert "4 workspaces" in driver.find_element(By.ID, "totals").text
            check_charts(driver, report)
            deadlines = driver.find_elements(By.XPATH, "//td[text()='2027-06-01']")
            assert len(deadlines) == 2, len(deadlines)
            check_sorting(driver)
            header(driver, "workspace").click()
            os.makedirs(os.path.dirname(ARTEFACT), exist_ok=True)
            driver.save_screenshot(ARTEFACT)
            errors = [e for e in driver.get_log("browser") if e["level"] in ("SEVERE", "ERROR")]
            assert not errors, errors
            check_hostile_name(driver, tmp)
        finally:
            driver.quit()
    print(f"browser: scan HTML renders, charts and sorting check out, a hostile name is text; "
          f"screenshot {ARTEFACT}")


if __name__ == "__main__":
    main()
