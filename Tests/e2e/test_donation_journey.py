"""A donor gives and sees the receipt; the nonprofit refunds part; the totals change on the page."""
import re
import uuid

from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select
from conftest import ADMIN
from pages import click_and_load, sign_up, sign_in


def new_nonprofit_with_fundraiser(server, owner_browser, admin_browser, name):
    handle = "np" + uuid.uuid4().hex[:8]
    sign_up(owner_browser, server, handle)
    owner_browser.get(server + "/nonprofits/apply")
    owner_browser.find_element(By.ID, "name").send_keys(name)
    owner_browser.find_element(By.ID, "country").send_keys("GB")
    owner_browser.find_element(By.ID, "registrationNumber").send_keys(uuid.uuid4().hex[:10])
    owner_browser.find_element(By.ID, "website").send_keys("example.org")
    owner_browser.find_element(By.ID, "cause-community").click()
    click_and_load(owner_browser, owner_browser.find_element(By.ID, "apply-submit"))
    profile = owner_browser.current_url
    sign_in(admin_browser, server, ADMIN[0], ADMIN[2])
    admin_browser.get(server + "/admin/nonprofits")
    card = [c for c in admin_browser.find_elements(By.CSS_SELECTOR, "#queue li.pending") if name in c.text][0]
    click_and_load(admin_browser, card.find_element(By.CSS_SELECTOR, "button.verify"))
    owner_browser.get(profile)
    click_and_load(owner_browser, owner_browser.find_element(By.ID, "start-fundraiser"))
    owner_browser.find_element(By.ID, "title").send_keys("Noses on for " + name)
    owner_browser.find_element(By.ID, "goal").send_keys("500")
    Select(owner_browser.find_element(By.ID, "currency")).select_by_value("GBP")
    click_and_load(owner_browser, owner_browser.find_element(By.ID, "fundraiser-submit"))
    return profile, owner_browser.current_url


def test_give_receipt_refund_totals(server, browsers):
    owner, admin, donor = browsers(), browsers(), browsers()
    profile, fundraiser = new_nonprofit_with_fundraiser(server, owner, admin, "Red Nose Day Test")
    assert owner.find_element(By.ID, "raised").text == "£0.00"

    # A donor gives £20 and lands on the receipt.
    sign_up(donor, server, "giver" + uuid.uuid4().hex[:6])
    donor.get(fundraiser)
    donor.find_element(By.ID, "amount").send_keys("20.00")
    Select(donor.find_element(By.ID, "paymentToken")).select_by_value("tok_visa")
    donor.find_element(By.ID, "message").send_keys("Noses on!")
    click_and_load(donor, donor.find_element(By.ID, "donate-submit"))
    assert donor.find_element(By.ID, "thanks").is_displayed()
    assert donor.find_element(By.ID, "receipt-amount").text == "£20.00"
    assert re.match(r"GC-\d{8}-[0-9A-F]{12}$", donor.find_element(By.ID, "receipt-number").text)
    assert "Gift Aid" in donor.find_element(By.ID, "receipt").text

    # The fundraiser shows the net (20.00 - 0.88 fee) and the gift.
    donor.get(fundraiser)
    assert donor.find_element(By.ID, "raised").text == "£19.12"
    assert donor.find_element(By.ID, "donors").text == "1"
    assert "Noses on!" in donor.find_element(By.ID, "recent").text

    # A declined card is explained and charges nothing.
    donor.find_element(By.ID, "amount").send_keys("5")
    Select(donor.find_element(By.ID, "paymentToken")).select_by_value("tok_chargeDeclined")
    click_and_load(donor, donor.find_element(By.ID, "donate-submit"))
    assert "declined" in donor.find_element(By.CSS_SELECTOR, ".errors").text
    assert donor.find_element(By.ID, "raised").text == "£19.12"

    # The nonprofit refunds £5 from its money screen.
    owner.get(profile)
    click_and_load(owner, owner.find_element(By.ID, "money-link"))
    row = owner.find_element(By.CSS_SELECTOR, "#nonprofit-donations li")
    row.find_element(By.CSS_SELECTOR, ".refund-amount").send_keys("5.00")
    click_and_load(owner, row.find_element(By.CSS_SELECTOR, ".refund-submit"))
    assert owner.find_element(By.CSS_SELECTOR, "#nonprofit-donations .refunded").text == "£5.00"

    # The totals change on the fundraiser page, and the donor's receipt shows the refund.
    donor.get(fundraiser)
    assert donor.find_element(By.ID, "raised").text == "£14.12"
    click_and_load(donor, donor.find_element(By.ID, "nav-my-donations"))
    succeeded = [card for card in donor.find_elements(By.CSS_SELECTOR, "#my-donations li") if "succeeded" in card.text]
    assert len(succeeded) == 1 and "declined" in donor.find_element(By.ID, "my-donations").text
    click_and_load(donor, succeeded[0].find_element(By.TAG_NAME, "a"))
    assert donor.find_element(By.ID, "receipt-refunded").text == "£5.00"
    assert donor.find_element(By.ID, "receipt-kept").text == "£15.00"
