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
import argparse, json, random, signal, sys, time

from drill import Deployment, DonationLoad


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--binary", default=".build/debug/goodcast")
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--kills", type=int, default=5)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=20)
    args = parser.parse_args()
    deployment = Deployment(args.binary, args.database_url, prefix="goodcast-crash-")
    recoveries = []
    try:
        deployment.start()
        fundraiser, donors = deployment.fundraiser_with_donors(args.clients)
        load = DonationLoad(deployment.base, fundraiser, donors)
        load.start()
        interval = args.seconds / (args.kills + 1)
        for _ in range(args.kills):
            time.sleep(interval * random.uniform(0.6, 1.4))
            deployment.server.send_signal(signal.SIGKILL)
            deployment.server.wait()
            recoveries.append(deployment.start())
        time.sleep(interval)
        load.stop()

        outcome = load.check()
        # A clean stop after the drill: SIGTERM, then within the shutdown grace (10 s by default).
        shutdown_seconds = deployment.stop()
        clean = deployment.verify_ledger()
        report = {
            "engine": deployment.engine, "kills": args.kills, "clients": args.clients, **load.stats, **outcome,
            "recovery_seconds_max": round(max(recoveries), 2) if recoveries else 0,
            "recovery_seconds_mean": round(sum(recoveries) / len(recoveries), 2) if recoveries else 0,
            "ledger_verify": "clean" if clean else "VIOLATIONS", "shutdown_seconds": shutdown_seconds,
        }
        print(json.dumps(report))
        ok = (outcome["lost"] == 0 and outcome["doubled"] == 0 and outcome["fundraiser_total"] == outcome["sum_of_acknowledged_net"]
              and clean and load.stats["acknowledged"] > 0)
        print(f"crash drill ({deployment.engine}): {'PASS' if ok else 'FAIL'}")
        return 0 if ok else 1
    finally:
        deployment.close()


if __name__ == "__main__":
    sys.exit(main())
