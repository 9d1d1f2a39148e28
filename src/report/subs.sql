-- Sub and gift events in the channel's chat, from the live record (chat_events, one kind at a time through
-- chat_events_by_channel_time). The user is the subscriber or the gifter (an anonymous gift names Twitch's
-- 'ananonymousgifter'); months are cumulative (a gift: the recipient's); gift_count is a gift bomb's size or the
-- months given at once. The message is the text the viewer typed with it, stored as a chat message under the
-- event's id. An event relayed from another room of a shared chat is not this channel's and is left out.
-- `/*direction*/` becomes ASC or DESC.
SELECT
    e.created_at,
    e.kind,
    coalesce(e.user_login, e.user_name) AS user,
    coalesce(e.recipient_login, e.recipient_name) AS recipient,
    e.months,
    e.streak_months,
    e.tier,
    e.gift_count,
    m.text AS message
FROM chat_events e
LEFT JOIN chat_messages m ON e.has_message AND m.id = e.id
WHERE e.broadcaster_id = :broadcaster_id
  AND e.kind IN ('sub', 'resub', 'subgift', 'submysterygift', 'anonsubgift', 'anonsubmysterygift',
                 'giftpaidupgrade', 'anongiftpaidupgrade', 'primepaidupgrade', 'communitypayforward',
                 'standardpayforward')
  AND e.source_room_id IS NULL
  AND e.created_at >= coalesce(:since, '')
  AND e.created_at <= coalesce(:until, '9999')
ORDER BY e.created_at /*direction*/, e.id /*direction*/
LIMIT coalesce(:limit, -1)
