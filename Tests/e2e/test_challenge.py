"""A creator uploads a video with the hashtag; it appears on the challenge page; the pledge meter
moves by the per-video amount; a second video from the same creator the same day beyond the
limit does not move it. Another visitor's page keeps its stats current without a reload."""
import datetime
import json
import urllib.request
import uuid

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait
from conftest import ADMIN, ROOT, launch
from pages import click_and_load, sign_up

SAMPLES = ROOT / "Sources/App/Resources/Samples"


@pytest.fixture(scope="module")
def pledge_server():
    """A server whose pledges count brand-new accounts, one video per creator per day."""
    base, stop = launch({"GOODCAST_PLEDGE_MIN_ACCOUNT_DAYS": "0", "GOODCAST_PLEDGE_PER_CREATOR_PER_DAY": "1"})
    yield base
    stop()


def api(base, method, path, body=None, token=None, headers=None):
    request = urllib.request.Request(base + path, data=json.dumps(body).encode() if body is not None else None, method=method)
    request.add_header("Content-Type", "application/json")
    for name, value in (headers or {}).items():
        request.add_header(name, value)
    if token:
        request.add_header("Authorization", "Bearer " + token)
    with urllib.request.urlopen(request, timeout=30) as response:
        text = response.read()
        return json.loads(text) if text else None


def account(base, handle):
    api(base, "POST", "/api/v1/accounts", {"handle": handle, "email": handle + "@example.org", "password": "a long enough password"})
    return api(base, "POST", "/api/v1/sessions", {"handle": handle, "password": "a long enough password"})["token"]


def upload(base, token, path, caption):
    """`POST /api/v1/videos` as multipart/form-data, the way an app posts."""
    boundary = "----goodcast" + uuid.uuid4().hex
    body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"caption\"\r\n\r\n{caption}\r\n"
            f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{path.name}\"\r\n"
            f"Content-Type: application/octet-stream\r\n\r\n").encode() + path.read_bytes() + f"\r\n--{boundary}--\r\n".encode()
    request = urllib.request.Request(base + "/api/v1/videos", data=body, method="POST")
    request.add_header("Content-Type", "multipart/form-data; boundary=" + boundary)
    request.add_header("Authorization", "Bearer " + token)
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.loads(response.read())


def text(driver, element_id):
    return driver.find_element(By.ID, element_id).text


