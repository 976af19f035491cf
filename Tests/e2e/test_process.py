"""The server as an operator runs it: zero set-up start, the printed URL, graceful SIGTERM."""
import json
import os, signal, subprocess, tempfile, time, urllib.error, urllib.request

from conftest import ROOT, free_port


def test_zero_setup_start_prints_url_and_stops_on_sigterm():
    binary = os.environ.get("GOODCAST_BIN", str(ROOT / ".build/debug/goodcast"))
    workdir = tempfile.mkdtemp(prefix="goodcast-proc-")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GOODCAST_", "DATABASE_URL"))}
    env["GOODCAST_BCRYPT_COST"] = "4"
    port = free_port()
    # No settings at all: the data directory defaults to ./.goodcast under the working directory.
    process = subprocess.Popen([binary, "serve", "--port", str(port), "--demo"], cwd=workdir, env=env,
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    lines = []
    deadline = time.time() + 60
    while time.time() < deadline:
        line = process.stdout.readline()
        lines.append(line)
        if "is running at" in line:
            break
    assert f"http://127.0.0.1:{port}" in "".join(lines), "".join(lines)
    assert any("Admin: @admin" in line for line in lines)
    assert os.path.exists(os.path.join(workdir, ".goodcast", "goodcast.sqlite"))
    body = urllib.request.urlopen(f"http://127.0.0.1:{port}/nonprofits").read().decode()
    assert "Comic Relief" in body and "Movember" in body
    # The demo's #GivingSzn campaign opens its program with the Global Give Back at 11:00 PT on 30 November.
    campaign = json.loads(urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v1/campaigns/givingszn").read())
    assert campaign["program"][0]["title"] == "Global Give Back"
    assert campaign["program"][0]["scheduledAt"] == "2026-11-30T19:00:00Z"
    assert len(campaign["program"]) >= 3 and len(campaign["nonprofits"]) == 6
    assert "Global Give Back" in urllib.request.urlopen(f"http://127.0.0.1:{port}/campaigns/givingszn").read().decode()

    process.send_signal(signal.SIGTERM)
    assert process.wait(timeout=20) == 0


def _api(base, method, path, body=None, token=None, key=None):
    request = urllib.request.Request(base + path, method=method, data=None if body is None else json.dumps(body).encode())
    request.add_header("Content-Type", "application/json")
    if token:
        request.add_header("Authorization", "Bearer " + token)
    if key:
        request.add_header("Idempotency-Key", key)
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, json.loads(response.read() or b"null")
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"null")


def test_the_in_process_sandbox_keeps_its_books_across_a_killed_server():
    """A gift made before the server is killed can be refunded after it restarts (the processor must still know
    its charge), a dispute whose event the kill lost still arrives, and `ledger verify` checks every charge from the
    sandbox's books."""
    binary = os.environ.get("GOODCAST_BIN", str(ROOT / ".build/debug/goodcast"))
    data = tempfile.mkdtemp(prefix="goodcast-books-")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GOODCAST_", "DATABASE_URL", "STRIPE_"))}
    env.update(GOODCAST_BCRYPT_COST="4", GOODCAST_DATA_DIR=data, GOODCAST_LOG_LEVEL="warning")
    port = free_port()
    base = f"http://127.0.0.1:{port}"

    def start(*extra):
        process = subprocess.Popen([binary, "serve", "--port", str(port), *extra], cwd=data, env=env,
                                   stdout=open(os.path.join(data, "server.log"), "a"), stderr=subprocess.STDOUT)
        for _ in range(300):
            try:
                urllib.request.urlopen(base + "/healthz", timeout=1)
                return process
            except Exception:
                time.sleep(0.2)
        process.kill()
        raise RuntimeError(open(os.path.join(data, "server.log")).read())

    server = start("--demo")
    status, _ = _api(base, "POST", "/api/v1/accounts", {"handle": "booksdonor", "email": "books@example.org", "password": "a long password"})
    assert status == 201
    _, session = _api(base, "POST", "/api/v1/sessions", {"handle": "booksdonor", "password": "a long password"})
    donor = session["token"]
    _, lives = _api(base, "GET", "/api/v1/lives")
    fundraisers = [item["live"]["fundraiserId"] for item in lives["items"]]
    fundraiser = next(f for f in fundraisers if _api(base, "GET", f"/api/v1/fundraisers/{f}")[1]["goal"]["currency"] == "USD")
    gift = {"amount": {"amount": 2000, "currency": "USD"}, "paymentToken": "tok_visa"}
    status, donation = _api(base, "POST", f"/api/v1/fundraisers/{fundraiser}/donations", gift, donor, "books-1")
    assert status == 201, donation
    # tok_dispute: the bank disputes the charge; its event is due half a second after the answer,
    # so the kill below comes before it is delivered.
    status, disputed = _api(base, "POST", f"/api/v1/fundraisers/{fundraiser}/donations", dict(gift, paymentToken="tok_dispute"), donor, "books-2")
    assert status == 201 and disputed["dispute"] == "none", disputed
    server.kill()  # SIGKILL: no graceful shutdown
    server.wait(timeout=20)

    server = start()
    try:
        # The restarted sandbox sends its disputes again: the one lost with the process arrives.
        for _ in range(100):
            if _api(base, "GET", f"/api/v1/donations/{disputed['id']}", token=donor)[1]["dispute"] == "open":
                break
            time.sleep(0.2)
        assert _api(base, "GET", f"/api/v1/donations/{disputed['id']}", token=donor)[1]["dispute"] == "open"
        _, admin = _api(base, "POST", "/api/v1/sessions", {"handle": "admin", "password": "goodcast-admin-demo"})
        status, refund = _api(base, "POST", f"/api/v1/donations/{donation['id']}/refunds",
                              {"amount": {"amount": 500, "currency": "USD"}}, admin["token"], "books-refund")
        assert status == 201, refund
        _, after = _api(base, "GET", f"/api/v1/donations/{donation['id']}", token=donor)
        assert after["refunded"]["amount"] == 500
        # A command beside the server reads the books; one that would charge into them is refused.
        seeding = subprocess.run([binary, "demo"], cwd=data, env=env, capture_output=True, text=True)
        assert seeding.returncode != 0 and "held by a running `goodcast serve`" in seeding.stdout + seeding.stderr, seeding
        beside = subprocess.run([binary, "ledger", "verify", "--settle-seconds", "120"], cwd=data, env=env, capture_output=True, text=True)
        assert beside.returncode == 0 and "every charge at the processor has exactly one donation" in beside.stdout, beside
    finally:
        server.send_signal(signal.SIGTERM)
        assert server.wait(timeout=20) == 0
    verify = subprocess.run([binary, "ledger", "verify"], cwd=data, env=env, capture_output=True, text=True)
    assert verify.returncode == 0, verify.stdout + verify.stderr
    assert "every charge at the processor has exactly one donation" in verify.stdout
