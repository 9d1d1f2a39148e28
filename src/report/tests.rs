//! Report tests over a small hand-made archive whose expected rows are worked out by hand below.

use super::*;
use crate::report::time::{parse_since, parse_until};
use std::path::Path;

/// Channel `chan` (id 1, created 2015-01-01) with snapshots of 100 then 103 followers, then one that did not count
/// them; followers alice (at exactly 2026-01-01T00:00:00Z), bob, carol (not hydrated, at the last second of
/// January), erin (at 2026-02-01T00:00:00Z, the second her account was made); dave unfollowed. `lonely` is a user
/// but not a channel; `quiet` is a channel with a snapshot and nothing else.
const FIXTURE: &str = r#"
INSERT INTO users (id, login, display_name, created_at, first_seen_at, last_seen_at) VALUES
    ('1', 'chan',   'Chan',  '2015-01-01T00:00:00Z', '2026-01-01T00:00:00Z', '2026-01-20T00:00:00Z'),
    ('2', 'alice',  'alice', '2020-01-01T00:00:00Z', '2026-01-01T00:00:00Z', '2026-01-20T00:00:00Z'),
    ('3', 'bob',    'bob',   '2026-01-10T00:00:00Z', '2026-01-15T00:00:00Z', '2026-01-20T00:00:00Z'),
    ('4', 'carol',  'carol', NULL,                   '2026-02-01T00:00:00Z', '2026-02-01T00:00:00Z'),
    ('5', 'dave',   'dave',  '2019-06-01T00:00:00Z', '2026-01-01T00:00:00Z', '2026-01-15T00:00:00Z'),
    ('6', 'lonely', 'lonely','2018-01-01T00:00:00Z', '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z'),
    ('7', 'quiet',  'quiet', '2017-01-01T00:00:00Z', '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z'),
    ('8', 'erin',   'erin',  '2026-02-01T00:00:00Z', '2026-02-01T00:00:00Z', '2026-02-01T00:00:00Z');
INSERT INTO channels (broadcaster_id, broadcaster_login, broadcaster_name, title, first_seen_at, last_seen_at)
VALUES ('1', 'chan', 'Chan', 'hello', '2026-01-01T00:00:00Z', '2026-01-20T00:00:00Z');
INSERT INTO channel_snapshots (broadcaster_id, taken_at, follower_total) VALUES
    ('1', '2026-01-01T00:00:00Z', 100),
    ('1', '2026-01-15T00:00:00Z', 103),
    ('1', '2026-01-20T00:00:00Z', NULL),
    ('7', '2026-01-01T00:00:00Z', 5);
INSERT INTO follows (broadcaster_id, user_id, followed_at, first_seen_at, last_seen_at, unfollowed_seen_at) VALUES
    ('1', '2', '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z', '2026-02-01T00:00:00Z', NULL),
    ('1', '3', '2026-01-10T12:00:00Z', '2026-01-15T00:00:00Z', '2026-02-01T00:00:00Z', NULL),
    ('1', '4', '2026-01-31T23:59:59Z', '2026-02-01T00:00:00Z', '2026-02-01T00:00:00Z', NULL),
    ('1', '8', '2026-02-01T00:00:00Z', '2026-02-01T00:00:00Z', '2026-02-01T00:00:00Z', NULL),
    ('1', '5', '2025-12-31T23:59:59Z', '2026-01-01T00:00:00Z', '2026-01-15T00:00:00Z', '2026-01-20T00:00:00Z'),
    ('7', '2', '2026-01-02T00:00:00Z', '2026-01-02T00:00:00Z', '2026-01-02T00:00:00Z', '2026-01-03T00:00:00Z');
INSERT INTO videos (id, user_id, type, title, created_at, published_at, url, view_count, duration, duration_seconds,
                    first_seen_at, last_seen_at, deleted_seen_at) VALUES
    ('1001', '1', 'archive', 'Tab	here', '2026-01-05T10:00:00Z', '2026-01-05T10:00:00Z',
     'https://www.twitch.tv/videos/1001', 10, '1h0m0s', 3600, '2026-01-06T00:00:00Z', '2026-01-20T00:00:00Z', NULL),
    ('1002', '1', 'highlight', 'Hello, "world"', '2026-01-06T00:00:00Z', '2026-01-06T00:05:00Z',
     'https://www.twitch.tv/videos/1002', 3, '1m30s', 90, '2026-01-06T00:00:00Z', '2026-01-15T00:00:00Z',
     '2026-01-20T00:00:00Z'),
    ('1003', '1', 'upload', 'two
lines \ and a backslash', '2026-01-07T00:00:00Z', NULL, 'https://www.twitch.tv/videos/1003', NULL, '5s', 5,
     '2026-01-07T00:00:00Z', '2026-01-20T00:00:00Z', NULL);
"#;

/// More of the archive, for the reports added after the first six; nothing in it changes their rows.
///
/// `chan` follows `quiet` (since 2026-01-03), `big` (id 9, not a channel, since 2026-01-04 12:00) and no longer
/// `lonely`; two chatter snapshots of `chan`: alice and bob on the 10th, alice, carol and erin on the 20th.
///
/// `rig` (id 20) has: streams 601 (seen live from 17:59:30, VOD 2001 ends it at 19:30 exactly, before the sync that
/// found it over at 19:45), 602 (no VOD: ends when a sync found it over, 18:45) and 603 (still live, last seen
/// 19:00); archive VODs 2002 (its stream never seen live, 18:00 + 1 h) and 2003 (no stream id, deleted,
/// 12:00 + 30 min); a highlight, which is no session. Viewer snapshots: 601 at 18:15 (100) and 18:45 (150, no title
/// of its own), 602 at 18:15 (80). VOD 2001's chat is complete (four messages, two in the same second, one from a
/// commenter Twitch no longer knows); 2002's download is under way with two messages saved so far;
/// 2003's chat was never fetched.
///
/// Followers of `rig`, in three waves plus organic ones: wave A is 25 accounts made a minute apart from
/// 2025-06-01 00:00, following 30 s apart from 2026-02-01 12:00; between them, in the same burst of follows,
/// 30 organic accounts made 100 days apart from 2015-01-01. Wave B is 10 accounts made 10 s apart from
/// 2024-01-01, following 5 s apart from 2026-02-15 09:00. Wave C is 20 accounts made 200 s apart from 2026-02-10,
/// following 250 s apart from 2026-02-20, the last of which has since unfollowed.
const MORE: &str = r#"
INSERT INTO users (id, login, display_name, created_at, first_seen_at, last_seen_at) VALUES
    ('9',  'big', 'Big', NULL,                   '2026-01-04T00:00:00Z', '2026-01-04T00:00:00Z'),
    ('20', 'rig', 'Rig', '2014-06-01T00:00:00Z', '2026-02-01T00:00:00Z', '2026-03-05T19:00:00Z');
INSERT INTO channels (broadcaster_id, broadcaster_login, broadcaster_name, title, first_seen_at, last_seen_at)
VALUES ('20', 'rig', 'Rig', 'rig night', '2026-02-01T00:00:00Z', '2026-03-05T19:00:00Z');
INSERT INTO channel_snapshots (broadcaster_id, taken_at, follower_total) VALUES
    ('20', '2026-02-01T00:00:00Z', 10),
    ('20', '2026-02-10T00:00:00Z', 60),
    ('20', '2026-03-05T19:00:00Z', 85);
INSERT INTO follows (broadcaster_id, user_id, followed_at, first_seen_at, last_seen_at, unfollowed_seen_at) VALUES
    ('7', '1', '2026-01-03T00:00:00Z', '2026-01-03T00:00:00Z', '2026-01-20T00:00:00Z', NULL),
    ('9', '1', '2026-01-04T12:00:00Z', '2026-01-04T12:00:00Z', '2026-01-20T00:00:00Z', NULL),
    ('6', '1', '2026-01-02T00:00:00Z', '2026-01-02T00:00:00Z', '2026-01-10T00:00:00Z', '2026-01-20T00:00:00Z');
INSERT INTO chatter_snapshots (id, broadcaster_id, taken_at, total) VALUES
    (1, '1', '2026-01-10T00:00:00Z', 2),
    (2, '1', '2026-01-20T00:00:00Z', 3);
INSERT INTO chatter_snapshot_users (snapshot_id, user_id) VALUES (1, '3'), (1, '2'), (2, '8'), (2, '4'), (2, '2');

INSERT INTO streams (id, user_id, title, started_at, first_seen_at, last_seen_at, ended_seen_at) VALUES
    ('601', '20', 'rig night', '2026-03-01T17:59:30Z', '2026-03-01T18:15:00Z', '2026-03-01T19:15:00Z',
     '2026-03-01T19:45:00Z'),
    ('602', '20', 'second', '2026-03-03T18:00:00Z', '2026-03-03T18:15:00Z', '2026-03-03T18:30:00Z',
     '2026-03-03T18:45:00Z'),
    ('603', '20', 'live', '2026-03-05T18:00:00Z', '2026-03-05T18:15:00Z', '2026-03-05T19:00:00Z', NULL);
INSERT INTO stream_snapshots (stream_id, taken_at, viewer_count, title) VALUES
    ('601', '2026-03-01T18:15:00Z', 100, 'opening'),
    ('601', '2026-03-01T18:45:00Z', 150, NULL),
    ('602', '2026-03-03T18:15:00Z', 80, 'second');
INSERT INTO videos (id, user_id, stream_id, type, title, created_at, duration, duration_seconds, first_seen_at,
                    last_seen_at, deleted_seen_at, chat_status) VALUES
    ('2001', '20', '601', 'archive', 'rig night', '2026-03-01T18:00:00Z', '1h30m0s', 5400, '2026-03-02T00:00:00Z',
     '2026-03-05T19:00:00Z', NULL, 'complete'),
    ('2002', '20', '599', 'archive', 'earlier', '2026-02-20T18:00:00Z', '1h0m0s', 3600, '2026-02-21T00:00:00Z',
     '2026-03-05T19:00:00Z', NULL, 'partial'),
    ('2003', '20', NULL, 'archive', 'gone', '2026-02-10T12:00:00Z', '30m0s', 1800, '2026-02-11T00:00:00Z',
     '2026-02-20T00:00:00Z', '2026-02-21T00:00:00Z', NULL),
    ('2004', '20', NULL, 'highlight', 'best of', '2026-02-25T00:00:00Z', '5m0s', 300, '2026-02-25T00:00:00Z',
     '2026-03-05T19:00:00Z', NULL, NULL);
