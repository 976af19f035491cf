"""A donor gives in one browser; the host's dashboard and a viewer's live page, in two other
browsers, show it without a reload. The host thanks the donor and hides the message, and the
viewer sees both; the stream overlay shows the next gift and the new total."""
import json
import urllib.request
import uuid

from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import WebDriverWait
from pages import click_and_load, sign_up
from test_donation_journey import new_nonprofit_with_fundraiser
from test_live_feed import api


def test_host_sees_gifts_thanks_and_hides(server, browsers):
    host, viewer, donor = browsers(), browsers(), browsers()
    profile, _ = new_nonprofit_with_fundraiser(server, host, viewer, "Host Dashboard Trust")
    nonprofit = profile.rstrip("/").split("/")[-1]
    handle = host.find_element(By.CSS_SELECTOR, "header .me").text.lstrip("@")
    token = api(server, "POST", "/api/v1/sessions", {"handle": handle, "password": "a long enough password"})["token"]
    live = api(server, "POST", "/api/v1/lives", {"title": "Dashboard Give Back", "playbackUrl": "https://www.youtube.com/embed/demo",
                                                  "fundraiser": {"nonprofitId": nonprofit, "goal": {"amount": 5000, "currency": "GBP"}}}, token)

    # The host opens the dashboard and goes live; a viewer watches.
    host.get(f"{server}/lives/{live['id']}/host")
    click_and_load(host, host.find_element(By.ID, "start-live"))
    assert host.find_element(By.ID, "live-status").text == "live"
    assert host.find_element(By.ID, "no-supporters").is_displayed()
    viewer.get(f"{server}/lives/{live['id']}")

    # A donor gives with a message.
    sign_up(donor, server, "fan" + uuid.uuid4().hex[:6])
    donor.get(f"{server}/lives/{live['id']}")
    click_and_load(donor, donor.find_element(By.ID, "donate-link"))
    donor.find_element(By.ID, "amount").send_keys("12.50")
    donor.find_element(By.ID, "message").send_keys("Noses on for the host!")
    click_and_load(donor, donor.find_element(By.ID, "donate-submit"))
    assert donor.find_element(By.ID, "thanks").is_displayed()

    # Both the dashboard and the viewer's page show it without a reload.
    row = WebDriverWait(host, 10).until(EC.presence_of_element_located((By.CSS_SELECTOR, "#supporters tbody tr")))
    assert "Noses on for the host!" in row.text and "12.50" in row.text
    WebDriverWait(host, 10).until(lambda d: d.find_element(By.ID, "raised").text not in ("", "£0.00"))
    gift = WebDriverWait(viewer, 10).until(EC.presence_of_element_located((By.CSS_SELECTOR, "#feed .feed-donation")))
    assert "Noses on for the host!" in gift.text

    # The host thanks the donor; the viewer sees the thanks.
    click_and_load(host, host.find_element(By.CSS_SELECTOR, "#supporters tbody tr button.thank"))
    thanks = WebDriverWait(viewer, 10).until(EC.presence_of_element_located((By.CSS_SELECTOR, "#feed .feed-thanks")))
    assert "@" + handle in thanks.text

    # The host hides the message; it disappears from the viewer's page and the dashboard says so.
    click_and_load(host, host.find_element(By.CSS_SELECTOR, "#supporters tbody tr button.hide"))
    assert host.find_element(By.CSS_SELECTOR, "#supporters tbody tr .message").text == "(message hidden)"
    WebDriverWait(viewer, 10).until(lambda d: not d.find_elements(By.CSS_SELECTOR, "#feed .feed-donation .feed-message"))

    # The overlay, opened from the dashboard's address, shows the next gift and the new total.
    overlay_url = host.find_element(By.ID, "overlay-url").get_attribute("value")
    donor.get(overlay_url)
    raised_before = donor.find_element(By.ID, "raised").text
    second = "late" + uuid.uuid4().hex[:6]
    api(server, "POST", "/api/v1/accounts", {"handle": second, "email": second + "@example.org", "password": "donor password 1"})
    second_token = api(server, "POST", "/api/v1/sessions", {"handle": second, "password": "donor password 1"})["token"]
    request = urllib.request.Request(f"{server}/api/v1/fundraisers/{live['fundraiserId']}/donations", method="POST",
                                     data=json.dumps({"amount": {"amount": 2000, "currency": "GBP"}, "paymentToken": "tok_visa"}).encode())
    request.add_header("Content-Type", "application/json")
    request.add_header("Authorization", "Bearer " + second_token)
    request.add_header("Idempotency-Key", str(uuid.uuid4()))
    urllib.request.urlopen(request).read()
    # The alert fades in: wait for its text to be visible.
    WebDriverWait(donor, 10).until(EC.text_to_be_present_in_element((By.ID, "alerts"), second))
    assert "20.00" in donor.find_element(By.ID, "alerts").text
    WebDriverWait(donor, 10).until(lambda d: d.find_element(By.ID, "raised").text != raised_before)
