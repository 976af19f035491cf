"""Sign up, apply as a nonprofit, an admin verifies it, it shows in the directory, another account follows it."""
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import WebDriverWait
from conftest import ADMIN
from pages import click_and_load, wait_text, sign_up, sign_in


def test_apply_verify_list_follow(server, browsers):
    founder, admin, supporter = browsers(), browsers(), browsers()

    # A new account applies for its nonprofit.
    sign_up(founder, server, "youthmusic")
    founder.get(server + "/nonprofits/apply")
    founder.find_element(By.ID, "name").send_keys("Youth Music")
    founder.find_element(By.ID, "country").send_keys("gb")
    founder.find_element(By.ID, "registrationNumber").send_keys("1075032")
    founder.find_element(By.ID, "website").send_keys("youthmusic.org.uk")
    founder.find_element(By.ID, "cause-arts-and-music").click()
    founder.find_element(By.ID, "description").send_keys("Music-making for young people.")
    click_and_load(founder, founder.find_element(By.ID, "apply-submit"))
    assert founder.find_element(By.TAG_NAME, "h1").text == "Youth Music"
    assert founder.find_element(By.ID, "status").text == "Waiting for verification"

    # Not listed until verified.
    supporter.get(server + "/nonprofits?q=youth")
    assert "Youth Music" not in supporter.find_element(By.ID, "directory").text

    # A platform admin verifies it from the review queue.
    sign_in(admin, server, ADMIN[0], ADMIN[2])
    click_and_load(admin, admin.find_element(By.ID, "nav-review"))
    card = admin.find_element(By.CSS_SELECTOR, "#queue li.pending")
    assert "Youth Music" in card.text and "@youthmusic" in card.text
    click_and_load(admin, card.find_element(By.CSS_SELECTOR, "button.verify"))
    WebDriverWait(admin, 10).until(EC.staleness_of(card))
    assert admin.find_elements(By.CSS_SELECTOR, "#queue li.pending") == []

    # Now it shows in the directory, found by name and by cause.
    supporter.get(server + "/nonprofits?q=youth")
    assert "Youth Music" in supporter.find_element(By.ID, "directory").text
    supporter.get(server + "/nonprofits?cause=arts-and-music")
    click_and_load(supporter, supporter.find_element(By.LINK_TEXT, "Youth Music"))

    # Another account follows it.
    sign_up(supporter, server, "fan_of_music")
    supporter.get(server + "/nonprofits?q=youth")
    click_and_load(supporter, supporter.find_element(By.LINK_TEXT, "Youth Music"))
    assert supporter.find_element(By.ID, "followers").text == "0"
    click_and_load(supporter, supporter.find_element(By.ID, "follow"))
    wait_text(supporter, "followers", "1")
    assert supporter.find_element(By.ID, "unfollow").is_displayed()

    # The founder sees the follower too.
    founder.refresh()
    wait_text(founder, "followers", "1")
    assert founder.find_element(By.ID, "status").text == "Verified"


def test_pages_in_french_and_italian(server, browsers):
    driver = browsers()
    driver.get(server + "/?lang=fr")
    assert driver.find_element(By.TAG_NAME, "html").get_attribute("lang") == "fr"
    assert "Associations" in driver.find_element(By.CSS_SELECTOR, "header nav").text
    driver.get(server + "/nonprofits")  # the choice sticks
    assert driver.find_element(By.TAG_NAME, "html").get_attribute("lang") == "fr"
    click_and_load(driver, driver.find_element(By.LINK_TEXT, "Italiano"))
    assert driver.find_element(By.TAG_NAME, "html").get_attribute("lang") == "it"
    assert "Organizzazioni" in driver.find_element(By.TAG_NAME, "h1").text


def test_sign_up_errors_are_shown_on_the_form(server, browsers):
    driver = browsers()
    driver.get(server + "/signup")
    driver.find_element(By.ID, "handle").send_keys("x")
    driver.find_element(By.ID, "email").send_keys("someone@example.org")
    driver.find_element(By.ID, "password").send_keys("short")
    # Take away the browser's own checks to see what the server says.
    driver.execute_script("for (const e of document.querySelectorAll('input')) { e.removeAttribute('minlength'); e.removeAttribute('required'); }")
    click_and_load(driver, driver.find_element(By.ID, "signup-submit"))
    errors = WebDriverWait(driver, 10).until(EC.presence_of_element_located((By.CSS_SELECTOR, ".errors")))
    assert "handle" in errors.text and "password" in errors.text
    assert driver.find_element(By.ID, "email").get_attribute("value") == "someone@example.org"