INSERT INTO chat_messages (id, source, video_id, broadcaster_id, user_id, user_login, user_name, offset_seconds,
                           created_at, text, first_seen_at) VALUES
    ('m0', 'replay', '2001', '20', '2', 'alice', 'alice', 3600, '2026-03-01T19:00:00Z', 'bye pog', '2026-03-02'),
    ('m2', 'replay', '2001', '20', NULL, NULL, 'Ghost', 5, '2026-03-01T18:00:05Z', 'boo', '2026-03-02'),
    ('m1', 'replay', '2001', '20', '2', 'alice', 'alice', 5, '2026-03-01T18:00:05Z', 'hello', '2026-03-02'),
    ('m3', 'replay', '2001', '20', '3', 'bob', 'bob', 65, '2026-03-01T18:01:05Z', 'tab	here, hello again', '2026-03-02');
INSERT INTO chat_messages (id, source, video_id, broadcaster_id, user_login, user_name, offset_seconds, created_at,
                           text, first_seen_at) VALUES
    ('s1', 'replay', '2002', '20', 'bob', 'bob', 10, '2026-02-20T18:00:10Z', 'first', '2026-03-05T00:00:00Z'),
    ('s2', 'replay', '2002', '20', 'erin', 'erin', 20, '2026-02-20T18:00:20Z', 'second', '2026-03-05T00:00:00Z');

WITH RECURSIVE i(n) AS (SELECT 0 UNION ALL SELECT n + 1 FROM i WHERE n < 29)
INSERT INTO users (id, login, created_at, first_seen_at, last_seen_at)
SELECT 'a' || n, 'wave_a' || n, strftime('%Y-%m-%dT%H:%M:%SZ', '2025-06-01', '+' || (n * 60) || ' seconds'),
       '2026-02-01T00:00:00Z', '2026-02-01T00:00:00Z' FROM i WHERE n < 25
UNION ALL
SELECT 'o' || n, 'organic' || n, strftime('%Y-%m-%dT%H:%M:%SZ', '2015-01-01', '+' || (n * 100) || ' days'),
       '2026-02-01T00:00:00Z', '2026-02-01T00:00:00Z' FROM i
UNION ALL
SELECT 'b' || n, 'wave_b' || n, strftime('%Y-%m-%dT%H:%M:%SZ', '2024-01-01', '+' || (n * 10) || ' seconds'),
       '2026-02-15T00:00:00Z', '2026-02-15T00:00:00Z' FROM i WHERE n < 10
UNION ALL
SELECT 'c' || n, 'wave_c' || n, strftime('%Y-%m-%dT%H:%M:%SZ', '2026-02-10', '+' || (n * 200) || ' seconds'),
       '2026-02-20T00:00:00Z', '2026-02-20T00:00:00Z' FROM i WHERE n < 20;
WITH RECURSIVE i(n) AS (SELECT 0 UNION ALL SELECT n + 1 FROM i WHERE n < 29)
INSERT INTO follows (broadcaster_id, user_id, followed_at, first_seen_at, last_seen_at, unfollowed_seen_at)
SELECT '20', 'a' || n, strftime('%Y-%m-%dT%H:%M:%SZ', '2026-02-01T12:00:00', '+' || (n * 30) || ' seconds'),
       '2026-02-02T00:00:00Z', '2026-03-05T19:00:00Z', NULL FROM i WHERE n < 25
UNION ALL
SELECT '20', 'o' || n, strftime('%Y-%m-%dT%H:%M:%SZ', '2026-02-01T12:00:15', '+' || (n * 20) || ' seconds'),
       '2026-02-02T00:00:00Z', '2026-03-05T19:00:00Z', NULL FROM i
UNION ALL
SELECT '20', 'b' || n, strftime('%Y-%m-%dT%H:%M:%SZ', '2026-02-15T09:00:00', '+' || (n * 5) || ' seconds'),
       '2026-02-16T00:00:00Z', '2026-03-05T19:00:00Z', NULL FROM i WHERE n < 10
UNION ALL
SELECT '20', 'c' || n, strftime('%Y-%m-%dT%H:%M:%SZ', '2026-02-20T00:00:00', '+' || (n * 250) || ' seconds'),
       '2026-02-21T00:00:00Z', '2026-03-05T19:00:00Z', CASE WHEN n = 19 THEN '2026-03-05T19:00:00Z' END
FROM i WHERE n < 20;
"#;

/// The live record of `stage` (id 50), for the reports over chat events (issue 13); nothing in it changes the
/// rows of the reports above (its texts share no word with their searches).
///
/// VOD 5001 runs 2026-04-01 20:00 to 22:00. In it: a raid by raider_one (430 viewers) at 20:10, followed by f1
/// at 20:10:00 exactly, f2 at 20:25 (since unfollowed) and f3 at 20:40:00 exactly (30 minutes on), f4 one second
/// later and f0 five minutes before; fan's resub (14 months, streak 3) with a text at 20:20; gifter's gift bomb
/// of 5 and one of its gifts (to lucky) at 20:30; a sub relayed from another room of a shared chat at 20:40; an
/// announcement at 20:50; lucky's ritual at 22:00:00, the VOD's last second. Outside it: lucky's Prime sub at
/// 19:00 and raider_two's raid (12 viewers) the next day, which no follow followed.
///
/// Moderation: troll timed out for 600 s at 20:15:30, marking his two messages; fan's 'a fine line' deleted
/// with Twitch repeating its text, fan's 'oops typo' deleted without (the CLEARMSG named only its id and the
/// author's id), a deletion of a message the archive never had, troll banned at 20:18 (nothing left to mark), a
/// replay message deleted at 20:31:10, and a chat clear at 21:00 that marked nothing.
///
/// Gaps: 20:30:00 to 20:32:00 (a reconnect), which the VOD's replay fills with three messages (one at each end,
/// one deleted) beside a live one; a replay message at 20:33 falls after it. 2026-04-02 12:00:00 to 12:00:05
/// (a lost connection), after the VOD, with nothing to fill it.
const LIVE: &str = r#"
INSERT INTO users (id, login, display_name, created_at, first_seen_at, last_seen_at) VALUES
    ('50', 'stage',      'Stage',      '2016-01-01T00:00:00Z', '2026-04-01T00:00:00Z', '2026-04-02T12:00:00Z'),
    ('51', 'raider_one', 'Raider_One', NULL, '2026-04-01T20:10:00Z', '2026-04-01T20:10:00Z'),
    ('52', 'raider_two', 'Raider_Two', NULL, '2026-04-02T12:00:00Z', '2026-04-02T12:00:00Z'),
    ('53', 'fan',        'Fan',        NULL, '2026-04-01T20:00:00Z', '2026-04-01T20:00:00Z'),
    ('54', 'troll',      'Troll',      NULL, '2026-04-01T20:00:00Z', '2026-04-01T20:00:00Z'),
    ('55', 'gifter',     'Gifter',     NULL, '2026-04-01T20:00:00Z', '2026-04-01T20:00:00Z'),
    ('56', 'lucky',      'Lucky',      NULL, '2026-04-01T19:00:00Z', '2026-04-01T22:00:00Z'),
    ('60', 'f0', 'f0', NULL, '2026-04-01T20:05:00Z', '2026-04-01T20:05:00Z'),
    ('61', 'f1', 'f1', NULL, '2026-04-01T20:10:00Z', '2026-04-01T20:10:00Z'),
    ('62', 'f2', 'f2', NULL, '2026-04-01T20:25:00Z', '2026-04-01T20:25:00Z'),
    ('63', 'f3', 'f3', NULL, '2026-04-01T20:40:00Z', '2026-04-01T20:40:00Z'),
    ('64', 'f4', 'f4', NULL, '2026-04-01T20:40:01Z', '2026-04-01T20:40:01Z');
INSERT INTO channels (broadcaster_id, broadcaster_login, broadcaster_name, title, first_seen_at, last_seen_at)
VALUES ('50', 'stage', 'Stage', 'stage night', '2026-04-01T00:00:00Z', '2026-04-02T12:00:00Z');
INSERT INTO follows (broadcaster_id, user_id, followed_at, first_seen_at, last_seen_at, unfollowed_seen_at) VALUES
    ('50', '60', '2026-04-01T20:05:00Z', '2026-04-02T00:00:00Z', '2026-04-03T00:00:00Z', NULL),
    ('50', '61', '2026-04-01T20:10:00Z', '2026-04-02T00:00:00Z', '2026-04-03T00:00:00Z', NULL),
    ('50', '62', '2026-04-01T20:25:00Z', '2026-04-02T00:00:00Z', '2026-04-02T00:00:00Z', '2026-04-03T00:00:00Z'),
    ('50', '63', '2026-04-01T20:40:00Z', '2026-04-02T00:00:00Z', '2026-04-03T00:00:00Z', NULL),
    ('50', '64', '2026-04-01T20:40:01Z', '2026-04-02T00:00:00Z', '2026-04-03T00:00:00Z', NULL);
INSERT INTO videos (id, user_id, type, title, created_at, duration, duration_seconds, first_seen_at, last_seen_at,
                    chat_status) VALUES
    ('5001', '50', 'archive', 'stage night', '2026-04-01T20:00:00Z', '2h0m0s', 7200, '2026-04-02T00:00:00Z',
     '2026-04-02T00:00:00Z', 'complete');
