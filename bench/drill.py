"""What the fault drills share: a `goodcast serve` paying through a separate sandbox processor,
a fundraiser with donors, donation load whose clients retry every unacknowledged request with
its Idempotency-Key until it gets an answer, and the final checks (every acknowledged donation
present exactly once, the fundraiser's total exact, `goodcast ledger verify` clean)."""
import faulthandler, json, os, random, socket, subprocess, sys, tempfile, threading, time, urllib.error, urllib.request, uuid

# Once (2026-11-27), a crash drill's harness stopped between SIGKILLing the server and starting it
# again: the server was gone, no new one was started, and the main thread waited on a lock until
# CI killed the stage, with no word of where. Local reruns passed. So: a drill past this many
# seconds prints every thread's stack and exits non-zero (a loud failure with its cause, well
# before CI's limit), and servers are started without vfork(), the one part of Popen here that
# suspends the calling thread while 8 client threads run.
faulthandler.dump_traceback_later(int(os.environ.get("DRILL_WATCHDOG_SECONDS", "420")), exit=True, file=sys.stderr)
subprocess._USE_VFORK = False


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
            return response.status, json.loads(response.read() or b"{}"), dict(response.headers)
    except urllib.error.HTTPError as error:
        body = error.read()
        try:
            parsed = json.loads(body or b"{}")
        except ValueError:
            parsed = {"raw": body.decode(errors="replace")}
        return error.code, parsed, dict(error.headers)


def read_body(handler):
    """The body of a request a proxy received, with a Content-Length or chunked."""
    if handler.headers.get("Transfer-Encoding", "").lower() == "chunked":
        body = b""
        while True:
            size = int(handler.rfile.readline().split(b";")[0].strip() or b"0", 16)
            if size == 0:
                while handler.rfile.readline() not in (b"\r\n", b"\n", b""):
                    pass
                return body
            body += handler.rfile.read(size)
            handler.rfile.readline()
    length = int(handler.headers.get("Content-Length") or 0)
    return handler.rfile.read(length) if length else b""


class Deployment:
    """A server and a sandbox processor in a work directory of their own.

    `processor_port` is where the server sends its Stripe calls: the sandbox's own port, or a
    fault-injecting proxy in front of it."""

    def __init__(self, binary, database_url=None, processor_port=None, extra_env=None, prefix="goodcast-drill-", webhook_port=None):
        self.binary = os.path.abspath(binary)
        self.work = tempfile.mkdtemp(prefix=prefix)
        self.port, self.sandbox_port = free_port(), free_port()
        self.processor_port = processor_port or self.sandbox_port
        self.base = f"http://127.0.0.1:{self.port}"
        self.secret = "whsec_fault_drill"
        env = {k: v for k, v in os.environ.items() if not k.startswith(("GOODCAST_", "STRIPE_", "DATABASE_URL"))}
        env.update(GOODCAST_DATA_DIR=os.path.join(self.work, "data"), GOODCAST_LOG_LEVEL="warning", GOODCAST_BCRYPT_COST="4",
                   STRIPE_SECRET_KEY="sk_test_drill", STRIPE_API_BASE=f"http://127.0.0.1:{self.processor_port}",
                   STRIPE_WEBHOOK_SECRET=self.secret, GOODCAST_PROCESSOR_NAME="stripe", GOODCAST_RECONCILE_AFTER_SECONDS="5",
                   GOODCAST_PROCESSOR_TIMEOUT_SECONDS="5",
                   # Each client gives as fast as it can: keep the abuse limits out of the drills' way.
                   GOODCAST_SIGNUP_LIMIT_PER_ADDRESS="1000000", GOODCAST_DONATION_LIMIT_PER_ACCOUNT="1000000000")
        if database_url:
            env["DATABASE_URL"] = database_url
        env.update(extra_env or {})
        self.env = env
        self.engine = "PostgreSQL" if database_url else "SQLite"
        self.log_path = os.path.join(self.work, "server.log")
        self.logs = open(self.log_path, "a")
        self.server = None
        self.sandbox = subprocess.Popen([self.binary, "sandbox-processor", "--port", str(self.sandbox_port), "--webhook-secret", self.secret,
                                         "--webhook-url", f"http://127.0.0.1:{webhook_port or self.port}/api/v1/payments/webhooks/stripe"],
                                        stdout=self.logs, stderr=subprocess.STDOUT)
        subprocess.run([self.binary, "admin", "create", "--handle", "drill", "--email", "drill@example.org", "--password", "drill password 1"],
                       env=self.env, cwd=self.work, check=True, stdout=subprocess.DEVNULL)

    def start(self, timeout=60):
        """Starts the server; returns the seconds until /healthz answered 200."""
        began = time.time()
        self.server = subprocess.Popen([self.binary, "serve", "--port", str(self.port)], env=self.env, cwd=self.work,
                                       stdout=self.logs, stderr=subprocess.STDOUT)
        while time.time() - began < timeout:
            if self.healthy():
                return time.time() - began
            time.sleep(0.05)
        raise RuntimeError("the server did not come up; see " + self.log_path)

    def healthy(self):
        try:
            return urllib.request.urlopen(self.base + "/healthz", timeout=1).status == 200
        except Exception:
            return False

    def stop(self):
        """SIGTERM, then the seconds it took to stop (within the shutdown grace)."""
        began = time.time()
        self.server.terminate()
        try:
            self.server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.logs.flush()
            with open(self.log_path) as log:
                print("the server did not stop within 30 s of SIGTERM; its log ends:\n" + "".join(log.readlines()[-40:]))
            raise
        return round(time.time() - began, 2)

    def verify_ledger(self):
        verify = subprocess.run([self.binary, "ledger", "verify"], env=self.env, cwd=self.work, capture_output=True, text=True)
        print(verify.stdout.strip())
        return verify.returncode == 0

    def close(self):
        for process in (self.server, self.sandbox):
            if process and process.poll() is None:
                process.kill()
                process.wait()

    def fundraiser_with_donors(self, donors):
        """A verified nonprofit, a USD fundraiser, and `donors` signed-in accounts."""
        base = self.base
        admin = call(base, "POST", "/api/v1/sessions", {"handle": "drill", "password": "drill password 1"})[1]["token"]
        call(base, "POST", "/api/v1/accounts", {"handle": "drillowner", "email": "o@example.org", "password": "owner password 1"})
        owner = call(base, "POST", "/api/v1/sessions", {"handle": "drillowner", "password": "owner password 1"})[1]["token"]
        nonprofit = call(base, "POST", "/api/v1/nonprofits", {"name": "Drill Relief", "country": "GB", "registrationNumber": "D-1",
                                                                "causes": ["community"], "website": "example.org"}, token=owner)[1]["id"]
        call(base, "POST", f"/api/v1/admin/nonprofits/{nonprofit}/verify", token=admin)
        fundraiser = call(base, "POST", "/api/v1/fundraisers", {"nonprofitId": nonprofit, "title": "Drill",
                                                                "goal": {"amount": 10_000_000, "currency": "USD"}}, token=owner)[1]["id"]
        tokens = []
        for index in range(donors):
            call(base, "POST", "/api/v1/accounts", {"handle": f"donor{index}", "email": f"d{index}@example.org", "password": "donor password 1"})
            tokens.append(call(base, "POST", "/api/v1/sessions", {"handle": f"donor{index}", "password": "donor password 1"})[1]["token"])
        return fundraiser, tokens


