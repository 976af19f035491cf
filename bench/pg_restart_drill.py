#!/usr/bin/env python3
"""PostgreSQL restart drill: the database goes away under donation load and comes back.

A PostgreSQL of the drill's own (so that nothing else on the machine is disturbed) serves a
`goodcast serve` that pays through a separate sandbox processor. Donors give concurrently; the
drill stops PostgreSQL (`pg_ctl stop -m fast`: every connection is cut) for a few seconds,
several times. While it is down the server must say so (`/healthz` answers 503) and answer
money requests with a clear 503, never a 500 or a half-written donation; when it is back the
server must recover by itself. Clients retry every unacknowledged request with its key.
At the end: every acknowledged donation present exactly once, the total exact, no 500, and
`goodcast ledger verify` clean.

Usage: bench/pg_restart_drill.py [--binary .build/debug/goodcast] [--restarts 3] [--down 3] [--clients 8] [--seconds 24]
"""
import argparse, glob, json, os, subprocess, sys, tempfile, time

from drill import Deployment, DonationLoad, free_port


class Postgres:
    def __init__(self):
        self.bin = sorted(glob.glob("/usr/lib/postgresql/*/bin"))[-1]
        self.data = tempfile.mkdtemp(prefix="goodcast-drill-pg-")
        self.port = free_port()
        # PostgreSQL refuses to run as root: as root, run it as the postgres user.
        self.as_user = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        if self.as_user:
            subprocess.run(["chown", "postgres:postgres", self.data], check=True)
            os.chmod(self.data, 0o700)
        self.run("initdb", "-D", self.data, "-U", "postgres", "--auth=trust", "-E", "UTF8", "--locale=C.UTF-8")
        self.start()

    def run(self, tool, *arguments):
        subprocess.run(self.as_user + [os.path.join(self.bin, tool), *arguments], check=True, stdout=subprocess.DEVNULL)

    def start(self):
        self.run("pg_ctl", "-D", self.data, "-l", os.path.join(self.data, "server.log"), "-w", "-o",
                 f"-c listen_addresses=127.0.0.1 -p {self.port} -k {self.data} -c max_connections=200 -c synchronous_commit=on -c fsync=on", "start")

    def stop(self):
        self.run("pg_ctl", "-D", self.data, "-m", "fast", "-w", "stop")

    @property
    def url(self):
        return f"postgres://postgres@127.0.0.1:{self.port}/postgres"


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--binary", default=".build/debug/goodcast")
    parser.add_argument("--restarts", type=int, default=3)
    parser.add_argument("--down", type=float, default=3, help="seconds PostgreSQL stays down each time")
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=24)
    args = parser.parse_args()
    postgres = Postgres()
    deployment = Deployment(args.binary, postgres.url, prefix="goodcast-pgdrill-")
    outages = []
    try:
        deployment.start()
        fundraiser, donors = deployment.fundraiser_with_donors(args.clients)
        load = DonationLoad(deployment.base, fundraiser, donors)
        load.start()
        interval = max(1.0, (args.seconds - args.restarts * args.down) / (args.restarts + 1))
        for _ in range(args.restarts):
            time.sleep(interval)
            acknowledged_before = load.stats["acknowledged"]
            postgres.stop()
            stopped = time.time()
            unhealthy_seen = False
            while time.time() - stopped < args.down:
                unhealthy_seen |= not deployment.healthy()
                time.sleep(0.2)
            acknowledged_while_down = load.stats["acknowledged"] - acknowledged_before
            postgres.start()
            back = time.time()
            while not deployment.healthy():
                if time.time() - back > 60:
                    raise RuntimeError("the server did not recover within 60 s of PostgreSQL's return; see " + deployment.log_path)
                time.sleep(0.05)
            healthy_after = time.time() - back
            acknowledged_at_return = load.stats["acknowledged"]
            while load.stats["acknowledged"] == acknowledged_at_return and time.time() - back < 60:
                time.sleep(0.05)
            outages.append({"unhealthy_seen": unhealthy_seen, "acknowledged_while_down": acknowledged_while_down,
                            "healthy_after_seconds": round(healthy_after, 2), "first_donation_after_seconds": round(time.time() - back, 2)})
            print("outage:", json.dumps(outages[-1]), "answers so far:", json.dumps(load.statuses), flush=True)
        time.sleep(interval)
        load.stop()

        outcome = load.check()
        deployment.stop()
        clean = deployment.verify_ledger()
        server_errors = {status: n for status, n in load.statuses.items() if status not in ("201", "503", "409", "402")}
        report = {"engine": "PostgreSQL", "restarts": args.restarts, "down_seconds": args.down, "clients": args.clients, **load.stats, **outcome,
                  "answers": load.statuses, "problem_types_5xx": sorted(load.problems), "outages": outages,
                  "ledger_verify": "clean" if clean else "VIOLATIONS"}
        print(json.dumps(report))
        ok = (outcome["lost"] == 0 and outcome["doubled"] == 0 and outcome["fundraiser_total"] == outcome["sum_of_acknowledged_net"]
              and clean and load.stats["acknowledged"] > 0 and not server_errors and all(o["unhealthy_seen"] for o in outages))
        if server_errors:
            print("answers other than 201, 402, 409 and 503:", server_errors)
        print(f"PostgreSQL restart drill: {'PASS' if ok else 'FAIL'}")
        return 0 if ok else 1
    finally:
        deployment.close()
        try:
            postgres.stop()
        except subprocess.CalledProcessError:
            pass


if __name__ == "__main__":
    sys.exit(main())
