"""A donor gives on a fundraiser's page, finds the "I donated" sticker it unlocked, puts it on a
story by clicking the preview, and sees the story in the viewer and in the fundraiser's shared
story, as does someone not signed in; they tap through to another donor's story. After the
nonprofit refunds the gift in full, the story is gone from the shared story and the sticker
shows as withdrawn."""
import json
import urllib.request
import uuid

from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import Select, WebDriverWait
from conftest import ADMIN, ROOT
from pages import click_and_load, sign_up
from test_challenge import account, api

PHOTO = ROOT / "Sources/App/Resources/Samples/story.jpg"


def post_story(base, token, path, stickers):
    """`POST /api/v1/stories` as multipart/form-data, the way an app posts."""
    boundary = "----goodcast" + uuid.uuid4().hex
    body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"stickers\"\r\n\r\n{json.dumps(stickers)}\r\n"
            f"--{boundary}\r\nContent-Disposition: form-data; name=\"media\"; filename=\"{path.name}\"\r\n"
            f"Content-Type: image/jpeg\r\n\r\n").encode() + path.read_bytes() + f"\r\n--{boundary}--\r\n".encode()
    request = urllib.request.Request(base + "/api/v1/stories", data=body, method="POST")
    request.add_header("Content-Type", "multipart/form-data; boundary=" + boundary)
    request.add_header("Authorization", "Bearer " + token)
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.loads(response.read())


def story_ids(driver):
    return [item.get_attribute("data-story-id") for item in driver.find_elements(By.CSS_SELECTOR, "#shared-story [data-story-id]")]


def image_loaded(driver, selector):
    return driver.execute_script("var i = document.querySelector(arguments[0]); return !!i && i.complete && i.naturalWidth > 0", selector)