class DonationLoad:
    """Clients that give again and again; each retries a request without an answer (no
    connection, 5xx, 409 in progress, 429) with the same key until it gets one."""

    def __init__(self, base, fundraiser, tokens, payment_tokens=("tok_visa",)):
        self.base, self.fundraiser, self.tokens, self.payment_tokens = base, fundraiser, tokens, payment_tokens
        self.stop_event = threading.Event()
        self.lock = threading.Lock()
        self.stats = {"sent": 0, "acknowledged": 0, "retries": 0, "declined": 0}
        self.statuses = {}  # every status seen, for the report (e.g. how many 503s during an outage)
        self.problems = set()  # problem types seen on 5xx answers
        self.acked = {}  # key -> (donation id, net)
        self.card = {}  # key -> the payment token it was sent with
        self.threads = [threading.Thread(target=self.client, args=(token,)) for token in tokens]

    def start(self):
        for thread in self.threads:
            thread.start()

    def stop(self):
        self.stop_event.set()
        for thread in self.threads:
            thread.join(timeout=180)

    def client(self, token):
        while not self.stop_event.is_set():
            key = str(uuid.uuid4())
            body = {"amount": {"amount": random.randint(100, 50_000), "currency": "USD"}, "paymentToken": random.choice(self.payment_tokens)}
            self.card[key] = body["paymentToken"]
            with self.lock:
                self.stats["sent"] += 1
            while True:
                try:
                    status, answer, _ = call(self.base, "POST", f"/api/v1/fundraisers/{self.fundraiser}/donations", body, token=token, key=key, timeout=30)
                except Exception:
                    status, answer = None, None
                with self.lock:
                    self.statuses[str(status)] = self.statuses.get(str(status), 0) + 1
                    if status is not None and status >= 500:
                        self.problems.add(answer.get("type", "(no problem type)") if isinstance(answer, dict) else "(not json)")
                if status == 201:
                    with self.lock:
                        self.stats["acknowledged"] += 1
                        self.acked[key] = (answer["id"], answer["net"]["amount"])
                    break
                if status is not None and status < 500 and status not in (409, 429):
                    with self.lock:
                        self.stats["declined"] += 1
                    break
                with self.lock:
                    self.stats["retries"] += 1
                time.sleep(0.1)

    def succeeded(self):
        """Every succeeded donation of every donor, as the API lists them."""
        seen = []
        for token in self.tokens:
            page = 1
            while True:
                listing = call(self.base, "GET", f"/api/v1/me/donations?page={page}&perPage=100", token=token)[1]
                seen += [d for d in listing["items"] if d["status"] == "succeeded"]
                if page * 100 >= listing["total"]:
                    break
                page += 1
        return seen

    def check(self):
        """Lost and doubled donations, the fundraiser's total and the sum it must equal."""
        seen = self.succeeded()
        ids = [d["id"] for d in seen]
        acked_ids = {value[0] for value in self.acked.values()}
        lost = len(acked_ids - set(ids))
        doubled = len(ids) - len(set(ids)) + len(set(ids) - acked_ids)
        raised = call(self.base, "GET", f"/api/v1/fundraisers/{self.fundraiser}")[1]["raised"]["amount"]
        return {"lost": lost, "doubled": doubled, "fundraiser_total": raised, "sum_of_acknowledged_net": sum(v[1] for v in self.acked.values())}
