"""A ticket holder sees the paid-entry live; someone without a ticket does not."""
import uuid

from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select
from pages import click_and_load, sign_up
from test_live_feed import api


def test_ticket_holder_watches_others_do_not(server, browsers):
    holder, stranger = browsers(), browsers()
    host = "chef" + uuid.uuid4().hex[:6]
    api(server, "POST", "/api/v1/accounts", {"handle": host, "email": host + "@example.org", "password": "host password 12"})
    token = api(server, "POST", "/api/v1/sessions", {"handle": host, "password": "host password 12"})["token"]
    live = api(server, "POST", "/api/v1/lives", {"title": "Cooking class", "playbackUrl": "https://www.youtube.com/embed/cooking",
                                                  "ticket": {"price": {"amount": 1500, "currency": "EUR"}}}, token)
    api(server, "POST", f"/api/v1/lives/{live['id']}/start", token=token)

    # Without a ticket: no video, no feed, a way to buy one.
    sign_up(holder, server, "fan" + uuid.uuid4().hex[:6])
    holder.get(f"{server}/lives/{live['id']}")
    assert holder.find_element(By.ID, "ticket-required").is_displayed()
    assert not holder.find_elements(By.TAG_NAME, "iframe")
    assert "15.00" in holder.find_element(By.ID, "buy-ticket").text

    # A declined card buys nothing; a good one opens the live.
    Select(holder.find_element(By.ID, "paymentToken")).select_by_value("tok_chargeDeclined")
    click_and_load(holder, holder.find_element(By.ID, "buy-ticket"))
    assert holder.find_element(By.ID, "ticket-failed").is_displayed()
    assert not holder.find_elements(By.TAG_NAME, "iframe")
    Select(holder.find_element(By.ID, "paymentToken")).select_by_value("tok_visa")
    click_and_load(holder, holder.find_element(By.ID, "buy-ticket"))
    assert holder.find_element(By.TAG_NAME, "iframe").get_attribute("src") == "https://www.youtube.com/embed/cooking"
    assert not holder.find_elements(By.ID, "ticket-required")

    # Someone else, signed in or not, still sees the lock.
    stranger.get(f"{server}/lives/{live['id']}")
    assert stranger.find_element(By.ID, "ticket-required").is_displayed()
    assert not stranger.find_elements(By.TAG_NAME, "iframe")
    assert stranger.find_element(By.ID, "signin-to-buy").is_displayed()
    sign_up(stranger, server, "other" + uuid.uuid4().hex[:6])
    stranger.get(f"{server}/lives/{live['id']}")
    assert not stranger.find_elements(By.TAG_NAME, "iframe")
