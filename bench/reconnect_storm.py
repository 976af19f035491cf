#!/usr/bin/env python3
"""Reconnect storm: thousands of feed viewers drop at once and all come back with `after`.

One live on a real `goodcast serve`. N viewers follow its feed over WebSocket (a minimal
asyncio client, so that thousands fit in one process). The host posts events; every viewer
reads up to the last one; then every viewer's connection is cut at once, the host posts more
events while they are away, and all N reconnect at the same moment with `after=<last seq they
saw>`. Each must get exactly the events it missed, in order, with no gap and no duplicate, and
then the events posted after the storm. A viewer told to resync (too slow) reconnects again from
its last seq, as a real client does; that is counted, not failed.

Usage: bench/reconnect_storm.py [--binary .build/debug/goodcast] [--viewers 2000] [--before 10] [--missed 30] [--after 10]
"""
import argparse, asyncio, base64, json, os, random, sys, time

from drill import Deployment, call


class Viewer:
    def __init__(self, port, live):
        self.port, self.live = port, live
        self.seqs = []
        self.resyncs = 0
        self.reader = self.writer = None

    async def connect(self):
        after = self.seqs[-1] if self.seqs else 0
        self.reader, self.writer = await asyncio.open_connection("127.0.0.1", self.port)
        key = base64.b64encode(os.urandom(16)).decode()
        self.writer.write((f"GET /api/v1/lives/{self.live}/feed?after={after} HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n"
                           f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n").encode())
        status = await self.reader.readline()
        if b" 101 " not in status:
            raise RuntimeError(f"feed refused the upgrade: {status!r}")
        while (await self.reader.readline()) not in (b"\r\n", b""):
            pass

    async def frame(self):
        head = await self.reader.readexactly(2)
        opcode, length = head[0] & 0x0F, head[1] & 0x7F
        if length == 126:
            length = int.from_bytes(await self.reader.readexactly(2), "big")
        elif length == 127:
            length = int.from_bytes(await self.reader.readexactly(8), "big")
        return opcode, await self.reader.readexactly(length)

    async def read_until(self, last_seq):
        """Reads events until `last_seq`; reconnects from its last seq when told to resync."""
        while not self.seqs or self.seqs[-1] < last_seq:
            try:
                opcode, payload = await self.frame()
            except (asyncio.IncompleteReadError, ConnectionError):
                self.resyncs += 1
                await self.reconnect()
                continue
            if opcode == 0x9:  # ping: answer, masked as a client must
                mask = os.urandom(4)
                self.writer.write(bytes([0x8A, 0x80 | len(payload)]) + mask + bytes(b ^ mask[i % 4] for i, b in enumerate(payload)))
                continue
            if opcode == 0x8:
                self.resyncs += 1
                await self.reconnect()
                continue
            if opcode != 0x1:
                continue
            message = json.loads(payload)
            if message.get("kind") == "resync":
                self.resyncs += 1
                await self.reconnect()
                continue
            if message.get("seq") is not None:
                self.seqs.append(message["seq"])

    async def reconnect(self):
        self.drop()
        await self.connect()

    def drop(self):
        if self.writer:
            self.writer.transport.abort()  # cut, not closed politely: as when a network drops
            self.writer = None


async def gather_bounded(coroutines, limit):
    semaphore = asyncio.Semaphore(limit)

    async def run(coroutine):
        async with semaphore:
            return await coroutine
    return await asyncio.gather(*(run(c) for c in coroutines))


def post_thanks(base, live, host, count):
    for index in range(count):
        status, answer, _ = call(base, "POST", f"/api/v1/lives/{live}/thanks", {"message": f"thanks {index}"}, token=host)
        if status >= 300:
            raise RuntimeError(f"thanks refused: {status} {answer}")


async def storm(args, deployment):
    base = deployment.base
    call(base, "POST", "/api/v1/accounts", {"handle": "stormhost", "email": "h@example.org", "password": "host password 1"})
    host = call(base, "POST", "/api/v1/sessions", {"handle": "stormhost", "password": "host password 1"})[1]["token"]
    live = call(base, "POST", "/api/v1/lives", {"title": "Storm"}, token=host)[1]["id"]
    call(base, "POST", f"/api/v1/lives/{live}/start", token=host)
    viewers = [Viewer(deployment.port, live) for _ in range(args.viewers)]
    began = time.time()
    await gather_bounded([v.connect() for v in viewers], 200)
    connect_seconds = time.time() - began

    # Before: every viewer reads every event so far.
    await asyncio.to_thread(post_thanks, base, live, host, args.before)
    expected_first = args.before + 1  # "live started" is seq 1, then the thanks
    await asyncio.gather(*(v.read_until(expected_first) for v in viewers))
    before = [list(v.seqs) for v in viewers]

    # The storm: every connection cut at once; events posted while everyone is away.
    for viewer in viewers:
        viewer.drop()
    await asyncio.to_thread(post_thanks, base, live, host, args.missed)
    missed_last = expected_first + args.missed
    began = time.time()
    await gather_bounded([v.connect() for v in viewers], args.viewers)
    reconnect_seconds = time.time() - began
    await asyncio.gather(*(v.read_until(missed_last) for v in viewers))
    caught_up_seconds = time.time() - began

    # After: events posted once everyone is back arrive live.
    await asyncio.to_thread(post_thanks, base, live, host, args.after)
    final = missed_last + args.after
    await asyncio.wait_for(asyncio.gather(*(v.read_until(final) for v in viewers)), timeout=120)
    for viewer in viewers:
        viewer.drop()

    wanted = list(range(1, final + 1))
    exact = sum(1 for v in viewers if v.seqs == wanted)
    gaps = sum(1 for v in viewers if len(set(v.seqs)) < len(wanted) or set(v.seqs) != set(wanted))
    duplicates = sum(1 for v in viewers if len(v.seqs) != len(set(v.seqs)))
    disorder = sum(1 for v in viewers if v.seqs != sorted(v.seqs))
    return {"viewers": args.viewers, "events_before": expected_first, "events_missed": args.missed, "events_after": args.after,
            "connect_seconds": round(connect_seconds, 2), "reconnect_all_seconds": round(reconnect_seconds, 2),
            "all_caught_up_seconds": round(caught_up_seconds, 2), "viewers_exact": exact, "viewers_with_gaps": gaps,
            "viewers_with_duplicates": duplicates, "viewers_out_of_order": disorder, "resyncs": sum(v.resyncs for v in viewers),
            "before_complete": all(b == list(range(1, expected_first + 1)) for b in before)}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--binary", default=".build/debug/goodcast")
    parser.add_argument("--viewers", type=int, default=2000)
    parser.add_argument("--before", type=int, default=10)
    parser.add_argument("--missed", type=int, default=30)
    parser.add_argument("--after", type=int, default=10)
    args = parser.parse_args()
    deployment = Deployment(args.binary, prefix="goodcast-storm-")
    try:
        deployment.start()
        report = asyncio.run(storm(args, deployment))
        deployment.stop()
        print(json.dumps(report))
        ok = report["viewers_exact"] == args.viewers and report["before_complete"]
        print(f"reconnect storm: {'PASS' if ok else 'FAIL'}")
        return 0 if ok else 1
    finally:
        deployment.close()


if __name__ == "__main__":
    sys.exit(main())
