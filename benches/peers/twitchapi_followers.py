#!/usr/bin/env python3
"""Peer A of the followers benchmark: twitchAPI fetches a channel's bare follower list into a fresh SQLite file.

Run with the venv that `benches/peers/run` makes; twitchAPI is pointed at the fake by its own `base_url` and
`auth_base_url` settings (nothing else is patched). Prints one JSON line: followers stored, wall seconds.

    python twitchapi_followers.py --helix URL --oauth URL --client-id ID --client-secret S \
        --token T --refresh R --broadcaster-id ID --db out.db
"""

import argparse
import asyncio
import json
import sqlite3
import time

from twitchAPI.twitch import Twitch
from twitchAPI.type import AuthScope


async def main():
    p = argparse.ArgumentParser()
    for name in ("helix", "oauth", "client-id", "client-secret", "token", "refresh", "broadcaster-id", "db"):
        p.add_argument("--" + name, required=True)
    a = p.parse_args()
    started = time.perf_counter()
    twitch = await Twitch(a.client_id, a.client_secret, base_url=a.helix, auth_base_url=a.oauth)
    await twitch.set_user_authentication(a.token, [AuthScope.MODERATOR_READ_FOLLOWERS], a.refresh)
    db = sqlite3.connect(a.db)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute(
        "CREATE TABLE follows (user_id TEXT PRIMARY KEY, user_login TEXT, user_name TEXT, followed_at TEXT)"
    )
    rows = []
    result = await twitch.get_channel_followers(a.broadcaster_id, first=100)
    async for f in result:
        rows.append((f.user_id, f.user_login, f.user_name, f.followed_at.isoformat()))
        if len(rows) == 1000:
            with db:
                db.executemany("INSERT OR REPLACE INTO follows VALUES (?, ?, ?, ?)", rows)
            rows.clear()
    with db:
        db.executemany("INSERT OR REPLACE INTO follows VALUES (?, ?, ?, ?)", rows)
    stored = db.execute("SELECT count(*) FROM follows").fetchone()[0]
    db.close()
    await twitch.close()
    print(json.dumps({"items": stored, "seconds": time.perf_counter() - started}))


asyncio.run(main())