INSERT INTO chat_events (id, broadcaster_id, kind, user_id, user_login, user_name, created_at, months,
                         streak_months, tier, gift_count, recipient_id, recipient_login, recipient_name,
                         viewer_count, system_message, has_message, source_room_id, params_json, irc_line,
                         first_seen_at) VALUES
    ('e_raid1', '50', 'raid', '51', 'raider_one', 'Raider_One', '2026-04-01T20:10:00Z', NULL, NULL, NULL, NULL,
     NULL, NULL, NULL, 430, '430 raiders from Raider_One have joined!', 0, NULL, '{}', 'raid1', 'x'),
    ('e_raid2', '50', 'raid', '52', 'raider_two', 'Raider_Two', '2026-04-02T12:00:00Z', NULL, NULL, NULL, NULL,
     NULL, NULL, NULL, 12, NULL, 0, NULL, '{}', 'raid2', 'x'),
    ('e_resub', '50', 'resub', '53', 'fan', 'Fan', '2026-04-01T20:20:00Z', 14, 3, '1000', NULL,
     NULL, NULL, NULL, NULL, NULL, 1, NULL, '{}', 'resub', 'x'),
    ('e_bomb', '50', 'submysterygift', '55', 'gifter', 'Gifter', '2026-04-01T20:30:00Z', NULL, NULL, '1000', 5,
     NULL, NULL, NULL, NULL, NULL, 0, NULL, '{}', 'bomb', 'x'),
    ('e_gift', '50', 'subgift', '55', 'gifter', 'Gifter', '2026-04-01T20:30:00Z', 1, NULL, '1000', 1,
     '56', 'lucky', 'Lucky', NULL, NULL, 0, NULL, '{}', 'gift', 'x'),
    ('e_shared', '50', 'sharedchatnotice', '53', 'fan', 'Fan', '2026-04-01T20:40:00Z', NULL, NULL, '1000', NULL,
     NULL, NULL, NULL, NULL, NULL, 0, '99', '{}', 'shared', 'x'),
    ('e_ann', '50', 'announcement', '50', 'stage', 'Stage', '2026-04-01T20:50:00Z', NULL, NULL, NULL, NULL,
     NULL, NULL, NULL, NULL, NULL, 1, NULL, '{}', 'announcement', 'x'),
    ('e_ritual', '50', 'ritual', '56', 'lucky', 'Lucky', '2026-04-01T22:00:00Z', NULL, NULL, NULL, NULL,
     NULL, NULL, NULL, NULL, NULL, 0, NULL, '{}', 'ritual', 'x'),
    ('e_prime', '50', 'sub', '56', 'lucky', 'Lucky', '2026-04-01T19:00:00Z', 1, NULL, 'Prime', NULL,
     NULL, NULL, NULL, NULL, NULL, 0, NULL, '{}', 'prime', 'x');
INSERT INTO chat_moderation (seq, broadcaster_id, action, created_at, target_user_id, target_login,
                             duration_seconds, target_message_id, deleted_text, messages_marked, irc_line,
                             first_seen_at) VALUES
    (1, '50', 'timeout', '2026-04-01T20:15:30Z', '54', 'troll', 600, NULL, NULL, 2, 'timeout', 'x'),
    (2, '50', 'delete', '2026-04-01T20:16:30Z', '53', 'fan', NULL, 'l3', 'a fine line', 1, 'delete l3', 'x'),
    (3, '50', 'delete', '2026-04-01T20:17:30Z', '53', NULL, NULL, 'l4', NULL, 1, 'delete l4', 'x'),
    (4, '50', 'delete', '2026-04-01T20:17:45Z', NULL, 'troll', NULL, 'never', NULL, 0, 'delete never', 'x'),
    (5, '50', 'ban', '2026-04-01T20:18:00Z', '54', 'troll', NULL, NULL, NULL, 0, 'ban', 'x'),
    (6, '50', 'delete', '2026-04-01T20:31:10Z', '54', 'troll', NULL, 'r2', 'gap line two', 1, 'delete r2', 'x'),
    (7, '50', 'clear', '2026-04-01T21:00:00Z', NULL, NULL, NULL, NULL, NULL, 0, 'clear', 'x');
INSERT INTO chat_messages (id, source, kind, video_id, broadcaster_id, user_id, user_login, user_name,
                           offset_seconds, created_at, text, deleted_at, deleted_by, first_seen_at) VALUES
    ('e_resub', 'live', 'resub', NULL, '50', '53', 'fan', 'Fan', NULL, '2026-04-01T20:20:00Z',
     'fourteen months already', NULL, NULL, 'x'),
    ('e_ann', 'live', 'announcement', NULL, '50', '50', 'stage', 'Stage', NULL, '2026-04-01T20:50:00Z',
     'welcome raiders', NULL, NULL, 'x'),
    ('l1', 'live', 'chat', NULL, '50', '54', 'troll', 'Troll', NULL, '2026-04-01T20:14:00Z', 'first troll line',
     '2026-04-01T20:15:30Z', 1, 'x'),
    ('l2', 'live', 'chat', NULL, '50', '54', 'troll', 'Troll', NULL, '2026-04-01T20:15:00Z', 'second troll line',
     '2026-04-01T20:15:30Z', 1, 'x'),
    ('l3', 'live', 'chat', NULL, '50', '53', 'fan', 'Fan', NULL, '2026-04-01T20:16:00Z', 'a fine line',
     '2026-04-01T20:16:30Z', 2, 'x'),
    ('l4', 'live', 'chat', NULL, '50', '53', 'fan', 'Fan', NULL, '2026-04-01T20:17:00Z', 'oops typo',
     '2026-04-01T20:17:30Z', 3, 'x'),
    ('l5', 'live', 'chat', NULL, '50', '53', 'fan', 'Fan', NULL, '2026-04-01T20:31:30Z', 'live line in the gap',
     NULL, NULL, 'x'),
    ('r1', 'replay', 'chat', '5001', '50', '53', 'fan', 'Fan', 1800, '2026-04-01T20:30:00Z', 'gap line one',
     NULL, NULL, 'x'),
    ('r2', 'replay', 'chat', '5001', '50', '54', 'troll', 'Troll', 1860, '2026-04-01T20:31:00Z', 'gap line two',
     '2026-04-01T20:31:10Z', 6, 'x'),
    ('r3', 'replay', 'chat', '5001', '50', '53', 'fan', 'Fan', 1920, '2026-04-01T20:32:00Z', 'gap line three',
     NULL, NULL, 'x'),
    ('r4', 'replay', 'chat', '5001', '50', '53', 'fan', 'Fan', 1980, '2026-04-01T20:33:00Z', 'after the gap',
     NULL, NULL, 'x');
INSERT INTO chat_gaps (broadcaster_id, started_at, ended_at, reason) VALUES
    ('50', '2026-04-01T20:30:00Z', '2026-04-01T20:32:00Z', 'reconnect'),
    ('50', '2026-04-02T12:00:00Z', '2026-04-02T12:00:05Z', 'connection lost');
"#;

/// alice: 2020-01-01 to 2026-01-01 is six years with two leap days (2020, 2024).
const ALICE_SECONDS: i64 = (6 * 365 + 2) * 86_400;

/// A fresh archive holding [`FIXTURE`], [`MORE`] and [`LIVE`]; charts test on it too.
pub(crate) fn archive() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("itch.db");
    let conn = crate::archive::open(&path).unwrap();
    conn.execute_batch(FIXTURE).unwrap();
    conn.execute_batch(MORE).unwrap();
    conn.execute_batch(LIVE).unwrap();
    (dir, path)
}

fn run(path: &Path, name: &str, params: &Params, options: &OutputOptions) -> Result<String> {
    let conn = crate::archive::open_read_only(path)?;
    let mut out = Vec::new();
    write_report(&conn, find(name).expect("a report"), params, options, &mut out)?;
    Ok(String::from_utf8(out).unwrap())
}

fn login(login: &str) -> Params {
    Params {
        login: Some(login.to_owned()),
        ..Params::default()
    }
}

fn tsv(path: &Path, name: &str, params: &Params) -> String {
    run(path, name, params, &OutputOptions::default()).unwrap()
}

#[test]
fn followers_are_current_follows_newest_first_with_the_seed_columns() {
    let (_dir, path) = archive();
    let expected = format!(
        "follower\tchannel\taccount_created_at\tfollowed_at\tseconds_to_follow\tfollower_count\n\
         erin\tchan\t2026-02-01T00:00:00Z\t2026-02-01T00:00:00Z\t0\t103\n\
         carol\tchan\t\t2026-01-31T23:59:59Z\t\t103\n\
         bob\tchan\t2026-01-10T00:00:00Z\t2026-01-10T12:00:00Z\t43200\t103\n\
         alice\tchan\t2020-01-01T00:00:00Z\t2026-01-01T00:00:00Z\t{ALICE_SECONDS}\t103\n"
    );
    assert_eq!(tsv(&path, "followers", &login("chan")), expected);
    // Logins are matched case-insensitively, as Twitch treats them.
    assert_eq!(tsv(&path, "followers", &login("Chan")), expected);
}

#[test]
fn since_and_until_include_their_edges_and_a_date_until_its_whole_day() {
    let (_dir, path) = archive();
    let params = Params {
        since: Some(parse_since("2026-01-01").unwrap()),
        until: Some(parse_until("2026-01-31").unwrap()),
        direction: Some(Direction::Asc),
        ..login("chan")
    };
    let out = tsv(&path, "followers", &params);
    let followers: Vec<&str> = out
        .lines()
        .skip(1)
        .map(|line| line.split('\t').next().unwrap())
        .collect();
    assert_eq!(followers, ["alice", "bob", "carol"]);

    // An RFC 3339 bound with an offset is the same instant in UTC: 2026-01-10T13:00:00+01:00 is bob's follow.
    let params = Params {
        since: Some(parse_since("2026-01-10T13:00:00+01:00").unwrap()),
        until: Some(parse_until("2026-01-10T12:00:00Z").unwrap()),
        ..login("chan")
    };
    let out = tsv(&path, "followers", &params);
    assert_eq!(
        out.lines()
            .skip(1)
            .map(|l| l.split('\t').next().unwrap())
            .collect::<Vec<_>>(),
        ["bob"]
    );
}

