-- Where a chatter snapshot came from: Helix Get Chatters (needs a moderator's or the broadcaster's login) or,
-- without one, the chat room's NAMES list read anonymously over IRC (logins resolved to accounts through Get
-- Users). Twitch's NAMES list holds only the moderators once a room passes about 1,000 users.
ALTER TABLE chatter_snapshots ADD COLUMN source TEXT NOT NULL DEFAULT 'helix';  -- helix | irc