def test_sticker_story_shared_then_withdrawn(server, browsers):
    base = server
    admin = api(base, "POST", "/api/v1/sessions", {"handle": ADMIN[0], "password": ADMIN[2]})["token"]
    owner = account(base, "np" + uuid.uuid4().hex[:6])
    name = "Comic Relief " + uuid.uuid4().hex[:4]
    nonprofit = api(base, "POST", "/api/v1/nonprofits", {"name": name, "country": "GB", "registrationNumber": uuid.uuid4().hex[:9],
                                                         "causes": ["humanitarian-relief"], "website": "https://example.org"}, owner)["id"]
    api(base, "POST", f"/api/v1/admin/nonprofits/{nonprofit}/verify", token=admin)
    fundraiser_id = api(base, "POST", "/api/v1/fundraisers", {"nonprofitId": nonprofit, "title": "Noses on for " + name,
                                                              "goal": {"amount": 50000, "currency": "GBP"}}, owner)["id"].lower()
    fundraiser = f"{base}/fundraisers/{fundraiser_id}"

    # Another donor's story is already in the shared story (through the API).
    other = account(base, "leo" + uuid.uuid4().hex[:6])
    api(base, "POST", f"/api/v1/fundraisers/{fundraiser_id}/donations", {"amount": {"amount": 500, "currency": "GBP"}, "paymentToken": "tok_visa"},
        other, headers={"Idempotency-Key": str(uuid.uuid4())})
    other_sticker = api(base, "GET", "/api/v1/me/stickers", token=other)["items"][0]["id"]
    other_story = post_story(base, other, PHOTO, [{"stickerId": other_sticker, "x": 0.5, "y": 0.2}])["id"].lower()

    # The donor gives £20 on the fundraiser's page; the receipt offers the sticker.
    donor, visitor = browsers(), browsers()
    handle = "ana" + uuid.uuid4().hex[:6]
    sign_up(donor, base, handle)
    donor.get(fundraiser)
    donor.find_element(By.ID, "amount").send_keys("20.00")
    Select(donor.find_element(By.ID, "paymentToken")).select_by_value("tok_visa")
    click_and_load(donor, donor.find_element(By.ID, "donate-submit"))
    assert donor.find_element(By.ID, "thanks").is_displayed()
    donation = donor.current_url.rstrip("/").split("/")[-1]
    assert f"/stories/new?sticker={donation}" in donor.find_element(By.ID, "share-sticker").get_attribute("href")

    # "My stickers": the sticker says who the gift was for, and leads to the composer.
    click_and_load(donor, donor.find_element(By.ID, "nav-my-stickers"))
    card = donor.find_element(By.ID, f"sticker-{donation}")
    assert card.get_attribute("data-available") == "true"
    assert "I DONATED" in card.text.upper() and name in card.text and "Noses on for " + name in card.text
    click_and_load(donor, card.find_element(By.CSS_SELECTOR, "[data-share]"))
    assert donor.find_element(By.ID, f"choose-{donation}").is_selected()

    # The composer previews the picture; a click on it places the sticker there.
    donor.find_element(By.ID, "story-file").send_keys(str(PHOTO))
    WebDriverWait(donor, 10).until(lambda d: image_loaded(d, "#preview-image"))
    stage = donor.find_element(By.ID, "story-stage")
    donor.execute_script("arguments[0].scrollIntoView({block: 'center'})", stage)
    width, height = stage.size["width"], stage.size["height"]
    ActionChains(donor).move_to_element_with_offset(stage, int(-0.25 * width), int(-0.2 * height)).click().perform()
    x = float(donor.find_element(By.ID, "sticker-x").get_attribute("value"))
    y = float(donor.find_element(By.ID, "sticker-y").get_attribute("value"))
    assert abs(x - 0.25) < 0.03 and abs(y - 0.3) < 0.03, (x, y)
    donor.find_element(By.ID, "sticker-scale").send_keys(Keys.RIGHT, Keys.RIGHT)
    assert "I DONATED" in donor.find_element(By.ID, "sticker-preview").text.upper()
    assert donor.find_element(By.ID, "story-shared").is_selected()
    click_and_load(donor, donor.find_element(By.ID, "story-submit"))

    # The viewer shows the story with the sticker where it was put.
    assert "/stories/" in donor.current_url, donor.current_url
    story = donor.current_url.split("/stories/")[1].split("?")[0]
    sticker = donor.find_element(By.CSS_SELECTOR, "#story-stickers [data-sticker]")
    assert name in sticker.text and handle in sticker.text and "I DONATED" in sticker.text.upper()
    assert abs(float(sticker.get_attribute("data-x")) - x) < 0.001 and abs(float(sticker.get_attribute("data-scale")) - 1.1) < 1e-6
    WebDriverWait(donor, 10).until(lambda d: image_loaded(d, "#story-media"))
    placed = donor.execute_script("""var f = document.getElementById('story-frame').getBoundingClientRect(),
        s = document.querySelector('#story-stickers [data-sticker]').getBoundingClientRect();
        return [(s.left + s.width / 2 - f.left) / f.width, (s.top + s.height / 2 - f.top) / f.height];""")
    assert abs(placed[0] - x) < 0.02 and abs(placed[1] - y) < 0.02, placed

    # The fundraiser's shared story has it, newest first; tapping the right half goes on to the older
    # story, the left arrow key comes back.
    donor.get(fundraiser)
    assert story_ids(donor) == [story, other_story]
    click_and_load(donor, donor.find_element(By.CSS_SELECTOR, f'#shared-story [data-story-id="{story}"] a'))
    assert f"from=fundraiser:{fundraiser_id}" in donor.current_url
    assert not donor.find_elements(By.ID, "story-prev") and donor.find_element(By.ID, "story-position").text == "1 / 2"
    frame = donor.find_element(By.ID, "story-frame")
    donor.execute_script("arguments[0].scrollIntoView({block: 'center'})", frame)
    ActionChains(donor).move_to_element_with_offset(frame, int(frame.size["width"] * 0.3), 0).click().perform()
    WebDriverWait(donor, 10).until(lambda d: other_story in d.current_url)
    assert donor.find_element(By.ID, "story-position").text == "2 / 2" and not donor.find_elements(By.ID, "story-next")
    ActionChains(donor).send_keys(Keys.ARROW_LEFT).perform()
    WebDriverWait(donor, 10).until(lambda d: story in d.current_url)

    # Someone not signed in sees it on the fundraiser page too.
    visitor.get(fundraiser)
    assert story_ids(visitor) == [story, other_story]
    WebDriverWait(visitor, 10).until(lambda d: image_loaded(d, f'#shared-story [data-story-id="{story}"] img'))
    assert handle in visitor.find_element(By.CSS_SELECTOR, f'#shared-story [data-story-id="{story}"]').text

    # The nonprofit refunds the gift in full: the story leaves the shared story and the sticker is withdrawn.
    api(base, "POST", f"/api/v1/donations/{donation}/refunds", {}, owner, headers={"Idempotency-Key": str(uuid.uuid4())})
    for driver in (donor, visitor):
        driver.get(fundraiser)
        assert story_ids(driver) == [other_story]
    donor.get(base + "/me/stickers")
    card = donor.find_element(By.ID, f"sticker-{donation}")
    assert card.get_attribute("data-available") == "false" and "withdrawn" in card.get_attribute("class")
    assert card.find_element(By.CSS_SELECTOR, "[data-withdrawn]").is_displayed() and not card.find_elements(By.CSS_SELECTOR, "[data-share]")
    donor.get(f"{base}/stories/{story}")
    assert not donor.find_elements(By.CSS_SELECTOR, "#story-stickers [data-sticker]")
