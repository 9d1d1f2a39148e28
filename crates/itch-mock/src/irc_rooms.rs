//! The rooms of the fake chat server: who reads them, what they said, and what they say next.
//!
//! A room is one channel's chat, shared by every connection joined to it (as on Twitch, two readers of a room
//! see the same lines, with the same ids). Every [`TICK`] the chat clock (`irc_clock.rs`) gives each room that
//! has a reader its share of the rate ([`MockServer::irc_rate`](crate::MockServer::irc_rate), lines per second,
//! several a tick at high rates) and the room asks [`irc_events`](crate::irc_events) for that many lines; each
//! tick's lines go to the room's readers as one batch. A room remembers what it said lately, so a CLEARMSG or
//! CLEARCHAT targets a message and a user that were really there. A room shared into another
//! ([`Rooms::share`]) also has its PRIVMSGs and USERNOTICEs (as `sharedchatnotice`) copied to that room's
//! readers, as Shared Chat relays them; a suspended room says nothing. Rooms count what they sent
//! ([`IrcSent`]).

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet, VecDeque};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use tokio::sync::mpsc;

use crate::IrcSent;
use crate::irc_events::{self as say, Ctx, RoomMode, Said, Slot};
use crate::seed::hash;
use crate::world::World;

/// How often the clock runs.
pub(crate) const TICK: Duration = Duration::from_millis(10);

/// Batches a reader may fall behind before it is dropped (as Twitch drops a reader that does not keep up).
pub(crate) const QUEUE: usize = 8192;

/// PRIVMSGs a room remembers for later moderation.
const RECENT: usize = 200;

/// What a line is, for the counters and for readers without `twitch.tv/commands`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Kind {
    Privmsg,
    /// A PRIVMSG relayed from another room (Shared Chat).
    Shared,
    /// A USERNOTICE relayed from another room (`sharedchatnotice`).
    SharedNotice,
    UserNotice,
    ClearChat,
    ClearMsg,
    RoomState,
    Notice,
    Other,
}

impl Kind {
    /// The kind of a raw line, from its command.
    pub fn of(line: &str) -> Kind {
        let mut words = line.split(' ').skip_while(|w| w.starts_with('@') || w.starts_with(':'));
        match words.next().unwrap_or("") {
            "PRIVMSG" => Kind::Privmsg,
            "USERNOTICE" => Kind::UserNotice,
            "CLEARCHAT" => Kind::ClearChat,
            "CLEARMSG" => Kind::ClearMsg,
            "ROOMSTATE" => Kind::RoomState,
            "NOTICE" => Kind::Notice,
            _ => Kind::Other,
        }
    }
}

/// One line of a room's flow.
pub(crate) struct Line {
    pub kind: Kind,
    pub text: String,
    /// Only for readers that asked for `twitch.tv/commands` (Twitch sends USERNOTICE, CLEARCHAT, CLEARMSG and
    /// ROOMSTATE to those only). Injected lines go to every reader.
    pub commands_only: bool,
}

/// One tick's lines of one room.
pub(crate) type Batch = Arc<Vec<Line>>;

/// A connection joined to a room.
pub(crate) struct Reader {
    pub conn: u64,
    pub tx: mpsc::Sender<Batch>,
    /// Set when the reader fell [`QUEUE`] batches behind and was dropped from its rooms.
    pub lagged: Arc<AtomicBool>,
}

#[derive(Default)]
struct Room {
    readers: Vec<Reader>,
    /// Lines said so far: the next line's index.
    k: u64,
    /// Line budget not yet spent, in millionths of a line.
    credit: u64,
    mode: RoomMode,
    recent: VecDeque<Said>,
    /// CLEARCHAT lines sent at one server time (ms): Twitch never sends the same one twice in a millisecond,
    /// and the archive keeps a line once, so a repeat would be a line "sent" that no archive can hold.
    cleared: (i64, HashSet<String>),
    sent: IrcSent,
}

/// Every room of one server, by login.
#[derive(Default)]
pub(crate) struct Rooms {
    rooms: HashMap<String, Room>,
    /// Shared Chat: room → rooms its PRIVMSGs are copied into.
    shares: BTreeMap<String, BTreeSet<String>>,
    suspended: BTreeSet<String>,
}

impl Rooms {
    /// Adds a reader to `room`.
    pub fn join(&mut self, room: &str, reader: Reader) {
        self.rooms.entry(room.to_owned()).or_default().readers.push(reader);
    }

