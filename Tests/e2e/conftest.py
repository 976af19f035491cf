"""Browser tests: a real Goodcast server (built by `swift build`) and Debian's headless Chromium.

GOODCAST_BIN names the server binary (default .build/debug/goodcast). Each test session gets
its own data directory and port. On a failed test a screenshot is saved under
Tests/e2e/screenshots/.
"""
import os, pathlib, socket, subprocess, tempfile, time, urllib.request

import pytest
from selenium import webdriver
from selenium.webdriver.chrome.service import Service

ROOT = pathlib.Path(__file__).resolve().parents[2]
SCREENSHOTS = pathlib.Path(__file__).resolve().parent / "screenshots"
ADMIN = ("root", "root@example.org", "admin password 1")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def launch(extra_env=None):
    """Starts a server on a data directory and port of its own; returns its base URL and a stop function.

    `extra_env` adds settings for one test module's server, leaving the shared one as it is."""
    binary = os.environ.get("GOODCAST_BIN", str(ROOT / ".build/debug/goodcast"))
    data = tempfile.mkdtemp(prefix="goodcast-e2e-")
    env = dict(os.environ, GOODCAST_DATA_DIR=data, GOODCAST_LOG_LEVEL="warning", GOODCAST_BCRYPT_COST="4",
               # The whole session signs up from 127.0.0.1, more often than the per-address default allows.
               GOODCAST_SIGNUP_LIMIT_PER_ADDRESS="100000")
    env.update(extra_env or {})
    env.pop("DATABASE_URL", None)
    subprocess.run([binary, "admin", "create", "--handle", ADMIN[0], "--email", ADMIN[1], "--password", ADMIN[2]],
                   env=env, check=True, cwd=data)
    port = free_port()
    log = open(os.path.join(data, "server.log"), "w")
    process = subprocess.Popen([binary, "serve", "--port", str(port)], env=env, cwd=data, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    for _ in range(150):
        try:
            urllib.request.urlopen(base + "/healthz", timeout=1)
            break
        except Exception:
            time.sleep(0.2)
    else:
        process.kill()
        raise RuntimeError("the server did not start: " + open(os.path.join(data, "server.log")).read())

    def stop():
        process.terminate()
        process.wait(timeout=20)

    return base, stop


@pytest.fixture(scope="session")
def server():
    base, stop = launch()
    yield base
    stop()


def make_driver(download_dir=None):
    options = webdriver.ChromeOptions()
    if download_dir:
        options.add_experimental_option("prefs", {"download.default_directory": download_dir, "download.prompt_for_download": False})
    options.binary_location = os.environ.get("CHROMIUM_BIN", "/usr/bin/chromium")
    for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=420,900", "--lang=en-GB"):
        options.add_argument(argument)
    service = Service(executable_path=os.environ.get("CHROMEDRIVER_BIN", "/usr/bin/chromedriver"))
    driver = webdriver.Chrome(service=service, options=options)
    driver.implicitly_wait(5)
    return driver


@pytest.fixture
def browsers(request):
    """Opens as many independent browsers (separate cookie jars) as a test asks for."""
    opened = []

    def open_browser(download_dir=None):
        driver = make_driver(download_dir)
        opened.append(driver)
        return driver

    yield open_browser
    failed = getattr(request.node, "rep_call", None) is not None and request.node.rep_call.failed
    for index, driver in enumerate(opened):
        if failed:
            SCREENSHOTS.mkdir(exist_ok=True)
            path = SCREENSHOTS / f"{request.node.name}-{index}.png"
            driver.save_screenshot(str(path))
            print(f"screenshot saved: {path}")
        driver.quit()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    setattr(item, "rep_" + report.when, report)
