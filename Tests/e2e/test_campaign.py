"""A campaign page shows its program in the viewer's own time zone, what is on now, and the
campaign's total across its fundraisers."""
import os
import uuid

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from conftest import ADMIN
from test_live_feed import api


def driver_in(time_zone):
    options = webdriver.ChromeOptions()
    options.binary_location = os.environ.get("CHROMIUM_BIN", "/usr/bin/chromium")
    for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=420,900", "--lang=en-US"):
        options.add_argument(argument)
    service = Service(executable_path=os.environ.get("CHROMEDRIVER_BIN", "/usr/bin/chromedriver"), env=dict(os.environ, TZ=time_zone))
    return webdriver.Chrome(service=service, options=options)


def test_program_in_the_viewers_time_zone(server):
    admin = api(server, "POST", "/api/v1/sessions", {"handle": ADMIN[0], "password": ADMIN[2]})["token"]
    owner_handle = "np" + uuid.uuid4().hex[:6]
    api(server, "POST", "/api/v1/accounts", {"handle": owner_handle, "email": owner_handle + "@example.org", "password": "owner password 1"})
    owner = api(server, "POST", "/api/v1/sessions", {"handle": owner_handle, "password": "owner password 1"})["token"]
    nonprofit = api(server, "POST", "/api/v1/nonprofits", {"name": "Giving Season Trust " + owner_handle, "country": "US", "registrationNumber": uuid.uuid4().hex[:9],
                                                           "causes": ["community"], "website": "https://example.org"}, owner)["id"]
    api(server, "POST", f"/api/v1/admin/nonprofits/{nonprofit}/verify", token=admin)
    slug = "givingszn-" + uuid.uuid4().hex[:6]
    api(server, "POST", "/api/v1/campaigns", {"slug": slug, "title": "#GivingSzn", "startsAt": "2026-11-30T00:00:00Z",
                                               "endsAt": "2026-12-31T23:59:59Z", "nonprofitIds": [nonprofit]}, admin)
    live = api(server, "POST", "/api/v1/lives", {"title": "Global Give Back", "scheduledAt": "2026-11-30T19:00:00Z",
                                                  "fundraiser": {"nonprofitId": nonprofit, "goal": {"amount": 100000, "currency": "USD"}}}, owner)
    api(server, "POST", f"/api/v1/campaigns/{slug}/lives", {"liveId": live["id"]}, owner)
    later = api(server, "POST", "/api/v1/lives", {"title": "December dance-off", "scheduledAt": "2026-12-21T19:00:00Z"}, owner)
    api(server, "POST", f"/api/v1/campaigns/{slug}/lives", {"liveId": later["id"]}, owner)

    pacific, paris = driver_in("America/Los_Angeles"), driver_in("Europe/Paris")
    try:
        pacific.get(f"{server}/campaigns/{slug}")
        first = pacific.find_elements(By.CSS_SELECTOR, "#program li")[0]
        assert "Global Give Back" in first.text
        assert "11:00" in first.find_element(By.TAG_NAME, "time").text, first.text
        assert pacific.find_element(By.ID, "nothing-on-now").is_displayed()
        paris.get(f"{server}/campaigns/{slug}")
        assert "08:00" in paris.find_elements(By.CSS_SELECTOR, "#program time")[0].text

        # The host goes live: the campaign shows it on now.
        api(server, "POST", f"/api/v1/lives/{live['id']}/start", token=owner)
        paris.get(f"{server}/campaigns/{slug}")
        assert "Global Give Back" in paris.find_element(By.ID, "on-now").text
    finally:
        pacific.quit()
        paris.quit()