    /// Removes connection `conn` from `room`.
    pub fn part(&mut self, room: &str, conn: u64) {
        if let Some(r) = self.rooms.get_mut(room) {
            r.readers.retain(|reader| reader.conn != conn);
        }
    }

    /// The room's modes now (what a ROOMSTATE on JOIN reports).
    pub fn mode(&self, room: &str) -> RoomMode {
        self.rooms.get(room).map(|r| r.mode.clone()).unwrap_or_default()
    }

    pub fn is_suspended(&self, room: &str) -> bool {
        self.suspended.contains(room)
    }

    /// Suspends `room`: JOINs are refused with Twitch's NOTICE, and its chat stops.
    pub fn suspend(&mut self, room: &str) {
        self.suspended.insert(room.to_owned());
    }

    /// From now on, PRIVMSGs and USERNOTICEs of `from` are also delivered to readers of `into`.
    pub fn share(&mut self, from: &str, into: &str) {
        self.shares.entry(from.to_owned()).or_default().insert(into.to_owned());
    }

    /// Delivers `line` to every reader of `room` now; answers how many readers got it.
    pub fn inject(&mut self, room: &str, line: &str) -> usize {
        let mut text = line.trim_end_matches(['\r', '\n']).to_owned();
        text.push_str("\r\n");
        let line = Line {
            kind: Kind::of(&text),
            text,
            commands_only: false,
        };
        self.deliver(room, vec![line])
    }

    /// What each room sent so far.
    pub fn sent(&self) -> BTreeMap<String, IrcSent> {
        self.rooms
            .iter()
            .filter(|(_, r)| r.sent != IrcSent::default())
            .map(|(login, r)| (login.clone(), r.sent.clone()))
            .collect()
    }

    fn has_readers(&self, room: &str) -> bool {
        !self.suspended.contains(room) && self.rooms.get(room).is_some_and(|r| !r.readers.is_empty())
    }

    /// Rooms shared from `room` that have readers now.
    fn targets(&self, room: &str) -> Vec<String> {
        let into = self.shares.get(room).into_iter().flatten();
        into.filter(|b| self.has_readers(b)).cloned().collect()
    }

    /// Lines `room` may say after `elapsed` at `rate` lines a second (see [`budget`]).
    pub fn budget(&mut self, room: &str, rate: u64, elapsed: Duration, quiet: bool) -> u64 {
        budget(
            &mut self.rooms.entry(room.to_owned()).or_default().credit,
            rate,
            elapsed,
            quiet,
        )
    }

    /// Rooms that talk this tick: not suspended, with a reader of their own or of a room they are shared into.
    pub fn active(&mut self) -> Vec<String> {
        for room in self.rooms.values_mut() {
            room.readers.retain(|r| !r.tx.is_closed());
        }
        let names: BTreeSet<&String> = self.rooms.keys().chain(self.shares.keys()).collect();
        names
            .into_iter()
            .filter(|n| !self.suspended.contains(*n) && (self.has_readers(n) || !self.targets(n).is_empty()))
            .cloned()
            .collect()
    }

    /// Sends `lines` to the readers of `room` as one batch, counts them, and drops readers that fell behind.
    pub fn deliver(&mut self, room: &str, lines: Vec<Line>) -> usize {
        let r = self.rooms.entry(room.to_owned()).or_default();
        for line in &lines {
            r.sent.count(line.kind);
        }
        let batch = Arc::new(lines);
        r.readers.retain(|reader| match reader.tx.try_send(batch.clone()) {
            Ok(()) => true,
            Err(mpsc::error::TrySendError::Full(_)) => {
                reader.lagged.store(true, Ordering::Relaxed);
                false
            }
            Err(mpsc::error::TrySendError::Closed(_)) => false,
        });
        r.readers.len()
    }

    /// Lets `room` (channel `c`) say `n` lines; they and their Shared Chat copies are added to `out`.
    pub fn talk(&mut self, world: &World, c: usize, n: u64, now_ms: i64, out: &mut HashMap<String, Vec<Line>>) {
        let login = world.channels[c].login.clone();
        let targets: Vec<(String, u64)> = self
            .targets(&login)
            .into_iter()
            .filter_map(|b| Some((b.clone(), world.channels.iter().find(|ch| ch.login == b)?.id)))
            .collect();
        let chatters = world.chatters(c);
        if chatters.is_empty() {
            return;
        }
        let ctx = Ctx {
            world,
            c,
            chatters: &chatters,
            now_ms,
            shared_session: self.shares.get(&login).is_some_and(|s| !s.is_empty()),
        };
        let room = self.rooms.entry(login.clone()).or_default();
        for _ in 0..n {
            let k = room.k;
            room.k += 1;
            let h = hash(&[world.seed(), 0x11fe, c as u64, k]);
            let lines = room.say(&ctx, k, h, &targets, out);
            out.entry(login.clone()).or_default().extend(lines);
        }
    }
}

