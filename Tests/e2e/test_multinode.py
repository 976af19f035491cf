"""Two `goodcast serve` processes on different ports sharing one PostgreSQL: gifts accepted by
either node reach WebSocket and SSE viewers on both, in order, with no gap and no duplicate.

Needs GOODCAST_TEST_POSTGRES_URL (CI starts a PostgreSQL); without it the test is skipped and
says so.
"""
import json, os, pathlib, socket, subprocess, tempfile, threading, time, urllib.request, uuid

import pytest
import websocket

ROOT = pathlib.Path(__file__).resolve().parents[2]
PG = os.environ.get("GOODCAST_TEST_POSTGRES_URL")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


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


def start_node(binary, env, data):
    port = free_port()
    log = open(os.path.join(data, f"node-{port}.log"), "w")
    process = subprocess.Popen([binary, "serve", "--port", str(port)], env=env, cwd=data, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    for _ in range(150):
        try:
            urllib.request.urlopen(base + "/healthz", timeout=1)
            return process, base
        except Exception:
            time.sleep(0.2)
    process.kill()
    raise RuntimeError("node did not start: " + open(log.name).read())


@pytest.fixture
def two_nodes():
    if not PG:
        pytest.skip("SKIPPED LOUDLY: GOODCAST_TEST_POSTGRES_URL is not set, so the two-node test on a shared PostgreSQL did not run")
    name = "goodcast_multinode_" + uuid.uuid4().hex[:8]
    subprocess.run(["psql", PG, "-qc", f"CREATE DATABASE {name}"], check=True)
    url = PG.rsplit("/", 1)[0] + "/" + name
    binary = os.environ.get("GOODCAST_BIN", str(ROOT / ".build/debug/goodcast"))
    data = tempfile.mkdtemp(prefix="goodcast-multinode-")
    env = dict(os.environ, DATABASE_URL=url, GOODCAST_LOG_LEVEL="warning", GOODCAST_BCRYPT_COST="4", GOODCAST_FEED_POLL_MS="100")
    subprocess.run([binary, "admin", "create", "--handle", "root", "--email", "root@example.org", "--password", "admin password 1"],
                   env=env, check=True, cwd=data)
    first = start_node(binary, env, data)
    second = start_node(binary, env, data)
    yield first[1], second[1]
    for process, _ in (first, second):
        process.terminate()
        process.wait(timeout=20)
    subprocess.run(["psql", PG, "-qc", f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"], check=False)


def sign_up(base, handle):
    api(base, "POST", "/api/v1/accounts", {"handle": handle, "email": handle + "@example.org", "password": "long password 1"})
    return api(base, "POST", "/api/v1/sessions", {"handle": handle, "password": "long password 1"})["token"]


def test_gifts_on_either_node_reach_viewers_on_both(two_nodes):
    a, b = two_nodes
    admin = api(a, "POST", "/api/v1/sessions", {"handle": "root", "password": "admin password 1"})["token"]
    owner = sign_up(a, "owner")
    nonprofit = api(a, "POST", "/api/v1/nonprofits", {"name": "Feeding Two Nodes", "country": "GB", "registrationNumber": "1234567",
                                                     "causes": ["hunger"], "website": "https://example.org"}, owner)["id"]
    api(a, "POST", f"/api/v1/admin/nonprofits/{nonprofit}/verify", token=admin)
    host = sign_up(b, "host")
    live = api(b, "POST", "/api/v1/lives", {"title": "Two nodes", "fundraiser": {"nonprofitId": nonprofit, "goal": {"amount": 1000000, "currency": "GBP"}}}, host)
    path = f"/api/v1/lives/{live['id']}/feed?after=0"

    gifts = 40
    seen = {}

    def watch(name, base):
        ws = websocket.create_connection(base.replace("http://", "ws://") + path, timeout=60)
        seqs = []
        while True:
            message = json.loads(ws.recv())
            if "seq" in message:
                seqs.append(message["seq"])
            # The host's closing thanks comes after every gift.
            if message["kind"] == "thanks" and message["data"].get("everyone"):
                break
        ws.close()
        seen[name] = seqs

    viewers = [threading.Thread(target=watch, args=(f"{node}-{i}", base)) for i in range(3) for node, base in (("a", a), ("b", b))]
    for thread in viewers:
        thread.start()
    time.sleep(1)

    donors = [sign_up(a if i % 2 == 0 else b, f"donor{i}") for i in range(4)]

    def give(i):
        base = a if i % 2 == 0 else b
        api(base, "POST", f"/api/v1/fundraisers/{live['fundraiserId']}/donations",
            {"amount": {"amount": 500 + i, "currency": "GBP"}, "paymentToken": "tok_visa"}, donors[i % 4], {"Idempotency-Key": f"gift-{i}"})

    givers = [threading.Thread(target=give, args=(i,)) for i in range(gifts)]
    for thread in givers:
        thread.start()
    for thread in givers:
        thread.join()
    api(a, "POST", f"/api/v1/lives/{live['id']}/thanks", {"message": "Thank you all"}, host)
    for thread in viewers:
        thread.join(timeout=60)
    events = api(b, "GET", f"/api/v1/lives/{live['id']}/feed?after=0")["items"]
    assert len([e for e in events if e["kind"] == "donation"]) == gifts
    assert len(seen) == len(viewers), "every viewer got to the end"
    kinds = {e["seq"]: e["kind"] for e in events}
    every_but_totals = [e["seq"] for e in events if e["kind"] != "total"]
    for name, seqs in seen.items():
        assert seqs == sorted(set(seqs)), f"{name}: in order, no duplicate"
        # A viewer that falls behind may skip a total that a later one supersedes; nothing else.
        assert [s for s in seqs if kinds[s] != "total"] == every_but_totals, f"{name}: every gift, no gap"
        last_total = max(s for s in kinds if kinds[s] == "total")
        assert last_total in seqs, f"{name}: the latest total"
    # The log the viewers followed says what the ledger says.
    last_total = [e for e in events if e["kind"] == "total"][-1]["data"]
    assert last_total["raised"] == api(a, "GET", f"/api/v1/fundraisers/{live['fundraiserId']}")["raised"]["amount"]