def test_videos_move_the_pledge_meter(pledge_server, browsers):
    base = pledge_server
    admin = api(base, "POST", "/api/v1/sessions", {"handle": ADMIN[0], "password": ADMIN[2]})["token"]
    owner = account(base, "np" + uuid.uuid4().hex[:6])
    nonprofit = api(base, "POST", "/api/v1/nonprofits", {"name": "Comic Relief Test", "country": "GB", "registrationNumber": uuid.uuid4().hex[:9],
                                                         "causes": ["humanitarian-relief"], "website": "https://example.org"}, owner)["id"]
    api(base, "POST", f"/api/v1/admin/nonprofits/{nonprofit}/verify", token=admin)
    now = datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0)
    api(base, "POST", "/api/v1/challenges", {
        "hashtag": "#RedNoseDay", "nonprofitId": nonprofit, "title": "Red Nose Day: noses on", "branded": True, "effect": "Red nose",
        "description": "Put on a red nose and dance.", "rules": "One video a day counts.",
        "startsAt": (now - datetime.timedelta(hours=1)).isoformat().replace("+00:00", "Z"),
        "endsAt": (now + datetime.timedelta(days=7)).isoformat().replace("+00:00", "Z")}, owner)
    sponsor_handle = "brand" + uuid.uuid4().hex[:6]
    sponsor = account(base, sponsor_handle)
    pledge = api(base, "POST", "/api/v1/challenges/rednoseday/pledges",
                 {"perVideo": {"amount": 200, "currency": "USD"}, "budget": {"amount": 10000, "currency": "USD"}, "paymentToken": "tok_visa"},
                 sponsor, headers={"Idempotency-Key": str(uuid.uuid4())})
    assert pledge["status"] == "active"
    accrued = f"pledge-{pledge['id'].lower()}-accrued"

    # The directory lists it among the active challenges, with its nonprofit.
    creator, visitor = browsers(), browsers()
    handle = "maya" + uuid.uuid4().hex[:6]
    sign_up(creator, base, handle)
    creator.get(base + "/challenges")
    card = creator.find_element(By.CSS_SELECTOR, '#challenges [data-hashtag="RedNoseDay"]')
    assert "Red Nose Day: noses on" in card.text and "Comic Relief Test" in card.find_element(By.CSS_SELECTOR, "[data-nonprofit]").text
    assert card.find_element(By.CSS_SELECTOR, "[data-videos]").text == "0"
    click_and_load(creator, card.find_element(By.CSS_SELECTOR, "h2 a"))

    # The challenge page: who it is for, the effect, the sponsor's $2.00 a video out of $100.00.
    assert text(creator, "challenge-hashtag") == "#RedNoseDay"
    assert text(creator, "challenge-nonprofit") == "Comic Relief Test"
    assert text(creator, "challenge-status") == "Active" and "Red nose" in text(creator, "challenge-effect")
    assert text(creator, f"pledge-{pledge['id'].lower()}-per-video") == "$2.00"
    assert text(creator, accrued) == "$0.00" and text(creator, f"pledge-{pledge['id'].lower()}-budget") == "$100.00"
    assert creator.find_element(By.ID, "no-videos").is_displayed()

    # The creator posts a video from the page, the caption starting with the hashtag: the meter moves by $2.00.
    caption = creator.find_element(By.ID, "caption")
    assert caption.get_attribute("value") == "#RedNoseDay "
    caption.send_keys("Noses on!")
    creator.find_element(By.ID, "video-file").send_keys(str(SAMPLES / "dance.mp4"))
    click_and_load(creator, creator.find_element(By.ID, "upload-submit"))
    assert creator.current_url.endswith("/challenges/RedNoseDay"), creator.current_url
    tiles = creator.find_elements(By.CSS_SELECTOR, "#video-grid [data-video-id]")
    assert len(tiles) == 1 and tiles[0].find_element(By.CSS_SELECTOR, "[data-owner]").text == "@" + handle
    assert "#RedNoseDay Noses on!" in tiles[0].text
    assert "/media/videos/" in tiles[0].find_element(By.TAG_NAME, "video").get_attribute("src")
    assert text(creator, accrued) == "$2.00" and text(creator, "stat-videos") == "1"

    # A second video the same day is beyond the limit of one: it joins, but the meter stays.
    creator.find_element(By.ID, "caption").send_keys("Again, in WebM")
    creator.find_element(By.ID, "video-file").send_keys(str(SAMPLES / "rednose.webm"))
    click_and_load(creator, creator.find_element(By.ID, "upload-submit"))
    assert len(creator.find_elements(By.CSS_SELECTOR, "#video-grid [data-video-id]")) == 2
    assert "Again, in WebM" in creator.find_elements(By.CSS_SELECTOR, "#video-grid [data-video-id]")[0].text
    assert text(creator, accrued) == "$2.00"
    assert text(creator, "stat-videos") == "2" and text(creator, "stat-participants") == "1"
    assert len(creator.find_elements(By.CSS_SELECTOR, "#leaderboard [data-video-id]")) == 2

    # Views make the WebM video the top one: "Top" and the leaderboard put it first.
    webm = creator.find_elements(By.CSS_SELECTOR, "#video-grid [data-video-id]")[0].get_attribute("data-video-id")
    at = now.isoformat().replace("+00:00", "Z")
    api(base, "POST", "/api/v1/views", [{"videoId": webm, "viewerId": f"device-{n}", "at": at} for n in range(3)])
    WebDriverWait(creator, 10).until(lambda _: api(base, "GET", f"/api/v1/videos/{webm}")["views"] == 3)
    creator.get(base + "/challenges/RedNoseDay?sort=top")
    assert creator.find_elements(By.CSS_SELECTOR, "#video-grid [data-video-id]")[0].get_attribute("data-video-id") == webm
    assert creator.find_element(By.CSS_SELECTOR, '#leaderboard [data-rank="1"]').get_attribute("data-video-id") == webm
    assert creator.find_element(By.ID, "sort-top").get_attribute("aria-current") == "page"

    # Someone not signed in watches the page; another creator posts through the API; the stats
    # and the meter change on the open page, with no reload.
    visitor.get(base + "/challenges/rednoseday")
    assert text(visitor, "stat-videos") == "2" and text(visitor, "stat-views") == "3"
    assert visitor.find_element(By.ID, "signin-to-post").is_displayed() and not visitor.find_elements(By.ID, "upload-form")
    visitor.execute_script("window.__sameDocument = true;")
    leo = account(base, "leo" + uuid.uuid4().hex[:6])
    posted = upload(base, leo, SAMPLES / "dance.mp4", "Me too #rednoseday")
    assert posted["challenges"][0]["counted"] is True
    WebDriverWait(visitor, 12).until(lambda d: text(d, "stat-videos") == "3")
    WebDriverWait(visitor, 2).until(lambda d: text(d, accrued) == "$4.00")
    assert text(visitor, "stat-participants") == "2"
    assert visitor.find_element(By.ID, f"pledge-{pledge['id'].lower()}-bar").get_attribute("value") == "400"
    assert visitor.execute_script("return window.__sameDocument === true")