impl Room {
    /// The room's `k`th line (or lines, for a gift bomb); relayed copies go straight to `out`.
    fn say(
        &mut self,
        ctx: &Ctx,
        k: u64,
        h: u64,
        targets: &[(String, u64)],
        out: &mut HashMap<String, Vec<Line>>,
    ) -> Vec<Line> {
        let line = |kind, text| Line {
            kind,
            text,
            commands_only: true,
        };
        let slot = match say::slot(h) {
            Slot::ClearMsg | Slot::Timeout | Slot::Ban if self.recent.is_empty() => Slot::Privmsg,
            slot => slot,
        };
        let pick = (h >> 8) as usize % self.recent.len().max(1);
        match slot {
            Slot::Privmsg => vec![self.privmsg(ctx, k, h, targets, out)],
            Slot::UserNotice => say::usernotice(ctx, k, h)
                .into_iter()
                .enumerate()
                .map(|(i, notice)| {
                    for (into, room_id) in targets {
                        let copy = notice.relay((into, *room_id), hash(&[h, i as u64]));
                        out.entry(into.clone())
                            .or_default()
                            .push(line(Kind::SharedNotice, copy));
                    }
                    line(Kind::UserNotice, notice.line(ctx))
                })
                .collect(),
            Slot::ClearMsg => {
                let said = self
                    .recent
                    .remove(pick)
                    .unwrap_or_else(|| unreachable!("checked above"));
                vec![line(Kind::ClearMsg, say::clearmsg(ctx, &said))]
            }
            Slot::Timeout | Slot::Ban | Slot::ClearAll => {
                let text = match slot {
                    Slot::Timeout => say::clearchat(ctx, &self.recent[pick], Some(say::timeout_seconds(h >> 12))),
                    Slot::Ban => say::clearchat(ctx, &self.recent[pick], None),
                    _ => say::clear_all(ctx),
                };
                if self.cleared.0 != ctx.now_ms {
                    self.cleared = (ctx.now_ms, HashSet::new());
                }
                if self.cleared.1.insert(text.clone()) {
                    vec![line(Kind::ClearChat, text)]
                } else {
                    vec![self.privmsg(ctx, k, h, targets, out)]
                }
            }
            Slot::RoomState => vec![line(Kind::RoomState, self.mode.change(ctx, h >> 12))],
        }
    }

    fn privmsg(
        &mut self,
        ctx: &Ctx,
        k: u64,
        h: u64,
        targets: &[(String, u64)],
        out: &mut HashMap<String, Vec<Line>>,
    ) -> Line {
        let (text, said, tags) = say::privmsg(ctx, k, h);
        for (into, room_id) in targets {
            let copy = say::relay(&tags, &said, (into, *room_id), h);
            out.entry(into.clone()).or_default().push(Line {
                kind: Kind::Shared,
                text: copy,
                commands_only: false,
            });
        }
        if self.recent.len() == RECENT {
            self.recent.pop_front();
        }
        self.recent.push_back(said);
        Line {
            kind: Kind::Privmsg,
            text,
            commands_only: false,
        }
    }
}

impl IrcSent {
    fn count(&mut self, kind: Kind) {
        let n = match kind {
            Kind::Privmsg => &mut self.privmsg,
            Kind::Shared => &mut self.shared,
            Kind::SharedNotice => &mut self.shared_usernotice,
            Kind::UserNotice => &mut self.usernotice,
            Kind::ClearChat => &mut self.clearchat,
            Kind::ClearMsg => &mut self.clearmsg,
            Kind::RoomState => &mut self.roomstate,
            Kind::Notice => &mut self.notice,
            Kind::Other => &mut self.other,
        };
        *n += 1;
    }
}

