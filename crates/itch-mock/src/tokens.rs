//! The token store behind the fake id.twitch.tv: app and user access tokens, refresh tokens, device codes.
//!
//! [`oauth`](crate::oauth) mints and checks tokens through it, and the Helix pipeline in
//! [`server`](crate::server) turns a bearer token into a caller. Expiry runs on the wall clock (unlike the
//! world's mock clock), because clients schedule refreshes from `expires_in` in real time.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use rand::rngs::StdRng;
use rand::{RngExt, SeedableRng};

use crate::seed::mix;
use crate::world::UserRef;

/// Seconds a client must wait between two polls of one device code; 1 so tests stay fast, but enforced.
pub(crate) const DEVICE_INTERVAL: Duration = Duration::from_secs(1);
/// Lifetime of a device code, as on Twitch.
pub(crate) const DEVICE_TTL: Duration = Duration::from_secs(1800);
/// Polls answered `authorization_pending` before a device code is approved.
const PENDING_POLLS: u32 = 2;

/// An access token and what it grants.
#[derive(Clone, Debug)]
pub(crate) struct TokenInfo {
    pub client_id: String,
    /// `None` for an app token.
    pub user: Option<UserRef>,
    pub scopes: Vec<String>,
    pub expires_at: Instant,
    pub refresh_token: Option<String>,
}

impl TokenInfo {
    /// Whole seconds left, as `expires_in` reports them.
    pub fn expires_in(&self) -> u64 {
        self.expires_at.saturating_duration_since(Instant::now()).as_secs()
    }
}

/// What a refresh token can be exchanged for.
struct Grant {
    client_id: String,
    user: UserRef,
    scopes: Vec<String>,
}

struct DeviceCode {
    client_id: String,
    scopes: Vec<String>,
    created: Instant,
    polls: u32,
    last_poll: Option<Instant>,
}

/// Answer to one poll of the device-code grant.
pub(crate) enum DevicePoll {
    Pending,
    SlowDown,
    /// Unknown, expired or already used.
    Invalid,
    /// Approved with the scopes asked for at `/device`.
    Approved(Vec<String>),
}

/// All tokens of one server.
pub(crate) struct Tokens {
    rng: StdRng,
    ttl: Duration,
    access: HashMap<String, TokenInfo>,
    refresh: HashMap<String, Grant>,
    devices: HashMap<String, DeviceCode>,
}

impl Tokens {
    pub fn new(seed: u64, ttl: Duration) -> Tokens {
        Tokens {
            rng: StdRng::seed_from_u64(mix(seed ^ 0x70c3)),
            ttl,
            access: HashMap::new(),
            refresh: HashMap::new(),
            devices: HashMap::new(),
        }
    }

    fn random(&mut self, len: usize, alphabet: &[u8]) -> String {
        (0..len)
            .map(|_| alphabet[self.rng.random_range(0..alphabet.len())] as char)
            .collect()
    }

    /// A fresh token string: 30 lowercase letters and digits, like Twitch's.
    fn new_token(&mut self) -> String {
        loop {
            let t = self.random(30, b"abcdefghijklmnopqrstuvwxyz0123456789");
            if !self.access.contains_key(&t) && !self.refresh.contains_key(&t) {
                return t;
            }
        }
    }

    /// Mints an app access token (no refresh token: app tokens are re-requested, never refreshed).
    pub fn mint_app(&mut self, client_id: &str, scopes: Vec<String>) -> (String, TokenInfo) {
        let token = self.new_token();
        let info = TokenInfo {
            client_id: client_id.to_owned(),
            user: None,
            scopes,
            expires_at: Instant::now() + self.ttl,
            refresh_token: None,
        };
        self.access.insert(token.clone(), info.clone());
        (token, info)
    }

