"""The nonprofit console: the owner opens the dashboard, picks a range, and downloads the CSV."""
import datetime
import os
import pathlib
import tempfile
import time
import uuid

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select, WebDriverWait
from conftest import ADMIN, launch
from pages import click_and_load, sign_in
from test_challenge import account, api


@pytest.fixture(scope="module")
def console_server():
    # Roll-ups every second, so that the dashboard shows a gift soon after it is made.
    base, stop = launch({"GOODCAST_ANALYTICS_ROLLUP_SECONDS": "1"})
    yield base
    stop()


def test_dashboard_range_and_csv(console_server, browsers):
    base = console_server
    admin = api(base, "POST", "/api/v1/sessions", {"handle": ADMIN[0], "password": ADMIN[2]})["token"]
    owner = account(base, "oceancare")
    nonprofit = api(base, "POST", "/api/v1/nonprofits", {"name": "Ocean Care", "country": "FR", "registrationNumber": "W751234567",
                                                         "causes": ["environment"], "website": "https://ocean.example.org"}, token=owner)["id"].lower()
    api(base, "POST", f"/api/v1/admin/nonprofits/{nonprofit}/verify", {}, token=admin)
    fundraiser = api(base, "POST", "/api/v1/fundraisers", {"nonprofitId": nonprofit, "title": "Clean beaches",
                                                           "goal": {"amount": 100000, "currency": "EUR"}}, token=owner)["id"].lower()
    donors = [account(base, f"donor{index}") for index in range(3)]
    for index, donor in enumerate(donors):
        api(base, "POST", f"/api/v1/fundraisers/{fundraiser}/donations", {"amount": {"amount": 1000 * (index + 1), "currency": "EUR"}, "paymentToken": "tok_visa"},
            token=donor, headers={"Idempotency-Key": str(uuid.uuid4())})
        api(base, "POST", f"/api/v1/nonprofits/{nonprofit}/follow", token=donor)
    raised = api(base, "GET", f"/api/v1/fundraisers/{fundraiser}")["raised"]["amount"]

    downloads = tempfile.mkdtemp(prefix="goodcast-e2e-downloads-")
    driver = browsers(download_dir=downloads)
    sign_in(driver, base, "oceancare", "a long enough password")
    driver.get(f"{base}/nonprofits/{nonprofit}")
    click_and_load(driver, driver.find_element(By.ID, "console-link"))
    assert driver.find_element(By.TAG_NAME, "h1").text == "Console"

    # The checklist: verified with a fundraiser; no live, challenge or payout details yet.
    done = {step.get_attribute("data-step") for step in driver.find_elements(By.CSS_SELECTOR, "#checklist li.done")}
    assert {"verification", "fundraiser"} <= done and not {"live", "challenge", "payout"} & done
    assert driver.find_element(By.CSS_SELECTOR, '#checklist li[data-step="payout"] a').get_attribute("href").endswith(f"/nonprofits/{nonprofit}/payout-details")

    # The background roll-up brings the gifts in within seconds.
    def donations_total(d):
        d.refresh()
        return d.find_element(By.CSS_SELECTOR, '#totals [data-metric="donations"] .total-value').text == "3"
    WebDriverWait(driver, 20, poll_frequency=1).until(donations_total)
    assert driver.find_element(By.CSS_SELECTOR, '#totals [data-metric="followers_gained"] .total-value').text == "3"
    assert driver.find_element(By.CSS_SELECTOR, '#totals [data-metric="donors_new"] .total-value').text == "3"
    # 28 days by default, drawn on the server as SVG with an accessible title.
    bars = driver.find_elements(By.CSS_SELECTOR, "#figure-donations svg rect.chart-bar")
    assert len(bars) == 28
    assert driver.find_element(By.CSS_SELECTOR, "#figure-donations svg").get_attribute("role") == "img"

    # Pick the last 7 days for the fundraiser alone.
    today = datetime.datetime.now(datetime.timezone.utc).date()
    start = today - datetime.timedelta(days=6)
    for field, value in (("range-from", start.isoformat()), ("range-to", today.isoformat())):
        driver.execute_script("arguments[0].value = arguments[1]", driver.find_element(By.ID, field), value)
    Select(driver.find_element(By.ID, "range-scope")).select_by_value(f"fundraiser:{fundraiser}")
    click_and_load(driver, driver.find_element(By.ID, "range-submit"))
    assert "Clean beaches" in driver.find_element(By.ID, "scope-title").text
    assert len(driver.find_elements(By.CSS_SELECTOR, "#figure-donations svg rect.chart-bar")) == 7
    assert driver.find_elements(By.CSS_SELECTOR, "#figure-views") == [], "a fundraiser has no views"

    # Download the CSV of what is on screen.
    driver.find_element(By.ID, "download-csv").click()
    path = pathlib.Path(downloads) / f"goodcast-analytics-fundraiser-{start.isoformat()}-{today.isoformat()}.csv"
    WebDriverWait(driver, 20).until(lambda d: path.exists() and path.stat().st_size > 0)
    lines = path.read_text().splitlines()
    assert lines[0] == "date,donations,donors_new,donors_returning,net_EUR"
    assert len(lines) == 1 + 7 + 2
    row = lines[7].split(",")
    assert row[0] == today.isoformat() and row[1:4] == ["3", "3", "0"]
    assert row[4] == f"{raised // 100}.{raised % 100:02d}"