#[test]
fn limit_and_direction_pick_the_oldest_or_newest() {
    let (_dir, path) = archive();
    let first = |direction| -> Vec<String> {
        let params = Params {
            limit: Some(1),
            direction,
            ..login("chan")
        };
        tsv(&path, "followers", &params)
            .lines()
            .skip(1)
            .map(|l| l.split('\t').next().unwrap().to_owned())
            .collect()
    };
    assert_eq!(first(Some(Direction::Asc)), ["alice"]);
    assert_eq!(first(None), ["erin"]);
    let none = Params {
        limit: Some(0),
        ..login("chan")
    };
    assert_eq!(tsv(&path, "followers", &none).lines().count(), 1);
}

#[test]
fn nothing_matching_prints_only_the_header_or_an_empty_array() {
    let (_dir, path) = archive();
    let later = Params {
        since: Some(parse_since("2030-01-01").unwrap()),
        ..login("chan")
    };
    assert_eq!(
        tsv(&path, "followers", &later),
        "follower\tchannel\taccount_created_at\tfollowed_at\tseconds_to_follow\tfollower_count\n"
    );
    let json = OutputOptions {
        format: Format::Json,
        ..OutputOptions::default()
    };
    assert_eq!(run(&path, "followers", &later, &json).unwrap(), "[]\n");
    assert_eq!(tsv(&path, "videos", &login("quiet")).lines().count(), 1);
    let no_header = OutputOptions {
        header: false,
        ..OutputOptions::default()
    };
    assert_eq!(run(&path, "followers", &later, &no_header).unwrap(), "");
}

#[test]
fn a_login_that_is_not_an_archived_channel_is_an_error_saying_to_sync() {
    let (_dir, path) = archive();
    for name in ["nobody", "lonely"] {
        let error = run(&path, "followers", &login(name), &OutputOptions::default()).unwrap_err();
        assert!(
            matches!(&error, Error::UnknownChannel { login } if login == name),
            "{error:?}"
        );
        assert!(error.to_string().contains(&format!("itch sync {name}")), "{error}");
    }
}

/// The rule the reports' `channel` CTE applied before `prepare` looked the channel up once, kept here to check the
/// lookup against: a user with that login and a `channels` row or a snapshot, the one seen last.
const CTE_RULE: &str = "SELECT u.id FROM users u WHERE u.login = :login \
     AND (EXISTS (SELECT 1 FROM channels c WHERE c.broadcaster_id = u.id) \
          OR EXISTS (SELECT 1 FROM channel_snapshots s WHERE s.broadcaster_id = u.id)) \
     ORDER BY u.last_seen_at DESC LIMIT 1";

#[test]
fn a_login_several_users_had_is_the_channel_seen_last_as_before() {
    let (_dir, path) = archive();
    // `twin`: an account renamed away (30, a synced channel, seen last in January), the account that took the
    // login (31, only a snapshot, seen in February) and a user seen later still who is no channel (32). `tie`:
    // two channels seen at the same second; the one archived first (41, inserted before 40) was the CTE's pick.
    crate::archive::open(&path)
        .unwrap()
        .execute_batch(
            "INSERT INTO users (id, login, created_at, first_seen_at, last_seen_at) VALUES
                ('30', 'twin', '2010-01-01T00:00:00Z', '2026-01-01T00:00:00Z', '2026-01-10T00:00:00Z'),
                ('31', 'twin', '2011-01-01T00:00:00Z', '2026-02-01T00:00:00Z', '2026-02-01T00:00:00Z'),
                ('32', 'twin', '2012-01-01T00:00:00Z', '2026-03-01T00:00:00Z', '2026-03-01T00:00:00Z'),
                ('41', 'tie',  '2013-01-01T00:00:00Z', '2026-01-01T00:00:00Z', '2026-01-05T00:00:00Z'),
                ('40', 'tie',  '2014-01-01T00:00:00Z', '2026-01-01T00:00:00Z', '2026-01-05T00:00:00Z');
             INSERT INTO channels (broadcaster_id, broadcaster_login, broadcaster_name, first_seen_at, last_seen_at)
             VALUES ('30', 'twin', 'Twin', '2026-01-01T00:00:00Z', '2026-01-10T00:00:00Z'),
                    ('40', 'tie', 'Tie', '2026-01-01T00:00:00Z', '2026-01-05T00:00:00Z'),
                    ('41', 'tie', 'Tie', '2026-01-01T00:00:00Z', '2026-01-05T00:00:00Z');
             INSERT INTO channel_snapshots (broadcaster_id, taken_at, follower_total) VALUES
                ('30', '2026-01-10T00:00:00Z', 300),
                ('31', '2026-02-01T00:00:00Z', 31);",
        )
        .unwrap();
    assert_eq!(
        tsv(&path, "created", &login("twin")),
        "channel\tcreated_at\ntwin\t2011-01-01T00:00:00Z\n"
    );
    assert_eq!(
        tsv(&path, "num_followers", &login("twin")),
        "channel\tfollowers\ntwin\t31\n"
    );
    assert_eq!(
        tsv(&path, "created", &login("tie")),
        "channel\tcreated_at\ntie\t2013-01-01T00:00:00Z\n"
    );
    // The one lookup and the old CTE pick the same user for every login in the archive.
    let conn = crate::archive::open_read_only(&path).unwrap();
    let logins: Vec<String> = conn
        .prepare("SELECT DISTINCT login FROM users ORDER BY login")
        .unwrap()
        .query_map([], |row| row.get(0))
        .unwrap()
        .map(|login| login.unwrap())
        .collect();
    for login in &logins {
        let before: Option<String> = conn
            .query_row(CTE_RULE, rusqlite::named_params! { ":login": login }, |row| row.get(0))
            .optional()
            .unwrap();
        match channel_id(&conn, login) {
            Ok(id) => assert_eq!(Some(id.0), before, "{login}"),
            Err(Error::UnknownChannel { .. }) => assert_eq!(before, None, "{login}"),
            Err(error) => panic!("{login}: {error}"),
        }
    }
}

#[test]
fn a_missing_archive_is_no_archive() {
    let dir = tempfile::tempdir().unwrap();
    let error = run(
        &dir.path().join("none.db"),
        "followers",
        &login("chan"),
        &OutputOptions::default(),
    );
    assert!(matches!(error, Err(Error::NoArchive { .. })));
}

#[test]
fn usage_mistakes_are_refused() {
    let (_dir, path) = archive();
    let options = OutputOptions::default();
    let error = run(&path, "followers", &Params::default(), &options).unwrap_err();
    assert!(
        matches!(
            error,
            Error::ReportUsage {
                report: "followers",
                ..
            }
        ),
        "{error:?}"
    );
    let params = Params {
        since: Some(parse_since("2026-01-01").unwrap()),
        ..login("chan")
    };
    let error = run(&path, "created", &params, &options).unwrap_err();
    assert!(
        matches!(error, Error::ReportUsage { report: "created", .. }),
        "{error:?}"
    );
}

#[test]
fn num_followers_and_created_are_one_row() {
    let (_dir, path) = archive();
    assert_eq!(
        tsv(&path, "num_followers", &login("chan")),
        "channel\tfollowers\nchan\t103\n"
    );
    assert_eq!(
        tsv(&path, "num_followers", &login("quiet")),
        "channel\tfollowers\nquiet\t5\n"
    );
    assert_eq!(
        tsv(&path, "created", &login("chan")),
        "channel\tcreated_at\nchan\t2015-01-01T00:00:00Z\n"
    );
    // --epoch gives what the 2016 itch printed: 2015-01-01 is 45 years with 11 leap days after 1970.
    let epoch = OutputOptions {
        epoch: true,
        header: false,
        ..OutputOptions::default()
    };
    assert_eq!(
        run(&path, "created", &login("chan"), &epoch).unwrap(),
        format!("chan\t{}\n", (45 * 365 + 11) * 86_400)
    );
}

#[test]
fn videos_include_deleted_ones_and_escape_tabs_in_tsv() {
    let (_dir, path) = archive();
    assert_eq!(
        tsv(&path, "videos", &login("chan")),
        "id\ttype\tcreated_at\tpublished_at\tduration_seconds\tview_count\ttitle\turl\tdeleted_seen_at\n\
         1003\tupload\t2026-01-07T00:00:00Z\t\t5\t\ttwo\\nlines \\\\ and a backslash\thttps://www.twitch.tv/videos/1003\t\n\
         1002\thighlight\t2026-01-06T00:00:00Z\t2026-01-06T00:05:00Z\t90\t3\tHello, \"world\"\t\
         https://www.twitch.tv/videos/1002\t2026-01-20T00:00:00Z\n\
         1001\tarchive\t2026-01-05T10:00:00Z\t2026-01-05T10:00:00Z\t3600\t10\tTab\\there\thttps://www.twitch.tv/videos/1001\t\n"
    );
    let until = Params {
        until: Some(parse_until("2026-01-06").unwrap()),
        ..login("chan")
    };
    let ids: Vec<String> = tsv(&path, "videos", &until)
        .lines()
        .skip(1)
        .map(|l| l.split('\t').next().unwrap().to_owned())
        .collect();
    assert_eq!(ids, ["1002", "1001"]);
}

#[test]
fn videos_parse_back_from_csv() {
    let (_dir, path) = archive();
    let csv = OutputOptions {
        format: Format::Csv,
        ..OutputOptions::default()
    };
    let out = run(&path, "videos", &login("chan"), &csv).unwrap();
    let records = parse_csv(&out);
    assert_eq!(records.len(), 4);
    assert_eq!(records[0][6], "title");
    assert_eq!(records[1][6], "two\nlines \\ and a backslash");
    assert_eq!(records[2][6], "Hello, \"world\"");
    assert_eq!(records[2][8], "2026-01-20T00:00:00Z");
    assert_eq!(records[3][6], "Tab\there");
    assert_eq!(records[1][3], "");
}

