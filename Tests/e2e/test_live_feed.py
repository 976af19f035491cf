"""A viewer on a live page sees a gift appear in the donor feed as it happens, without reloading."""
import json
import urllib.request
import uuid

from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import Select, WebDriverWait
from pages import click_and_load, sign_up
from test_donation_journey import new_nonprofit_with_fundraiser


def api(server, method, path, body=None, token=None):
    request = urllib.request.Request(server + path, data=json.dumps(body).encode() if body is not None else None, method=method)
    request.add_header("Content-Type", "application/json")
    if token:
        request.add_header("Authorization", "Bearer " + token)
    with urllib.request.urlopen(request) as response:
        return json.loads(response.read())


def test_gift_appears_live(server, browsers):
    owner, admin, viewer, donor = browsers(), browsers(), browsers(), browsers()
    profile, _ = new_nonprofit_with_fundraiser(server, owner, admin, "Live Give Back")
    nonprofit = profile.rstrip("/").split("/")[-1]

    # A creator goes live with "Fundraiser" on, through the API.
    handle = "creator" + uuid.uuid4().hex[:6]
    api(server, "POST", "/api/v1/accounts", {"handle": handle, "email": handle + "@example.org", "password": "creator password 1"})
    token = api(server, "POST", "/api/v1/sessions", {"handle": handle, "password": "creator password 1"})["token"]
    live = api(server, "POST", "/api/v1/lives", {"title": "Global Give Back", "playbackUrl": "https://www.youtube.com/embed/demo",
                                                  "fundraiser": {"nonprofitId": nonprofit, "goal": {"amount": 100000, "currency": "GBP"}}}, token)
    api(server, "POST", f"/api/v1/lives/{live['id']}/start", token=token)

    # A viewer watches; the feed is empty.
    viewer.get(f"{server}/lives/{live['id']}")
    assert viewer.find_element(By.ID, "live-status").text == "live"
    assert viewer.find_element(By.TAG_NAME, "iframe").get_attribute("src") == "https://www.youtube.com/embed/demo"
    assert viewer.find_element(By.ID, "feed-empty").is_displayed()

    # Someone gives from the fundraiser page.
    sign_up(donor, server, "liveshow" + uuid.uuid4().hex[:6])
    donor.get(f"{server}/lives/{live['id']}")
    click_and_load(donor, donor.find_element(By.ID, "donate-link"))
    donor.find_element(By.ID, "amount").send_keys("12.50")
    donor.find_element(By.ID, "message").send_keys("Noses on, live!")
    click_and_load(donor, donor.find_element(By.ID, "donate-submit"))
    assert donor.find_element(By.ID, "thanks").is_displayed()

    # The viewer's page shows it, without a reload.
    gift = WebDriverWait(viewer, 10).until(EC.presence_of_element_located((By.CSS_SELECTOR, "#feed .feed-donation")))
    assert "Noses on, live!" in gift.text
    assert "12.50" in gift.find_element(By.CLASS_NAME, "feed-amount").text
    assert len(viewer.find_elements(By.CSS_SELECTOR, "#feed .feed-donation")) == 1
