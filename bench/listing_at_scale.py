#!/usr/bin/env python3
"""A fundraiser with many gifts: how long its page's data and its nonprofit's donation list take.

Starts `goodcast serve --demo` on a fresh data directory, stops it, adds N gifts to the demo's
busiest fundraiser straight into SQLite (copies of one of its real gifts, older than it), then
times GET /api/v1/fundraisers/{id} (recent donations) and GET /api/v1/nonprofits/{id}/donations
(the team's list) with the indexes of `IndexDonationsForListings`, and again with the indexes
that came before it (put back by hand), in the same run.

Run: python3 bench/listing_at_scale.py [--binary .build/release/goodcast] [--gifts 300000]
"""
import argparse, json, os, shutil, signal, sqlite3, statistics, subprocess, tempfile, time, urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DEMO_PASSWORD = "goodcast-demo-creator"


def serve(binary, data, port, extra=()):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GOODCAST_", "STRIPE_", "DATABASE_URL"))}
    env.update(GOODCAST_DATA_DIR=data, GOODCAST_PORT=str(port), GOODCAST_LOG_LEVEL="error")
    process = subprocess.Popen([binary, "serve", *extra], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for _ in range(300):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1).read()
            return process
        except OSError:
            time.sleep(0.1)
    process.kill()
    raise SystemExit("the server did not start")


def stop(process):
    process.send_signal(signal.SIGTERM)
    process.wait(timeout=30)


def call(port, path, token=None, body=None):
    request = urllib.request.Request(f"http://127.0.0.1:{port}{path}", data=json.dumps(body).encode() if body else None,
                                     headers={"Content-Type": "application/json", **({"Authorization": f"Bearer {token}"} if token else {})})
    return json.load(urllib.request.urlopen(request, timeout=60))


def timed(port, path, token, count=30):
    times = []
    for _ in range(count):
        start = time.perf_counter()
        call(port, path, token)
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times), sorted(times)[int(count * 0.9) - 1]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--binary", default=os.path.join(ROOT, ".build/release/goodcast"))
    parser.add_argument("--gifts", type=int, default=300_000)
    parser.add_argument("--port", type=int, default=8097)
    args = parser.parse_args()
    work = tempfile.mkdtemp(prefix="goodcast-listing-")
    data = os.path.join(work, "data")
    try:
        stop(serve(args.binary, data, args.port, ["--demo"]))
        db = sqlite3.connect(os.path.join(data, "goodcast.sqlite"))
        fundraiser, nonprofit = db.execute("SELECT fundraiser_id, nonprofit_id FROM donations WHERE status = 'succeeded' "
                                           "GROUP BY fundraiser_id ORDER BY count(*) DESC LIMIT 1").fetchone()
        owner = db.execute("SELECT a.handle FROM nonprofit_members m JOIN accounts a ON a.id = m.account_id "
                           "WHERE m.nonprofit_id = ? AND m.role = 'owner' LIMIT 1", (nonprofit,)).fetchone()[0]
        # Copies of one real gift, each older than the last, with ids, charges and receipts of their own.
        db.execute(f"""
            WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {args.gifts}),
            r AS MATERIALIZED (SELECT i, hex(randomblob(16)) AS h FROM n)
            INSERT INTO donations SELECT
              upper(substr(h, 1, 8) || '-' || substr(h, 9, 4) || '-' || substr(h, 13, 4) || '-' || substr(h, 17, 4) || '-' || substr(h, 21, 12)),
              d.fundraiser_id, d.nonprofit_id, d.donor_id, d.amount, d.gift_amount, d.fee, d.currency, d.cover_fees, d.message, d.visibility,
              d.status, d.failure_code, d.failure_message, d.processor, 'pi_copy_' || r.i, d.payment_token, d.refunded, d.dispute,
              'GC-COPY-' || r.i, d.created_at - r.i * 0.001, d.completed_at - r.i * 0.001, d.message_hidden
            FROM r, (SELECT * FROM donations WHERE fundraiser_id = ? AND status = 'succeeded' LIMIT 1) d
        """, (fundraiser,))
        db.commit()
        paths = {"fundraiser": f"/api/v1/fundraisers/{fundraiser.lower()}", "team list": f"/api/v1/nonprofits/{nonprofit.lower()}/donations?perPage=20"}
        schemas = {
            "IndexDonationsForListings": [],
            "before it": ["DROP INDEX donations_fundraiser_recent_idx", "CREATE INDEX donations_fundraiser_idx ON donations (fundraiser_id, status)",
                          "DROP INDEX donations_nonprofit_idx", "CREATE INDEX donations_status_idx ON donations (status, created_at)"],
        }
        print(f"| {args.gifts:,} more gifts to one fundraiser (SQLite) | fundraiser: median ms | p90 ms | team's list: median ms | p90 ms |")
        print("|---|---:|---:|---:|---:|")
        for name, statements in schemas.items():
            for statement in statements:
                db.execute(statement)
            db.commit()
            server = serve(args.binary, data, args.port)
            try:
                token = call(args.port, "/api/v1/sessions", body={"handle": owner, "password": DEMO_PASSWORD})["token"]
                call(args.port, paths["fundraiser"])  # warm the page cache
                figures = [timed(args.port, path, token) for path in paths.values()]
            finally:
                stop(server)
            print(f"| indexes of {name} | {figures[0][0]:.1f} | {figures[0][1]:.1f} | {figures[1][0]:.1f} | {figures[1][1]:.1f} |")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