/// A strict RFC 4180 reader, enough to check the writer.
fn parse_csv(text: &str) -> Vec<Vec<String>> {
    let mut records = Vec::new();
    let (mut record, mut field) = (Vec::new(), String::new());
    let mut chars = text.chars().peekable();
    let mut quoted = false;
    while let Some(c) = chars.next() {
        match (quoted, c) {
            (true, '"') if chars.peek() == Some(&'"') => {
                chars.next();
                field.push('"');
            }
            (true, '"') => quoted = false,
            (true, c) => field.push(c),
            (false, '"') if field.is_empty() => quoted = true,
            (false, ',') => record.push(std::mem::take(&mut field)),
            (false, '\n') => {
                record.push(std::mem::take(&mut field));
                records.push(std::mem::take(&mut record));
            }
            (false, c) => field.push(c),
        }
    }
    assert!(
        !quoted && field.is_empty() && record.is_empty(),
        "the output ends with a whole record"
    );
    records
}

#[test]
fn json_and_ndjson_parse_back_with_numbers_nulls_and_epoch_times() {
    let (_dir, path) = archive();
    let json = OutputOptions {
        format: Format::Json,
        ..OutputOptions::default()
    };
    let value: serde_json::Value =
        serde_json::from_str(&run(&path, "followers", &login("chan"), &json).unwrap()).unwrap();
    assert_eq!(value.as_array().unwrap().len(), 4);
    assert_eq!(
        value[1],
        serde_json::json!({
            "follower": "carol", "channel": "chan", "account_created_at": null,
            "followed_at": "2026-01-31T23:59:59Z", "seconds_to_follow": null, "follower_count": 103,
        })
    );

    let ndjson = OutputOptions {
        format: Format::Ndjson,
        epoch: true,
        ..OutputOptions::default()
    };
    let out = run(
        &path,
        "followers",
        &Params {
            direction: Some(Direction::Asc),
            ..login("chan")
        },
        &ndjson,
    )
    .unwrap();
    let rows: Vec<serde_json::Value> = out.lines().map(|line| serde_json::from_str(line).unwrap()).collect();
    assert_eq!(rows.len(), 4);
    assert_eq!(
        rows[0],
        serde_json::json!({
            "follower": "alice", "channel": "chan", "account_created_at": 1_577_836_800,
            "followed_at": 1_767_225_600, "seconds_to_follow": ALICE_SECONDS, "follower_count": 103,
        })
    );
}

#[test]
fn unfollows_and_follower_count() {
    let (_dir, path) = archive();
    assert_eq!(
        tsv(&path, "unfollows", &login("chan")),
        "follower\tfollowed_at\tunfollowed_seen_at\tfollowed_again_at\ndave\t2025-12-31T23:59:59Z\t2026-01-20T00:00:00Z\t\n"
    );
    let before = Params {
        until: Some(parse_until("2026-01-19").unwrap()),
        ..login("chan")
    };
    assert_eq!(tsv(&path, "unfollows", &before).lines().count(), 1);
    assert_eq!(
        tsv(&path, "follower-count", &login("chan")),
        "taken_at\tfollower_total\n2026-01-01T00:00:00Z\t100\n2026-01-15T00:00:00Z\t103\n"
    );
    let newest = Params {
        direction: Some(Direction::Desc),
        limit: Some(1),
        ..login("chan")
    };
    assert_eq!(
        tsv(&path, "follower-count", &newest),
        "taken_at\tfollower_total\n2026-01-15T00:00:00Z\t103\n"
    );
}

#[test]
fn every_report_declares_what_its_sql_does() {
    let dir = tempfile::tempdir().unwrap();
    let archive = crate::archive::open(&dir.path().join("a.db")).unwrap();
    let mut names = std::collections::HashSet::new();
    for report in REPORTS {
        assert!(names.insert(report.name), "{} registered twice", report.name);
        let ordered = report.sql.contains(DIRECTION_MARKER);
        for direction in [Direction::Asc, Direction::Desc] {
            let stmt = archive.prepare(&report.sql(direction)).unwrap();
            // A reducer makes the printed rows; its query's columns are its input.
            let columns: Vec<&str> = match &report.reducer {
                Some(reducer) => reducer.columns.to_vec(),
                None => stmt.column_names().collect(),
            };
            for column in report.time_columns.iter().chain(report.filter_column.iter()) {
                assert!(columns.contains(column), "{}: {column} not in {columns:?}", report.name);
            }
            for column in &columns {
                assert!(
                    column.bytes().all(|b| b.is_ascii_lowercase() || b == b'_'),
                    "{}: {column}",
                    report.name
                );
            }
            let params: Vec<String> = (1..=stmt.parameter_count())
                .map(|i| stmt.parameter_name(i).unwrap().to_owned())
                .collect();
            for param in &params {
                assert!(
                    [
                        ":broadcaster_id",
                        ":video",
                        ":since",
                        ":until",
                        ":limit",
                        ":hide_deleted",
                        ":by_views",
                        ":at",
                        ":around"
                    ]
                    .contains(&param.as_str()),
                    "{}: {param}",
                    report.name
                );
            }
            for column in report.seed.columns {
                assert!(columns.contains(column), "{}: seed column {column}", report.name);
            }
            let has = |name: &str| params.iter().any(|p| p == name);
            assert_eq!(
                has(":broadcaster_id"),
                report.subject == Subject::Channel,
                "{}",
                report.name
            );
            assert_eq!(has(":video"), report.subject == Subject::Video, "{}", report.name);
            assert_eq!(
                has(":since") && has(":until"),
                report.filter_column.is_some(),
                "{}",
                report.name
            );
            // A reducer's query reads every row, in one order; the framework orders and limits the output.
            assert_eq!(has(":limit"), report.reducer.is_none(), "{}", report.name);
            assert!(report.reducer.is_none() || !ordered, "{}", report.name);
            assert!(report.sql.contains("ORDER BY"), "{}", report.name);
            // A report that can hide deleted messages shows when each was deleted.
            assert_eq!(has(":hide_deleted"), report.takes_hide_deleted(), "{}", report.name);
            assert!(
                !has(":hide_deleted") || columns.last() == Some(&"deleted_at"),
                "{}: deleted_at is the last column",
                report.name
            );
            assert!(!ordered || report.filter_column.is_some(), "{}", report.name);
        }
        if let Some(sql) = report.notes_sql {
            let stmt = archive.prepare(sql).unwrap();
            assert_eq!(stmt.column_count(), 1, "{}: one note column", report.name);
        }
    }
}

/// The followers report must stay fast on a million follows: at the top level it reads the channel's slice of
/// `follows_by_time` in order, with no scan of `follows` and no sort, in both directions.
#[test]
fn followers_walk_the_follows_by_time_index() {
    let (_dir, path) = archive();
    let conn = crate::archive::open_read_only(&path).unwrap();
    for direction in [Direction::Asc, Direction::Desc] {
        let sql = find("followers").unwrap().sql(direction);
        let mut stmt = conn.prepare(&format!("EXPLAIN QUERY PLAN {sql}")).unwrap();
        let plan: Vec<(i64, String)> = stmt
            .query_map(
                rusqlite::named_params! { ":broadcaster_id": "1", ":since": "2026-01-01T00:00:00Z" },
                |row| Ok((row.get(1)?, row.get(3)?)),
            )
            .unwrap()
            .map(|row| row.unwrap())
            .collect();
        let top: Vec<&str> = plan
            .iter()
            .filter(|(parent, _)| *parent == 0)
            .map(|(_, d)| d.as_str())
            .collect();
        let all = format!("{plan:#?}");
        assert!(
            top.contains(
                &"SEARCH f USING INDEX follows_by_time (broadcaster_id=? AND followed_at>? AND followed_at<?)"
            ),
            "{all}"
        );
        assert!(!plan.iter().any(|(_, detail)| detail.contains("TEMP B-TREE")), "{all}");
        assert!(!plan.iter().any(|(_, detail)| detail.starts_with("SCAN f")), "{all}");
    }
}

#[test]
fn sql_prints_any_read_only_query_with_types_from_the_values() {
    let (_dir, path) = archive();
    let conn = crate::archive::open_read_only(&path).unwrap();
    let json = OutputOptions {
        format: Format::Json,
        ..OutputOptions::default()
    };
    let mut out = Vec::new();
    let sql = "SELECT login, created_at, 1.5 AS ratio, (SELECT count(*) FROM follows WHERE user_id = u.id) AS follows \
               FROM users u WHERE id IN ('2', '4') ORDER BY id";
    assert_eq!(write_query(&conn, sql, &json, &mut out).unwrap(), 2);
    let value: serde_json::Value = serde_json::from_slice(&out).unwrap();
    assert_eq!(
        value,
        serde_json::json!([
            {"login": "alice", "created_at": "2020-01-01T00:00:00Z", "ratio": 1.5, "follows": 2},
            {"login": "carol", "created_at": null, "ratio": 1.5, "follows": 1},
        ])
    );

    // A statement without columns prints nothing, not an empty header line.
    let mut out = Vec::new();
    assert_eq!(
        write_query(&conn, "PRAGMA query_only = ON", &OutputOptions::default(), &mut out).unwrap(),
        0
    );
    assert!(out.is_empty());
}

#[test]
fn sql_refuses_writes_and_leaves_the_archive_unchanged() {
    let (_dir, path) = archive();
    let conn = crate::archive::open_read_only(&path).unwrap();
    let count = || -> i64 {
        conn.query_row("SELECT count(*) FROM users", [], |row| row.get(0))
            .unwrap()
    };
    let before = count();
    for sql in [
        "DELETE FROM users",
        "delete from users where id = '2'",
        "INSERT INTO users (id, login, first_seen_at, last_seen_at) VALUES ('9', 'x', '', '')",
        "UPDATE users SET login = 'x'",
        "DROP TABLE follows",
        "CREATE TABLE t (x)",
        "VACUUM",
    ] {
        let mut out = Vec::new();
        let error = write_query(&conn, sql, &OutputOptions::default(), &mut out).unwrap_err();
        assert!(matches!(&error, Error::ReadOnlySql { .. }), "{sql}: {error:?}");
        assert!(out.is_empty(), "{sql}");
    }
    // A write hidden behind a read is refused too (one statement only).
    let error = write_query(
        &conn,
        "SELECT 1; DELETE FROM users",
        &OutputOptions::default(),
        &mut Vec::new(),
    );
    assert!(error.is_err());
    assert_eq!(count(), before);
    drop(conn);
    let conn = crate::archive::open_read_only(&path).unwrap();
    let after: i64 = conn
        .query_row("SELECT count(*) FROM users", [], |row| row.get(0))
        .unwrap();
    assert_eq!(after, before);
}

