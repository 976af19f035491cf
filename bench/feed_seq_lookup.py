#!/usr/bin/env python3
"""How long finding a feed's next `seq` takes as the feed grows, with the query Goodcast used
until 2026-11-26 (grouped MAX over the feeds of a batch) and the one it uses now (one MAX per
feed). The table and its unique (feed_id, seq) index are the `feed_events` of the migration;
SQLite here is Python's, which plans these queries as the server's does (EXPLAIN QUERY PLAN is
printed). Usage: python3 bench/feed_seq_lookup.py [--sizes 1000,10000,100000]
"""
import argparse, os, sqlite3, tempfile, time, uuid

GROUPED = 'SELECT "feed_id", MAX("seq") AS "seq" FROM "feed_events" WHERE "feed_id" IN (?) GROUP BY "feed_id"'
PER_FEED = 'SELECT MAX("seq") AS "seq" FROM "feed_events" WHERE "feed_id" = ?'


def timed(db, query, args, repeat):
    started = time.perf_counter()
    for _ in range(repeat):
        db.execute(query, args).fetchall()
    return (time.perf_counter() - started) / repeat * 1000


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="1000,10000,100000")
    options = parser.parse_args()
    folder = tempfile.mkdtemp(prefix="goodcast-seq-")
    db = sqlite3.connect(os.path.join(folder, "feed.sqlite"))
    db.execute("PRAGMA journal_mode=WAL")
    db.execute('CREATE TABLE "feed_events" ("feed_id" TEXT NOT NULL, "seq" INTEGER NOT NULL, "kind" TEXT NOT NULL, '
               '"payload" TEXT NOT NULL, "created_at" REAL NOT NULL, UNIQUE ("feed_id", "seq"))')
    feed = str(uuid.uuid4())
    other = str(uuid.uuid4())
    print("plan, grouped:", db.execute("EXPLAIN QUERY PLAN " + GROUPED, (feed,)).fetchall())
    print("plan, per feed:", db.execute("EXPLAIN QUERY PLAN " + PER_FEED, (feed,)).fetchall())
    print("\n| events in the live's feed | grouped MAX ms | per-feed MAX ms | ratio |")
    print("|---:|---:|---:|---:|")
    have = 0
    payload = '{"type":"donation","amount":{"amount":500,"currency":"USD"},"message":"' + "x" * 120 + '"}'
    for size in [int(s) for s in options.sizes.split(",")]:
        rows = [(f, seq, "donation", payload, 0.0) for seq in range(have + 1, size + 1) for f in (feed, other)]
        db.executemany('INSERT INTO "feed_events" VALUES (?, ?, ?, ?, ?)', rows)
        db.commit()
        have = size
        grouped = timed(db, GROUPED, (feed,), 50)
        per_feed = timed(db, PER_FEED, (feed,), 2000)
        print(f"| {size:,} | {grouped:.3f} | {per_feed:.4f} | {grouped / per_feed:,.0f} |")
    db.close()


if __name__ == "__main__":
    main()