    /// Mints a user access token with its refresh token.
    pub fn mint_user(&mut self, client_id: &str, user: UserRef, scopes: Vec<String>) -> (String, TokenInfo) {
        let token = self.new_token();
        let refresh = self.new_token();
        let info = TokenInfo {
            client_id: client_id.to_owned(),
            user: Some(user),
            scopes: scopes.clone(),
            expires_at: Instant::now() + self.ttl,
            refresh_token: Some(refresh.clone()),
        };
        self.access.insert(token.clone(), info.clone());
        self.refresh.insert(
            refresh,
            Grant {
                client_id: client_id.to_owned(),
                user,
                scopes,
            },
        );
        (token, info)
    }

    /// The token's grant, if it exists and has not expired.
    pub fn lookup(&self, token: &str) -> Option<&TokenInfo> {
        self.access.get(token).filter(|t| t.expires_at > Instant::now())
    }

    /// Exchanges a refresh token for a new pair. The old refresh token dies (rotation, as for public clients);
    /// the old access token lives on until it expires, as on Twitch.
    pub fn refresh(&mut self, refresh_token: &str, client_id: &str) -> Option<(String, TokenInfo)> {
        if self.refresh.get(refresh_token)?.client_id != client_id {
            return None;
        }
        let grant = self.refresh.remove(refresh_token)?;
        Some(self.mint_user(&grant.client_id, grant.user, grant.scopes))
    }

    /// Revokes an access token and its refresh token. Returns the token's client id, if it existed.
    pub fn revoke(&mut self, token: &str) -> Option<String> {
        let info = self.access.remove(token)?;
        if let Some(r) = &info.refresh_token {
            self.refresh.remove(r);
        }
        Some(info.client_id)
    }

    /// The current refresh token that goes with an access token.
    pub fn refresh_token_for(&self, token: &str) -> Option<String> {
        let r = self.access.get(token)?.refresh_token.as_ref()?;
        self.refresh.contains_key(r).then(|| r.clone())
    }

    /// Makes one access token expired (its refresh token still works).
    pub fn expire(&mut self, token: &str) {
        if let Some(t) = self.access.get_mut(token) {
            t.expires_at = Instant::now();
        }
    }

    /// Makes every access token expired (refresh tokens still work).
    pub fn expire_all(&mut self) {
        let now = Instant::now();
        self.access.values_mut().for_each(|t| t.expires_at = now);
    }

    /// Starts a device-code flow; returns `(device_code, user_code)`.
    pub fn start_device(&mut self, client_id: &str, scopes: Vec<String>) -> (String, String) {
        let device_code = self.random(40, b"abcdefghijklmnopqrstuvwxyz0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ");
        let user_code = self.random(8, b"ABCDEFGHJKLMNPQRSTUVWXYZ");
        let code = DeviceCode {
            client_id: client_id.to_owned(),
            scopes,
            created: Instant::now(),
            polls: 0,
            last_poll: None,
        };
        self.devices.insert(device_code.clone(), code);
        (device_code, user_code)
    }

    /// One poll of a device code: pending twice, then approved (the code is then used up). A poll sooner
    /// than [`DEVICE_INTERVAL`] after the previous one is told to slow down and does not count.
    pub fn poll_device(&mut self, device_code: &str, client_id: &str) -> DevicePoll {
        let now = Instant::now();
        let Some(d) = self.devices.get_mut(device_code).filter(|d| d.client_id == client_id) else {
            return DevicePoll::Invalid;
        };
        if now.duration_since(d.created) > DEVICE_TTL {
            self.devices.remove(device_code);
            return DevicePoll::Invalid;
        }
        let too_soon = d
            .last_poll
            .is_some_and(|last| now.duration_since(last) < DEVICE_INTERVAL);
        d.last_poll = Some(now);
        if too_soon {
            return DevicePoll::SlowDown;
        }
        d.polls += 1;
        if d.polls <= PENDING_POLLS {
            return DevicePoll::Pending;
        }
        let d = self.devices.remove(device_code).expect("device code looked up above");
        DevicePoll::Approved(d.scopes)
    }
}
