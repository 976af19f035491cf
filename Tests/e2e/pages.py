"""Helpers shared by the browser tests."""
from selenium.common.exceptions import WebDriverException
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import WebDriverWait
from conftest import ADMIN


def click_and_load(driver, element):
    """Clicks something that loads a new page and waits until the new page has loaded.

    A marker set on the old page's window disappears with it; waiting on that (and on
    readyState) avoids holding references to nodes of a document being replaced."""
    driver.execute_script("window.__goodcastOldPage = true;")
    element.click()
    WebDriverWait(driver, 15, ignored_exceptions=(WebDriverException,)).until(
        lambda d: d.execute_script("return window.__goodcastOldPage === undefined && document.readyState === 'complete'")
    )


def wait_text(driver, element_id, text):
    """After a form post the old page is still there for a moment: wait for the new one."""
    WebDriverWait(driver, 10).until(EC.text_to_be_present_in_element((By.ID, element_id), text))
    assert driver.find_element(By.ID, element_id).text == text


def sign_up(driver, base, handle):
    driver.get(base + "/signup")
    driver.find_element(By.ID, "handle").send_keys(handle)
    driver.find_element(By.ID, "email").send_keys(f"{handle}@example.org")
    driver.find_element(By.ID, "password").send_keys("a long enough password")
    click_and_load(driver, driver.find_element(By.ID, "signup-submit"))
    assert f"@{handle}" in driver.find_element(By.CSS_SELECTOR, "header .me").text


def sign_in(driver, base, login, password):
    driver.get(base + "/signin")
    driver.find_element(By.ID, "login").send_keys(login)
    driver.find_element(By.ID, "password").send_keys(password)
    click_and_load(driver, driver.find_element(By.ID, "signin-submit"))
    assert driver.find_element(By.CSS_SELECTOR, "header .me").text == f"@{login}"


