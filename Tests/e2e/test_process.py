"""The server as an operator runs it: zero set-up start, the printed URL, graceful SIGTERM."""
import json
import os, signal, subprocess, tempfile, time, urllib.request

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
