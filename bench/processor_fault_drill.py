#!/usr/bin/env python3
"""Processor fault drill: the payment processor errs, hangs and vanishes under donation load.

`goodcast serve` pays through a fault-injecting HTTP proxy in front of a separate
`goodcast sandbox-processor`. The drill switches the proxy between phases while donors give:
  pass          every call goes through;
  error-before  500 without reaching the processor (nothing is charged);
  error-after   the charge is made, then the answer is replaced by a 500 (charged, answer lost);
  hang-after    the charge is made, then no answer for longer than the server's processor
                timeout (charged, outcome unknown);
  down          connections are cut before any answer (the processor is unreachable).
Webhooks still flow from the processor to the server, as at a real processor. Clients retry
every unacknowledged request with its key. Donations must end as a clear answer (201, or a 4xx
such as 402/422, or a 502/503/504 saying the outcome is unknown, never a 500 and never a request
left without an answer), and at the end: every acknowledged donation exactly once, the total
exact, and `goodcast ledger verify` clean, which also asks the processor for every charge: never
a charge without its donation.

Usage: bench/processor_fault_drill.py [--binary .build/debug/goodcast] [--database-url ...] [--clients 8] [--cycles 1]
"""
import argparse, http.client, json, sys, threading, time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from drill import Deployment, DonationLoad, free_port, read_body

PHASES = [("pass", 3), ("error-before", 2), ("pass", 2), ("error-after", 2), ("pass", 2),
          ("hang-after", 3), ("pass", 2), ("down", 2), ("pass", 4)]


class FaultProxy:
    def __init__(self, port):
        self.port = port
        self.target = None
        self.mode = "pass"
        self.counts = {}
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def relay(self):
                mode = proxy.mode
                proxy.counts[mode] = proxy.counts.get(mode, 0) + 1
                body = read_body(self) or None
                if mode == "down":
                    self.close_connection = True
                    self.connection.close()
                    return
                if mode == "error-before":
                    return self.answer(500, b'{"error":{"type":"api_error","message":"injected before the charge"}}')
                upstream = http.client.HTTPConnection("127.0.0.1", proxy.target, timeout=30)
                headers = {k: v for k, v in self.headers.items() if k.lower() not in ("host", "connection", "content-length")}
                upstream.request(self.command, self.path, body=body, headers=headers)
                response = upstream.getresponse()
                payload = response.read()
                upstream.close()
                if mode == "error-after":
                    return self.answer(500, b'{"error":{"type":"api_error","message":"injected after the charge"}}')
                if mode == "hang-after":
                    time.sleep(12)
                    self.close_connection = True
                    self.connection.close()
                    return
                self.answer(response.status, payload, response.getheader("Content-Type") or "application/json")

            def answer(self, status, payload, content_type="application/json"):
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            do_GET = do_POST = do_DELETE = relay

        self.server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--binary", default=".build/debug/goodcast")
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--cycles", type=int, default=1)
    args = parser.parse_args()
    proxy = FaultProxy(free_port())
    deployment = Deployment(args.binary, args.database_url, processor_port=proxy.port, prefix="goodcast-procdrill-")
    proxy.target = deployment.sandbox_port
    try:
        deployment.start()
        fundraiser, donors = deployment.fundraiser_with_donors(args.clients)
        load = DonationLoad(deployment.base, fundraiser, donors, payment_tokens=("tok_visa", "tok_visa", "tok_visa", "tok_chargeDeclined"))
        load.start()
        for _ in range(args.cycles):
            for mode, seconds in PHASES:
                proxy.mode = mode
                time.sleep(seconds)
                print(f"{mode:>12} {seconds} s  answers so far: {json.dumps(load.statuses)}", flush=True)
        proxy.mode = "pass"
        load.stop()
        # Reconciliation settles donations whose outcome was unknown (GOODCAST_RECONCILE_AFTER_SECONDS=5).
        time.sleep(7)
        outcome = load.check()
        deployment.stop()
        clean = deployment.verify_ledger()
        unclear = {status: n for status, n in load.statuses.items() if status not in ("201", "402", "409", "422", "502", "503", "504")}
        report = {"engine": deployment.engine, "clients": args.clients, "cycles": args.cycles, **load.stats, **outcome,
                  "answers": load.statuses, "problem_types_5xx": sorted(load.problems), "proxied_calls": proxy.counts,
                  "ledger_verify": "clean" if clean else "VIOLATIONS"}
        print(json.dumps(report))
        ok = (outcome["lost"] == 0 and outcome["doubled"] == 0 and outcome["fundraiser_total"] == outcome["sum_of_acknowledged_net"]
              and clean and load.stats["acknowledged"] > 0 and not unclear)
        if unclear:
            print("answers that are not clear outcomes:", unclear)
        print(f"processor fault drill ({deployment.engine}): {'PASS' if ok else 'FAIL'}")
        return 0 if ok else 1
    finally:
        deployment.close()
        proxy.server.shutdown()


if __name__ == "__main__":
    sys.exit(main())
