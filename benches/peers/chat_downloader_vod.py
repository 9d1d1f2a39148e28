#!/usr/bin/env python3
"""Peer of the chat replay benchmark: chat-downloader reads one VOD's chat replay, with its default settings.

chat-downloader has no setting for Twitch's GQL address: its `TwitchChatDownloader._GQL_API_URL` class constant
is replaced here by the fake's. Its VOD path (`get_chat` -> `get_chat_by_vod_id`) first asks GQL for
`VideoMetadata` and `ChatList_Badges`, which the fake does not serve (it serves chat replay only): those two are
answered here, locally, with the video's length and no badges; every `VideoCommentsByOffsetOrCursor` page goes to
the fake. chat-downloader walks one cursor chain, one request at a time, whatever its settings: its default is
already a single segment. It yields messages (its default writes no file); this counts them. Prints one JSON
line: messages, wall seconds.

    python chat_downloader_vod.py --gql URL --video-id ID --login LOGIN --length-seconds N
"""

import argparse
import json
import time

from chat_downloader import ChatDownloader
from chat_downloader.sites.twitch import TwitchChatDownloader


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--gql", required=True)
    p.add_argument("--video-id", required=True)
    p.add_argument("--login", required=True)
    p.add_argument("--length-seconds", type=int, required=True)
    a = p.parse_args()

    TwitchChatDownloader._GQL_API_URL = a.gql
    replay = TwitchChatDownloader._download_gql

    def download_gql(self, ops):
        names = {op["operationName"] for op in ops}
        if names == {"VideoMetadata"}:
            video = {"id": a.video_id, "title": "fake", "lengthSeconds": a.length_seconds, "owner": {"login": a.login}}
            return [{"data": {"video": video}}]
        if names == {"ChatList_Badges"}:
            return [{"data": {"badges": [], "user": {"broadcastBadges": []}}}]
        return replay(self, ops)

    TwitchChatDownloader._download_gql = download_gql
    started = time.perf_counter()
    chat = ChatDownloader().get_chat(f"https://www.twitch.tv/videos/{a.video_id}")
    count = sum(1 for _ in chat)
    print(json.dumps({"items": count, "seconds": time.perf_counter() - started}))


main()