/// Lines a room may say after `elapsed` at `rate` lines a second: at most a second's worth, none when quiet.
fn budget(credit: &mut u64, rate: u64, elapsed: Duration, quiet: bool) -> u64 {
    if quiet {
        *credit = 0;
        return 0;
    }
    let micros = u64::try_from(elapsed.as_micros()).unwrap_or(u64::MAX);
    *credit = credit.saturating_add(rate.saturating_mul(micros));
    let n = *credit / 1_000_000;
    if n > rate {
        *credit = 0;
        return rate;
    }
    *credit -= n * 1_000_000;
    n
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use super::*;
    use crate::MockConfig;

    fn tag<'a>(line: &'a str, name: &str) -> Option<&'a str> {
        let tags = line.strip_prefix('@')?.split(' ').next()?;
        tags.split(';').find_map(|t| t.strip_prefix(name)?.strip_prefix('='))
    }

    fn trailing(line: &str) -> Option<&str> {
        let (_, after) = line.trim_end().split_once(" #")?;
        after.split_once(" :").map(|(_, t)| t)
    }

    /// What `n` lines of channel `c` look like, in a busy room: 100 lines a millisecond; the rooms it shares
    /// with get their copies.
    fn said(rooms: &mut Rooms, world: &World, c: usize, n: u64) -> HashMap<String, Vec<Line>> {
        let mut out = HashMap::new();
        for (ms, first) in (0..n).step_by(100).enumerate() {
            rooms.talk(world, c, (n - first).min(100), 1_700_000_000_000 + ms as i64, &mut out);
        }
        out
    }

    /// The lines of `kind` a room said, in order.
    fn lines_of<'a>(out: &'a HashMap<String, Vec<Line>>, room: &str, kind: Kind) -> Vec<&'a str> {
        out[room]
            .iter()
            .filter(|l| l.kind == kind)
            .map(|l| l.text.as_str())
            .collect()
    }

    fn reader(conn: u64) -> (Reader, mpsc::Receiver<Batch>) {
        let (tx, rx) = mpsc::channel(4);
        let lagged = Arc::new(AtomicBool::new(false));
        (Reader { conn, tx, lagged }, rx)
    }

    #[test]
    fn moderation_targets_what_the_room_said_before() {
        let world = World::new(&MockConfig::default()).unwrap();
        let mut rooms = Rooms::default();
        let out = said(&mut rooms, &world, 0, 30_000);
        let lines = &out[&world.channels[0].login];
        let (mut ids, mut users) = (HashMap::new(), HashSet::new());
        let (mut cleared, mut timeouts) = (0, 0);
        for line in lines.iter().map(|l| l.text.as_str()) {
            if line.contains(" PRIVMSG #") {
                let login = line.split_once(" :").unwrap().1.split('!').next().unwrap();
                ids.insert(tag(line, "id").unwrap(), (login.to_owned(), trailing(line).unwrap()));
                users.insert((tag(line, "user-id").unwrap(), login.to_owned()));
            } else if line.contains(" CLEARMSG #") {
                let (login, text) = &ids[tag(line, "target-msg-id").unwrap()];
                assert_eq!(tag(line, "login"), Some(login.as_str()), "{line}");
                assert_eq!(trailing(line), Some(*text), "{line}");
                assert_eq!(tag(line, "room-id"), Some(""));
                cleared += 1;
            } else if line.contains(" CLEARCHAT #") && tag(line, "target-user-id").is_some() {
                let user = (tag(line, "target-user-id").unwrap(), trailing(line).unwrap().to_owned());
                assert!(users.contains(&user), "{line}");
                timeouts += usize::from(tag(line, "ban-duration").is_some());
            }
        }
        assert!(cleared > 100 && timeouts > 100, "{cleared} {timeouts}");
    }

    /// The archive keeps a moderation line once (it has no id of its own), so a room that said the same one twice
    /// in a millisecond would count a line as sent that no recorder can store.
    #[test]
    fn no_moderation_line_is_said_twice_at_one_server_time() {
        let world = World::new(&MockConfig::default()).unwrap();
        let mut rooms = Rooms::default();
        let mut out = HashMap::new();
        // Every line at one server time.
        rooms.talk(&world, 0, 30_000, 1_700_000_000_000, &mut out);
        let room = &world.channels[0].login;
        let mut lines = lines_of(&out, room, Kind::ClearChat);
        lines.extend(lines_of(&out, room, Kind::ClearMsg));
        let distinct: HashSet<&str> = lines.iter().copied().collect();
        assert!(lines.len() > 300, "{}", lines.len());
        assert_eq!(distinct.len(), lines.len());
    }

    #[test]
    fn shared_chat_copies_go_to_the_other_rooms_readers_with_source_tags() {
        let world = World::new(&MockConfig::default()).unwrap();
        let (a, b) = (&world.channels[0], &world.channels[1]);
        let mut rooms = Rooms::default();
        rooms.share(&a.login, &b.login);
        let out = said(&mut rooms, &world, 0, 50);
        assert!(!out.contains_key(&b.login), "nobody reads {}: no copies", b.login);
        let (r, _rx) = reader(1);
        rooms.join(&b.login, r);
        let out = said(&mut rooms, &world, 0, 200);
        let own: Vec<&str> = lines_of(&out, &a.login, Kind::Privmsg);
        let copies: Vec<&str> = lines_of(&out, &b.login, Kind::Shared);
        assert_eq!(own.len(), copies.len());
        for (own, copy) in own.iter().zip(&copies) {
            assert_eq!(tag(copy, "source-id"), tag(own, "id"));
            assert_eq!(
                tag(own, "source-id"),
                tag(own, "id"),
                "the origin's own message is tagged too"
            );
            assert_ne!(tag(copy, "id"), tag(own, "id"));
            assert_eq!(tag(copy, "source-room-id"), Some(a.id.to_string().as_str()));
            assert_eq!(tag(copy, "room-id"), Some(b.id.to_string().as_str()));
            assert_eq!(tag(copy, "source-badges"), tag(own, "badges"));
            assert_eq!(tag(copy, "source-badge-info"), tag(own, "badge-info"));
            assert_eq!(tag(copy, "user-id"), tag(own, "user-id"));
            assert_eq!(trailing(copy), trailing(own));
            assert!(copy.contains(&format!(" PRIVMSG #{} :", b.login)));
        }
    }

    #[test]
    fn shared_chat_relays_events_as_sharedchatnotice() {
        let world = World::new(&MockConfig::default()).unwrap();
        let (a, b) = (&world.channels[0], &world.channels[1]);
        let mut rooms = Rooms::default();
        rooms.share(&a.login, &b.login);
        let (r, _rx) = reader(1);
        rooms.join(&b.login, r);
        let out = said(&mut rooms, &world, 0, 5_000);
        let own: Vec<&str> = lines_of(&out, &a.login, Kind::UserNotice);
        let copies: Vec<&str> = lines_of(&out, &b.login, Kind::SharedNotice);
        assert!(
            own.len() > 50 && own.len() == copies.len(),
            "{} {}",
            own.len(),
            copies.len()
        );
        for (own, copy) in own.iter().zip(&copies) {
            assert_eq!(tag(copy, "msg-id"), Some("sharedchatnotice"));
            assert_eq!(tag(copy, "source-msg-id"), tag(own, "msg-id"));
            assert_eq!(tag(own, "source-msg-id"), tag(own, "msg-id"));
            assert_eq!(tag(copy, "source-id"), tag(own, "id"));
            assert_eq!(tag(copy, "source-room-id"), Some(a.id.to_string().as_str()));
            assert_eq!(tag(copy, "room-id"), Some(b.id.to_string().as_str()));
            assert_eq!(tag(copy, "system-msg"), tag(own, "system-msg"));
            assert_eq!(tag(copy, "login"), tag(own, "login"));
            assert_eq!(trailing(copy), trailing(own));
            assert!(copy.contains(&format!(" USERNOTICE #{}", b.login)));
        }
    }

    #[test]
    fn a_reader_that_falls_behind_is_dropped_and_told() {
        let mut rooms = Rooms::default();
        let (r, _rx) = reader(1);
        let lagged = r.lagged.clone();
        rooms.join("room", r);
        for _ in 0..4 {
            assert_eq!(rooms.inject("room", "PING :x"), 1);
        }
        assert_eq!(rooms.inject("room", "PING :x"), 0);
        assert!(lagged.load(Ordering::Relaxed));
        assert_eq!(rooms.sent()["room"].other, 5);
    }

    #[test]
    fn the_budget_keeps_the_rate_and_never_bursts_past_a_second() {
        let mut credit = 0;
        let ticks: u64 = (0..100).map(|_| budget(&mut credit, 150, TICK, false)).sum();
        assert_eq!(ticks, 150);
        assert_eq!(budget(&mut credit, 2000, Duration::from_secs(30), false), 2000);
        assert_eq!(budget(&mut credit, 2000, TICK, true), 0);
        assert_eq!(budget(&mut credit, 100, TICK, false), 1);
    }

    #[test]
    fn a_line_kind_comes_from_its_command() {
        assert_eq!(Kind::of("@a=b :x!x@x PRIVMSG #r :hi\r\n"), Kind::Privmsg);
        assert_eq!(Kind::of(":tmi.twitch.tv CLEARCHAT #r"), Kind::ClearChat);
        assert_eq!(Kind::of("PING :tmi.twitch.tv"), Kind::Other);
    }
}
