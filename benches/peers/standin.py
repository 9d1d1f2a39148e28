#!/usr/bin/env python3
"""A stand-in for Helix Get Channel Followers in plain Python (stdlib only), to weigh the fake Twitch against.

Serves `GET /helix/channels/followers?broadcaster_id=..&first=..&after=..` for N synthetic followers, newest
first, in Helix's shape: `{"data":[{user_id,user_login,user_name,followed_at}],"pagination":{"cursor":..},
"total":N}`, cursors base64 of `{"b":null,"a":{"Cursor":"<position>"}}` like Twitch's, 100 a page at most.
Any token and client id are accepted. `GET /_mock/stats` answers `helix_requests` and `busy_micros` (time spent
building answers) with the same names as `itch mock-api`, so `examples/page_followers --helix-url` reads both.

An asyncio server with HTTP/1.1 keep-alive, so the comparison is with a quick Python server, not a slow one.

    python3 benches/peers/standin.py --followers 1000000 --port 0   # prints "listening on http://127.0.0.1:PORT"
"""

import argparse
import asyncio
import base64
import json
import time
from datetime import datetime, timedelta, timezone
from urllib.parse import parse_qs, urlsplit

START = datetime(2026, 1, 1, tzinfo=timezone.utc)


class Followers:
    def __init__(self, n):
        self.n = n
        self.requests = 0
        self.busy = 0.0

    def page(self, query):
        first = int(query.get("first", ["20"])[0])
        if not 1 <= first <= 100:
            return 400, {"error": "Bad Request", "status": 400, "message": "Invalid first"}
        after = query.get("after", [None])[0]
        pos = 0
        if after:
            try:
                raw = base64.b64decode(after + "=" * (-len(after) % 4))
                pos = int(json.loads(raw)["a"]["Cursor"])
            except (ValueError, KeyError, TypeError):
                return 400, {"error": "Bad Request", "status": 400, "message": "Invalid cursor."}
        end = min(pos + first, self.n)
        data = []
        for i in range(pos, end):
            # Newest first: follower i followed i minutes before the newest.
            uid = str(100_000_000 + self.n - i)
            data.append(
                {
                    "user_id": uid,
                    "user_login": "follower" + uid,
                    "user_name": "Follower" + uid,
                    "followed_at": (START - timedelta(minutes=i)).strftime("%Y-%m-%dT%H:%M:%SZ"),
                }
            )
        pagination = {}
        if end < self.n:
            inner = json.dumps({"b": None, "a": {"Cursor": str(end)}}, separators=(",", ":"))
            pagination["cursor"] = base64.b64encode(inner.encode()).decode().rstrip("=")
        return 200, {"data": data, "pagination": pagination, "total": self.n}

    def answer(self, target):
        url = urlsplit(target)
        if url.path == "/_mock/stats":
            return 200, {"helix_requests": self.requests, "busy_micros": int(self.busy * 1e6)}
        if url.path != "/helix/channels/followers":
            return 404, {"error": "Not Found", "status": 404, "message": ""}
        started = time.perf_counter()
        self.requests += 1
        status, body = self.page(parse_qs(url.query))
        out = json.dumps(body, separators=(",", ":")).encode()
        self.busy += time.perf_counter() - started
        return status, out


REASONS = {200: "OK", 400: "Bad Request", 404: "Not Found"}


async def serve_connection(followers, reader, writer):
    try:
        while True:
            head = await reader.readuntil(b"\r\n\r\n")
            lines = head.decode("latin-1").split("\r\n")
            method, target, _ = lines[0].split(" ", 2)
            length = 0
            for line in lines[1:]:
                name, _, value = line.partition(":")
                if name.strip().lower() == "content-length":
                    length = int(value)
            if length:
                await reader.readexactly(length)
            status, body = followers.answer(target)
            if not isinstance(body, bytes):
                body = json.dumps(body).encode()
            writer.write(
                b"HTTP/1.1 %d %s\r\ncontent-type: application/json; charset=utf-8\r\ncontent-length: %d\r\n\r\n"
                % (status, REASONS.get(status, "Error").encode(), len(body))
                + body
            )
            await writer.drain()
    except (asyncio.IncompleteReadError, ConnectionError, ValueError):
        pass
    finally:
        writer.close()


async def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--followers", type=int, default=1_000_000)
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=0)
    args = p.parse_args()
    followers = Followers(args.followers)
    server = await asyncio.start_server(lambda r, w: serve_connection(followers, r, w), args.host, args.port)
    host, port = server.sockets[0].getsockname()[:2]
    print(f"listening on http://{host}:{port}", flush=True)
    async with server:
        await server.serve_forever()


if __name__ == "__main__":
    try:
        asyncio.run(main())
    except KeyboardInterrupt:
        pass