/// A report about `video`, parsed as the CLI parses it.
fn video(video: &str) -> Params {
    Params {
        video: Some(VideoId::parse(video).unwrap()),
        ..Params::default()
    }
}

fn seed() -> OutputOptions {
    OutputOptions {
        format: Format::Seed,
        ..OutputOptions::default()
    }
}

/// The seconds from `from` to `to`, both archive times.
fn seconds(from: &str, to: &str) -> i64 {
    time::epoch_seconds(to).unwrap() - time::epoch_seconds(from).unwrap()
}

#[test]
fn following_lists_the_users_current_follows_in_the_seed_columns() {
    let (_dir, path) = archive();
    // chan's account dates from 2015-01-01: 2026-01-01 is 11 years and 3 leap days later.
    let to_2026 = (11 * 365 + 3) * 86_400;
    assert_eq!(
        tsv(&path, "following", &login("chan")),
        format!(
            "user\tfollowed_channel\taccount_created_at\tfollowed_at\tseconds_to_follow\tchannel_follower_count\n\
             chan\tbig\t2015-01-01T00:00:00Z\t2026-01-04T12:00:00Z\t{}\t\n\
             chan\tquiet\t2015-01-01T00:00:00Z\t2026-01-03T00:00:00Z\t{}\t5\n",
            to_2026 + 3 * 86_400 + 43_200,
            to_2026 + 2 * 86_400,
        )
    );
    assert_eq!(
        seconds("2015-01-01T00:00:00Z", "2026-01-03T00:00:00Z"),
        to_2026 + 2 * 86_400
    );
    // The 2016 form: no header, Unix seconds.
    assert_eq!(
        run(&path, "following", &login("chan"), &seed())
            .unwrap()
            .lines()
            .last()
            .unwrap(),
        format!("chan\tquiet\t1420070400\t1767398400\t{}\t5", to_2026 + 2 * 86_400)
    );
    assert_eq!(
        tsv(&path, "num_following", &login("chan")),
        "user\tfollowing\nchan\t2\n"
    );
    assert_eq!(
        tsv(&path, "num_following", &login("quiet")),
        "user\tfollowing\nquiet\t0\n"
    );
}

#[test]
fn chatters_are_the_latest_snapshot_by_login_or_the_last_one_before_until() {
    let (_dir, path) = archive();
    assert_eq!(
        tsv(&path, "chatters", &login("chan")),
        "chatter\ttaken_at\n\
         alice\t2026-01-20T00:00:00Z\n\
         carol\t2026-01-20T00:00:00Z\n\
         erin\t2026-01-20T00:00:00Z\n"
    );
    let before = Params {
        until: Some(parse_until("2026-01-15").unwrap()),
        ..login("chan")
    };
    assert_eq!(
        run(&path, "chatters", &before, &seed()).unwrap(),
        "alice\nbob\n",
        "the 2016 form: one login a line"
    );
    assert_eq!(tsv(&path, "chatters", &login("quiet")), "chatter\ttaken_at\n");
}

#[test]
fn streams_are_sessions_from_live_sightings_and_archive_vods() {
    let (_dir, path) = archive();
    assert_eq!(
        tsv(&path, "streams", &login("rig")),
        "started_at\tended_at\n\
         2026-03-05T18:00:00Z\t2026-03-05T19:00:00Z\n\
         2026-03-03T18:00:00Z\t2026-03-03T18:45:00Z\n\
         2026-03-01T17:59:30Z\t2026-03-01T19:30:00Z\n\
         2026-02-20T18:00:00Z\t2026-02-20T19:00:00Z\n\
         2026-02-10T12:00:00Z\t2026-02-10T12:30:00Z\n"
    );
    // The 2016 loots_streams form, oldest first here: what `itch plot -S` reads.
    let params = Params {
        direction: Some(Direction::Asc),
        since: Some(parse_since("2026-03-01").unwrap()),
        until: Some(parse_until("2026-03-03").unwrap()),
        ..login("rig")
    };
    assert_eq!(
        run(&path, "streams", &params, &seed()).unwrap(),
        "1772387970\t1772393400\n1772560800\t1772563500\n"
    );
    assert_eq!(time::epoch_seconds("2026-03-01T17:59:30Z"), Some(1_772_387_970));
    // chan was never seen live, but its archive VOD 1001 (no stream id, one hour) is a session.
    assert_eq!(
        tsv(&path, "streams", &login("chan")),
        "started_at\tended_at\n2026-01-05T10:00:00Z\t2026-01-05T11:00:00Z\n"
    );
    assert_eq!(tsv(&path, "streams", &login("quiet")), "started_at\tended_at\n");
}

#[test]
fn viewers_are_every_live_snapshot_with_the_streams_title_as_fallback() {
    let (_dir, path) = archive();
    assert_eq!(
        tsv(&path, "viewers", &login("rig")),
        "stream_id\ttaken_at\tviewer_count\ttitle\n\
         601\t2026-03-01T18:15:00Z\t100\topening\n\
         601\t2026-03-01T18:45:00Z\t150\trig night\n\
         602\t2026-03-03T18:15:00Z\t80\tsecond\n"
    );
    let later = Params {
        since: Some(parse_since("2026-03-02").unwrap()),
        ..login("rig")
    };
    assert_eq!(tsv(&path, "viewers", &later).lines().count(), 2);
}

#[test]
fn chatlog_is_the_vods_chat_in_offset_order() {
    let (_dir, path) = archive();
    assert_eq!(
        tsv(&path, "chatlog", &video("2001")),
        "offset_seconds\tcreated_at\tuser\ttext\tdeleted_at\n\
         5\t2026-03-01T18:00:05Z\talice\thello\t\n\
         5\t2026-03-01T18:00:05Z\tGhost\tboo\t\n\
         65\t2026-03-01T18:01:05Z\tbob\ttab\\there, hello again\t\n\
         3600\t2026-03-01T19:00:00Z\talice\tbye pog\t\n"
    );
    let conn = crate::archive::open_read_only(&path).unwrap();
    assert!(
        notes(&conn, find("chatlog").unwrap(), &video("2001"))
            .unwrap()
            .is_empty()
    );
}

#[test]
fn chatlog_seed_format_is_user_colon_message() {
    let (_dir, path) = archive();
    assert_eq!(
        run(&path, "chatlog", &video("v2001"), &seed()).unwrap(),
        "alice : hello\nGhost : boo\nbob : tab\\there, hello again\nalice : bye pog\n"
    );
    let newest = Params {
        direction: Some(Direction::Desc),
        limit: Some(1),
        ..video("2001")
    };
    assert_eq!(run(&path, "chatlog", &newest, &seed()).unwrap(), "alice : bye pog\n");
}

#[test]
fn chatlog_of_an_unfinished_download_prints_what_there_is_with_a_note() {
    let (_dir, path) = archive();
    let conn = crate::archive::open_read_only(&path).unwrap();
    let chatlog = find("chatlog").unwrap();
    assert_eq!(
        run(&path, "chatlog", &video("2002"), &seed()).unwrap(),
        "bob : first\nerin : second\n"
    );
    assert_eq!(
        notes(&conn, chatlog, &video("2002")).unwrap(),
        ["the chat of video 2002 is only partly downloaded (2 messages so far): run `itch chat 2002` to finish it"]
    );
    assert_eq!(tsv(&path, "chatlog", &video("2003")).lines().count(), 1);
    assert_eq!(
        notes(&conn, chatlog, &video("2003")).unwrap(),
        ["the chat of video 2003 was never downloaded: run `itch chat 2003`"]
    );
}

#[test]
fn chatlog_of_a_video_not_in_the_archive_names_it() {
    let (_dir, path) = archive();
    let error = run(&path, "chatlog", &video("9999"), &OutputOptions::default()).unwrap_err();
    assert!(
        matches!(&error, Error::UnknownVideo { video } if video == "9999"),
        "{error:?}"
    );
    assert!(
        error
            .to_string()
            .contains("video 9999 is not in the archive (run `itch chat 9999`"),
        "{error}"
    );
    // A login where a video id belongs is refused where the input enters (the CLI parses it into a VideoId).
    let error = VideoId::parse("chan").unwrap_err();
    assert!(matches!(error, Error::InvalidVideoId { .. }), "{error:?}");
    let error = run(&path, "chatlog", &login("rig"), &OutputOptions::default()).unwrap_err();
    assert!(
        matches!(error, Error::ReportUsage { report: "chatlog", .. }),
        "{error:?}"
    );
    let error = run(&path, "followers", &video("2001"), &OutputOptions::default()).unwrap_err();
    assert!(
        matches!(
            error,
            Error::ReportUsage {
                report: "followers",
                ..
            }
        ),
        "{error:?}"
    );
}

