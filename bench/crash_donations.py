#!/usr/bin/env python3
"""Crash drill: donations under load while the server is killed with SIGKILL, again and again.

A real `goodcast serve` takes donations from concurrent clients, paying through a separate
`goodcast sandbox-processor` process (so charges outlive the server, as at a real processor).
The drill kills the server with SIGKILL mid-stream several times and restarts it. Each client
retries every request that was not acknowledged, with its Idempotency-Key, until it gets an
answer. At the end it checks that every acknowledged donation is present exactly once, that
the fundraiser's total is exactly the sum of the acknowledged gifts, and that
`goodcast ledger verify` (which also asks the processor for every charge) is clean.

Usage: bench/crash_donations.py [--binary .build/debug/goodcast] [--database-url postgres://...]
       [--kills 5] [--clients 8] [--seconds 20]
Exits non-zero on any lost or doubled donation or ledger violation.
"""
import argparse, json, os, random, signal, socket, subprocess, sys, tempfile, threading, time, urllib.error, urllib.request, uuid


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def call(base, method, path, body=None, token=None, key=None, timeout=10):
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(base + path, data=data, method=method)
    if data is not None:
        request.add_header("Content-Type", "application/json")
    if token:
        request.add_header("Authorization", "Bearer " + token)
    if key:
        request.add_header("Idempotency-Key", key)
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, json.loads(response.read() or b"{}")
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"{}")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--binary", default=".build/debug/goodcast")
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--kills", type=int, default=5)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=20)
    args = parser.parse_args()
    binary = os.path.abspath(args.binary)
    work = tempfile.mkdtemp(prefix="goodcast-crash-")
    port, sandbox_port = free_port(), free_port()
    base = f"http://127.0.0.1:{port}"
    secret = "whsec_crash_drill"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GOODCAST_", "STRIPE_", "DATABASE_URL"))}
    env.update(GOODCAST_DATA_DIR=os.path.join(work, "data"), GOODCAST_LOG_LEVEL="warning", GOODCAST_BCRYPT_COST="4",
               STRIPE_SECRET_KEY="sk_test_drill", STRIPE_API_BASE=f"http://127.0.0.1:{sandbox_port}", STRIPE_WEBHOOK_SECRET=secret,
               GOODCAST_PROCESSOR_NAME="stripe", GOODCAST_RECONCILE_AFTER_SECONDS="5", GOODCAST_PROCESSOR_TIMEOUT_SECONDS="5")
    if args.database_url:
        env["DATABASE_URL"] = args.database_url
    engine = "PostgreSQL" if args.database_url else "SQLite"
    logs = open(os.path.join(work, "server.log"), "a")
    sandbox = subprocess.Popen([binary, "sandbox-processor", "--port", str(sandbox_port), "--webhook-secret", secret,
                                "--webhook-url", f"{base}/api/v1/payments/webhooks/stripe"], stdout=logs, stderr=subprocess.STDOUT)
    server = None
    recoveries = []

    def start():
        nonlocal server
        began = time.time()
        server = subprocess.Popen([binary, "serve", "--port", str(port)], env=env, cwd=work, stdout=logs, stderr=subprocess.STDOUT)
        while time.time() - began < 60:
            try:
                if urllib.request.urlopen(base + "/healthz", timeout=1).status == 200:
                    return time.time() - began
            except Exception:
                time.sleep(0.05)
        raise RuntimeError("the server did not come back; see " + os.path.join(work, "server.log"))

    try:
        subprocess.run([binary, "admin", "create", "--handle", "drill", "--email", "drill@example.org", "--password", "drill password 1"],
                       env=env, cwd=work, check=True, stdout=subprocess.DEVNULL)
        start()
        admin = call(base, "POST", "/api/v1/sessions", {"handle": "drill", "password": "drill password 1"})[1]["token"]
        call(base, "POST", "/api/v1/accounts", {"handle": "drillowner", "email": "o@example.org", "password": "owner password 1"})
        owner = call(base, "POST", "/api/v1/sessions", {"handle": "drillowner", "password": "owner password 1"})[1]["token"]
        nonprofit = call(base, "POST", "/api/v1/nonprofits", {"name": "Drill Relief", "country": "GB", "registrationNumber": "D-1",
                                                                "causes": ["community"], "website": "example.org"}, token=owner)[1]["id"]
        call(base, "POST", f"/api/v1/admin/nonprofits/{nonprofit}/verify", token=admin)
        fundraiser = call(base, "POST", "/api/v1/fundraisers", {"nonprofitId": nonprofit, "title": "Drill", "goal": {"amount": 10_000_000, "currency": "USD"}},
                          token=owner)[1]["id"]
        donors = []
        for index in range(args.clients):
            call(base, "POST", "/api/v1/accounts", {"handle": f"donor{index}", "email": f"d{index}@example.org", "password": "donor password 1"})
            donors.append(call(base, "POST", "/api/v1/sessions", {"handle": f"donor{index}", "password": "donor password 1"})[1]["token"])

        stop = threading.Event()
        lock = threading.Lock()
        stats = {"sent": 0, "acknowledged": 0, "retries": 0, "declined": 0}
        acked = {}  # key -> (donation id, net)

        def client(token):
            while not stop.is_set():
                key = str(uuid.uuid4())
                amount = random.randint(100, 50_000)
                body = {"amount": {"amount": amount, "currency": "USD"}, "paymentToken": "tok_visa"}
                with lock:
                    stats["sent"] += 1
                while True:  # until this key gets an answer, however many crashes it takes
                    try:
                        status, answer = call(base, "POST", f"/api/v1/fundraisers/{fundraiser}/donations", body, token=token, key=key)
                    except Exception:
                        status, answer = None, None
                    if status == 201:
                        with lock:
                            stats["acknowledged"] += 1
                            acked[key] = (answer["id"], answer["net"]["amount"])
                        break
                    if status is not None and status < 500 and status not in (409, 429):
                        with lock:
                            stats["declined"] += 1
                        break
                    with lock:
                        stats["retries"] += 1
                    time.sleep(0.05)

        threads = [threading.Thread(target=client, args=(token,)) for token in donors]
        for thread in threads:
            thread.start()
        interval = args.seconds / (args.kills + 1)
        for _ in range(args.kills):
            time.sleep(interval * random.uniform(0.6, 1.4))
            server.send_signal(signal.SIGKILL)
            server.wait()
            recoveries.append(start())
        time.sleep(interval)
        stop.set()
        for thread in threads:
            thread.join(timeout=120)

        # Check: every acknowledged donation exactly once, totals exact, ledger clean.
        seen = []
        for token in donors:
            page = 1
            while True:
                listing = call(base, "GET", f"/api/v1/me/donations?page={page}&perPage=100", token=token)[1]
                seen += [d for d in listing["items"] if d["status"] == "succeeded"]
                if page * 100 >= listing["total"]:
                    break
                page += 1
        ids = [d["id"] for d in seen]
        acked_ids = {value[0] for value in acked.values()}
        lost = len(acked_ids - set(ids))
        doubled = len(ids) - len(set(ids)) + len(set(ids) - acked_ids)
        raised = call(base, "GET", f"/api/v1/fundraisers/{fundraiser}")[1]["raised"]["amount"]
        expected = sum(value[1] for value in acked.values())
        # A clean stop after the drill: SIGTERM, then within the shutdown grace (10 s by default).
        stopping = time.time()
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            logs.flush()
            with open(os.path.join(work, "server.log")) as log:
                print("the server did not stop within 30 s of SIGTERM; its log ends:\n" + "".join(log.readlines()[-40:]))
            raise
        shutdown_seconds = round(time.time() - stopping, 2)
        verify = subprocess.run([binary, "ledger", "verify"], env=env, cwd=work, capture_output=True, text=True)
        print(verify.stdout.strip())
        report = {
            "engine": engine, "kills": args.kills, "clients": args.clients, **stats, "lost": lost, "doubled": doubled,
            "fundraiser_total": raised, "sum_of_acknowledged_net": expected,
            "recovery_seconds_max": round(max(recoveries), 2) if recoveries else 0,
            "recovery_seconds_mean": round(sum(recoveries) / len(recoveries), 2) if recoveries else 0,
            "ledger_verify": "clean" if verify.returncode == 0 else "VIOLATIONS", "shutdown_seconds": shutdown_seconds,
        }
        print(json.dumps(report))
        ok = lost == 0 and doubled == 0 and raised == expected and verify.returncode == 0 and stats["acknowledged"] > 0
        print(f"crash drill ({engine}): {'PASS' if ok else 'FAIL'}")
        return 0 if ok else 1
    finally:
        for process in (server, sandbox):
            if process and process.poll() is None:
                process.kill()
                process.wait()


if __name__ == "__main__":
    sys.exit(main())