#[test]
fn bot_waves_are_accounts_made_minutes_apart_that_followed_minutes_apart() {
    let (_dir, path) = archive();
    // Wave A: 25 accounts, 24 minutes of creation, 24 follows 30 s apart; the 30 organic follows in the same
    // burst are made 100 days apart and join nothing. Wave C keeps its unfollowed member: 20 accounts.
    let header = "wave_start\twave_end\tsize\taccounts_created_from\taccounts_created_to\n";
    let wave_a = "2026-02-01T12:00:00Z\t2026-02-01T12:12:00Z\t25\t2025-06-01T00:00:00Z\t2025-06-01T00:24:00Z\n";
    let wave_b = "2026-02-15T09:00:00Z\t2026-02-15T09:00:45Z\t10\t2024-01-01T00:00:00Z\t2024-01-01T00:01:30Z\n";
    let wave_c = "2026-02-20T00:00:00Z\t2026-02-20T01:19:10Z\t20\t2026-02-10T00:00:00Z\t2026-02-10T01:03:20Z\n";
    assert_eq!(
        tsv(&path, "bot-waves", &login("rig")),
        format!("{header}{wave_c}{wave_a}")
    );
    let small = Params {
        min_size: Some(5),
        direction: Some(Direction::Asc),
        ..login("rig")
    };
    assert_eq!(
        tsv(&path, "bot-waves", &small),
        format!("{header}{wave_a}{wave_b}{wave_c}")
    );
    let big = Params {
        min_size: Some(21),
        ..login("rig")
    };
    assert_eq!(tsv(&path, "bot-waves", &big), format!("{header}{wave_a}"));
    // A time filter keeps only the waves whose follows it covers.
    let february_15 = Params {
        min_size: Some(5),
        since: Some(parse_since("2026-02-15").unwrap()),
        until: Some(parse_until("2026-02-15").unwrap()),
        ..login("rig")
    };
    assert_eq!(tsv(&path, "bot-waves", &february_15), format!("{header}{wave_b}"));
    assert_eq!(tsv(&path, "bot-waves", &login("chan")), header);
    // Only bot-waves groups rows.
    let error = run(&path, "followers", &small, &OutputOptions::default()).unwrap_err();
    assert!(
        matches!(
            error,
            Error::ReportUsage {
                report: "followers",
                ..
            }
        ),
        "{error:?}"
    );
}

fn search(path: &Path, search: &search::Search) -> Result<String> {
    let conn = crate::archive::open_read_only(path)?;
    let mut out = Vec::new();
    search::write_search(&conn, search, &OutputOptions::default(), &mut out)?;
    Ok(String::from_utf8(out).unwrap())
}

fn query(query: &str) -> search::Search {
    search::Search {
        query: query.to_owned(),
        ..search::Search::default()
    }
}

#[test]
fn search_finds_messages_by_their_words() {
    let (_dir, path) = archive();
    let header = "created_at\tchannel\tvideo_id\toffset_seconds\tuser\ttext\tdeleted_at\n";
    assert_eq!(
        search(&path, &query("pog")).unwrap(),
        format!("{header}2026-03-01T19:00:00Z\trig\t2001\t3600\talice\tbye pog\t\n")
    );
    let hello = search(&path, &query("hello")).unwrap();
    assert_eq!(hello.lines().count(), 3, "{hello}");
    assert!(
        hello
            .lines()
            .nth(2)
            .unwrap()
            .ends_with("\tbob\ttab\\there, hello again\t"),
        "{hello}"
    );
    assert_eq!(search(&path, &query("\"hello again\"")).unwrap().lines().count(), 2);
    assert_eq!(search(&path, &query("hel*")).unwrap().lines().count(), 3);
    assert_eq!(search(&path, &query("nothing")).unwrap(), header);
    let newest = search::Search {
        direction: Some(Direction::Desc),
        limit: Some(1),
        ..query("hello")
    };
    assert!(search(&path, &newest).unwrap().contains("hello again"));
    let before = search::Search {
        until: Some(parse_until("2026-03-01T18:00:30Z").unwrap()),
        ..query("hello")
    };
    assert_eq!(search(&path, &before).unwrap().lines().count(), 2);
}

#[test]
fn search_respects_the_channel() {
    let (_dir, path) = archive();
    let rig = search::Search {
        channel: Some("RIG".to_owned()),
        ..query("hello")
    };
    assert_eq!(search(&path, &rig).unwrap().lines().count(), 3);
    let chan = search::Search {
        channel: Some("chan".to_owned()),
        ..query("hello")
    };
    assert_eq!(search(&path, &chan).unwrap().lines().count(), 1);
    let nobody = search::Search {
        channel: Some("nobody".to_owned()),
        ..query("hello")
    };
    assert!(matches!(search(&path, &nobody), Err(Error::UnknownChannel { .. })));
}

#[test]
fn search_refuses_a_malformed_query_naming_it() {
    let (_dir, path) = archive();
    for bad in ["hello AND", "\"unterminated", "nosuchcolumn: hello", "(", "AND"] {
        match search(&path, &query(bad)) {
            Err(error @ Error::BadSearch { .. }) => {
                assert!(
                    error.to_string().contains(&format!("'{bad}' is not a valid search")),
                    "{error}"
                );
                // SQLite's own words follow as the cause.
                let chain = crate::error::display_chain(&error);
                assert!(chain.len() > error.to_string().len() + 2, "{chain}");
            }
            other => panic!("{bad:?} gave {other:?}"),
        }
    }
}

/// Every registered report (a new one too) runs on an archive that holds only its subject: a channel with one
/// snapshot and nothing else, a video (another user's) with no chat. It prints its header and no row, or, for the reports that
/// answer one row about the channel, that row; a report added later is covered without naming it here.
#[test]
fn every_report_runs_on_an_empty_archive() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("empty.db");
    let conn = crate::archive::open(&path).unwrap();
    conn.execute_batch(
        "INSERT INTO users (id, login, first_seen_at, last_seen_at) VALUES ('1', 'chan', 'x', 'x'), ('2', 'other', 'x', 'x');
         INSERT INTO channel_snapshots (broadcaster_id, taken_at) VALUES ('1', '2026-01-01T00:00:00Z');
         INSERT INTO videos (id, user_id, type, title, created_at, first_seen_at, last_seen_at)
         VALUES ('5', '2', 'archive', 'quiet', '2026-01-01T00:00:00Z', 'x', 'x');",
    )
    .unwrap();
    // The reports that answer one row about the channel, and that row (NULL where nothing was counted).
    let one_row = [
        ("num_followers", "chan\t"),
        ("num_following", "chan\t0"),
        ("created", "chan\t"),
    ];
    for report in REPORTS {
        let params = match report.subject {
            Subject::Channel => login("chan"),
            Subject::Video => video("5"),
            Subject::Archive => Params::default(),
        };
        let out = tsv(&path, report.name, &params);
        let mut lines = out.lines();
        let header = lines.next().unwrap_or_else(|| panic!("{}: no header", report.name));
        let columns: Vec<String> = match &report.reducer {
            Some(reducer) => reducer.columns.iter().map(|c| c.to_string()).collect(),
            None => conn
                .prepare(&report.sql(Direction::Asc))
                .unwrap()
                .column_names()
                .map(str::to_owned)
                .collect(),
        };
        assert_eq!(header, columns.join("\t"), "{}", report.name);
        let rows: Vec<&str> = lines.collect();
        let expected: Vec<&str> = one_row
            .iter()
            .filter(|(name, _)| *name == report.name)
            .map(|(_, row)| *row)
            .collect();
        assert_eq!(rows, expected, "{}", report.name);
        notes(&conn, report, &params).unwrap();
    }
    assert!(
        one_row.iter().all(|(name, _)| find(name).is_some()),
        "the one-row reports are registered"
    );
    assert_eq!(search(&path, &query("anything")).unwrap().lines().count(), 1);
}

#[test]
fn raids_count_the_follows_of_the_next_30_minutes_edges_included() {
    let (_dir, path) = archive();
    let header = "created_at\traider\traider_name\tviewer_count\tfollows_next_half_hour\n";
    // f1 (at the raid's second), f2 (since unfollowed: it still came with the raid) and f3 (30:00 on); not f4
    // (30:01 on) nor f0 (before). Nobody followed the next day's raid.
    let first = "2026-04-01T20:10:00Z\traider_one\tRaider_One\t430\t3\n";
    let second = "2026-04-02T12:00:00Z\traider_two\tRaider_Two\t12\t0\n";
    assert_eq!(tsv(&path, "raids", &login("stage")), format!("{header}{second}{first}"));
    let april_1 = Params {
        since: Some(parse_since("2026-04-01").unwrap()),
        until: Some(parse_until("2026-04-01").unwrap()),
        ..login("stage")
    };
    assert_eq!(tsv(&path, "raids", &april_1), format!("{header}{first}"));
    let oldest = Params {
        direction: Some(Direction::Asc),
        limit: Some(1),
        ..login("stage")
    };
    assert_eq!(tsv(&path, "raids", &oldest), format!("{header}{first}"));
    assert_eq!(tsv(&path, "raids", &login("rig")), header);
    // The count moves with the follows: one more inside the window is one more in the row.
    crate::archive::open(&path)
        .unwrap()
        .execute_batch(
            "INSERT INTO follows (broadcaster_id, user_id, followed_at, first_seen_at, last_seen_at)
             VALUES ('50', '53', '2026-04-01T20:39:59Z', 'x', 'x')",
        )
        .unwrap();
    assert!(tsv(&path, "raids", &april_1).ends_with("\t430\t4\n"));
}

#[test]
fn subs_are_the_sub_and_gift_events_with_the_viewers_text() {
    let (_dir, path) = archive();
    assert_eq!(
        tsv(&path, "subs", &login("stage")),
        "created_at\tkind\tuser\trecipient\tmonths\tstreak_months\ttier\tgift_count\tmessage\n\
         2026-04-01T20:30:00Z\tsubgift\tgifter\tlucky\t1\t\t1000\t1\t\n\
         2026-04-01T20:30:00Z\tsubmysterygift\tgifter\t\t\t\t1000\t5\t\n\
         2026-04-01T20:20:00Z\tresub\tfan\t\t14\t3\t1000\t\tfourteen months already\n\
         2026-04-01T19:00:00Z\tsub\tlucky\t\t1\t\tPrime\t\t\n"
    );
    let json = OutputOptions {
        format: Format::Json,
        ..OutputOptions::default()
    };
    let params = Params {
        until: Some(parse_until("2026-04-01T20:25:00Z").unwrap()),
        direction: Some(Direction::Asc),
        ..login("stage")
    };
    let rows: serde_json::Value = serde_json::from_str(&run(&path, "subs", &params, &json).unwrap()).unwrap();
    assert_eq!(rows.as_array().unwrap().len(), 2);
    assert_eq!(rows[1]["message"], "fourteen months already");
    assert_eq!(rows[1]["months"], 14);
    assert_eq!(rows[0]["message"], serde_json::Value::Null);
}

#[test]
fn moderation_shows_each_action_with_the_text_it_took_away() {
    let (_dir, path) = archive();
    assert_eq!(
        tsv(&path, "moderation", &login("stage")),
        "created_at\taction\ttarget\tduration_seconds\tmessages_marked\ttext\n\
         2026-04-01T21:00:00Z\tclear\t\t\t0\t\n\
         2026-04-01T20:31:10Z\tdelete\ttroll\t\t1\tgap line two\n\
         2026-04-01T20:18:00Z\tban\ttroll\t\t0\t\n\
         2026-04-01T20:17:45Z\tdelete\ttroll\t\t0\t\n\
         2026-04-01T20:17:30Z\tdelete\tfan\t\t1\toops typo\n\
         2026-04-01T20:16:30Z\tdelete\tfan\t\t1\ta fine line\n\
         2026-04-01T20:15:30Z\ttimeout\ttroll\t600\t2\tsecond troll line\n"
    );
    // A deletion's text comes from the CLEARMSG first: the archived message is not consulted when Twitch said it.
    crate::archive::open(&path)
        .unwrap()
        .execute_batch("UPDATE chat_messages SET text = 'edited' WHERE id IN ('l3', 'l4')")
        .unwrap();
    let early = Params {
        until: Some(parse_until("2026-04-01T20:17:30Z").unwrap()),
        direction: Some(Direction::Asc),
        ..login("stage")
    };
    let texts: Vec<String> = tsv(&path, "moderation", &early)
        .lines()
        .skip(1)
        .map(|line| line.rsplit('\t').next().unwrap().to_owned())
        .collect();
    assert_eq!(texts, ["second troll line", "a fine line", "edited"]);
}

#[test]
fn a_deletion_of_a_shared_chat_copy_finds_the_stored_original() {
    let (_dir, path) = archive();
    // Message 'orig' was relayed into stage's room as 'copy'; the CLEARMSG there names 'copy' and no text.
    crate::archive::open(&path)
        .unwrap()
        .execute_batch(
            "INSERT INTO chat_messages (id, source, broadcaster_id, user_login, created_at, text, first_seen_at)
             VALUES ('orig', 'live', '20', 'fan', '2026-04-03T10:00:00Z', 'said elsewhere', 'x');
             INSERT INTO chat_message_rooms (message_id, broadcaster_id, room_message_id) VALUES ('orig', '50', 'copy');
             INSERT INTO chat_moderation (broadcaster_id, action, created_at, target_message_id, irc_line, first_seen_at)
             VALUES ('50', 'delete', '2026-04-03T10:00:05Z', 'copy', 'delete copy', 'x');",
        )
        .unwrap();
    let params = Params {
        limit: Some(1),
        ..login("stage")
    };
    assert_eq!(
        tsv(&path, "moderation", &params).lines().nth(1).unwrap(),
        "2026-04-03T10:00:05Z\tdelete\t\t\t0\tsaid elsewhere"
    );
}

#[test]
fn chat_gaps_show_the_replay_messages_that_fill_them() {
    let (_dir, path) = archive();
    // r1 and r3 at the gap's ends and r2 (deleted, still said) inside; not the live l5 nor r4 after it.
    assert_eq!(
        tsv(&path, "chat-gaps", &login("stage")),
        "started_at\tended_at\tseconds\treason\treplay_messages\tvideo_id\n\
         2026-04-02T12:00:00Z\t2026-04-02T12:00:05Z\t5\tconnection lost\t0\t\n\
         2026-04-01T20:30:00Z\t2026-04-01T20:32:00Z\t120\treconnect\t3\t5001\n"
    );
    let since = Params {
        since: Some(parse_since("2026-04-02").unwrap()),
        ..login("stage")
    };
    assert_eq!(tsv(&path, "chat-gaps", &since).lines().count(), 2);
    assert_eq!(tsv(&path, "chat-gaps", &login("rig")).lines().count(), 1);
}

#[test]
fn chat_events_are_the_channels_events_during_the_vod_with_their_offsets() {
    let (_dir, path) = archive();
    assert_eq!(
        tsv(&path, "chat-events", &video("5001")),
        "offset_seconds\tcreated_at\tkind\tuser\trecipient\tviewer_count\tgift_count\tmonths\ttier\tsystem_message\n\
         600\t2026-04-01T20:10:00Z\traid\traider_one\t\t430\t\t\t\t430 raiders from Raider_One have joined!\n\
         1200\t2026-04-01T20:20:00Z\tresub\tfan\t\t\t\t14\t1000\t\n\
         1800\t2026-04-01T20:30:00Z\tsubmysterygift\tgifter\t\t\t5\t\t1000\t\n\
         1800\t2026-04-01T20:30:00Z\tsubgift\tgifter\tlucky\t\t1\t1\t1000\t\n\
         2400\t2026-04-01T20:40:00Z\tsharedchatnotice\tfan\t\t\t\t\t1000\t\n\
         3000\t2026-04-01T20:50:00Z\tannouncement\tstage\t\t\t\t\t\t\n\
         7200\t2026-04-01T22:00:00Z\tritual\tlucky\t\t\t\t\t\t\n"
    );
    let newest = Params {
        direction: Some(Direction::Desc),
        limit: Some(1),
        until: Some(parse_until("2026-04-01T20:30:00Z").unwrap()),
        ..video("5001")
    };
    assert_eq!(
        tsv(&path, "chat-events", &newest).lines().nth(1).unwrap(),
        "1800\t2026-04-01T20:30:00Z\tsubgift\tgifter\tlucky\t\t1\t1\t1000\t"
    );
    assert_eq!(tsv(&path, "chat-events", &video("2001")).lines().count(), 1);
}

#[test]
fn deleted_messages_are_shown_marked_unless_hidden() {
    let (_dir, path) = archive();
    let hide = |params: Params| Params {
        hide_deleted: true,
        ..params
    };
    assert_eq!(
        tsv(&path, "chatlog", &video("5001")),
        "offset_seconds\tcreated_at\tuser\ttext\tdeleted_at\n\
         1800\t2026-04-01T20:30:00Z\tfan\tgap line one\t\n\
         1860\t2026-04-01T20:31:00Z\ttroll\tgap line two\t2026-04-01T20:31:10Z\n\
         1920\t2026-04-01T20:32:00Z\tfan\tgap line three\t\n\
         1980\t2026-04-01T20:33:00Z\tfan\tafter the gap\t\n"
    );
    assert_eq!(
        tsv(&path, "chatlog", &hide(video("5001"))),
        "offset_seconds\tcreated_at\tuser\ttext\tdeleted_at\n\
         1800\t2026-04-01T20:30:00Z\tfan\tgap line one\t\n\
         1920\t2026-04-01T20:32:00Z\tfan\tgap line three\t\n\
         1980\t2026-04-01T20:33:00Z\tfan\tafter the gap\t\n"
    );
    // The 2016 form keeps its two columns; --epoch turns deleted_at into seconds too.
    assert_eq!(
        run(&path, "chatlog", &video("5001"), &seed()).unwrap(),
        "fan : gap line one\ntroll : gap line two\nfan : gap line three\nfan : after the gap\n"
    );
    let epoch = OutputOptions {
        epoch: true,
        header: false,
        ..OutputOptions::default()
    };
    let deleted = time::epoch_seconds("2026-04-01T20:31:10Z").unwrap();
    assert!(
        run(&path, "chatlog", &video("5001"), &epoch)
            .unwrap()
            .contains(&format!("\tgap line two\t{deleted}\n"))
    );
    // A report over no chat messages refuses the flag, naming it.
    for name in ["followers", "raids", "moderation"] {
        let error = run(&path, name, &hide(login("stage")), &OutputOptions::default()).unwrap_err();
        assert!(
            matches!(&error, Error::ReportUsage { report, .. } if *report == name),
            "{error:?}"
        );
        assert!(error.to_string().contains("--hide-deleted"), "{error}");
    }
    // Notes are read with the same params and do not refuse it.
    let conn = crate::archive::open_read_only(&path).unwrap();
    assert!(
        notes(&conn, find("chatlog").unwrap(), &hide(video("5001")))
            .unwrap()
            .is_empty()
    );
}

#[test]
fn search_finds_deleted_messages_marked_and_hide_deleted_drops_exactly_them() {
    let (_dir, path) = archive();
    let line = search::Search {
        channel: Some("stage".to_owned()),
        ..query("line")
    };
    let found = search(&path, &line).unwrap();
    let rows: Vec<(&str, &str)> = found
        .lines()
        .skip(1)
        .map(|row| {
            let fields: Vec<&str> = row.split('\t').collect();
            (fields[5], fields[6])
        })
        .collect();
    assert_eq!(
        rows,
        [
            ("first troll line", "2026-04-01T20:15:30Z"),
            ("second troll line", "2026-04-01T20:15:30Z"),
            ("a fine line", "2026-04-01T20:16:30Z"),
            ("gap line one", ""),
            ("gap line two", "2026-04-01T20:31:10Z"),
            ("live line in the gap", ""),
            ("gap line three", ""),
        ]
    );
    let hidden = search::Search {
        hide_deleted: true,
        ..line.clone()
    };
    let kept: Vec<String> = search(&path, &hidden)
        .unwrap()
        .lines()
        .skip(1)
        .map(|row| row.split('\t').nth(5).unwrap().to_owned())
        .collect();
    assert_eq!(kept, ["gap line one", "live line in the gap", "gap line three"]);
    // The 2016 form keeps search's six columns.
    let conn = crate::archive::open_read_only(&path).unwrap();
    let mut out = Vec::new();
    let seed = OutputOptions {
        format: Format::Seed,
        ..OutputOptions::default()
    };
    search::write_search(&conn, &line, &seed, &mut out).unwrap();
    let first = String::from_utf8(out).unwrap().lines().next().unwrap().to_owned();
    let at = time::epoch_seconds("2026-04-01T20:14:00Z").unwrap();
    assert_eq!(first, format!("{at}\tstage\t\t\ttroll\tfirst troll line"));
}
