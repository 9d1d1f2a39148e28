//! `itch auth login|status|logout`: the user token behind full follower lists, following lists and chatters.

use anyhow::Context;
use clap::{Args, Subcommand};
use std::process::ExitCode;

use crate::client::Client;
use crate::client::helix::{chatters, followers, following, subscriptions};
use crate::config::Config;

/// Log in as a Twitch user, show or forget the login.
#[derive(Debug, Args)]
#[command(after_help = "Example:\n  itch auth login\n  itch auth status")]
pub struct AuthArgs {
    #[command(subcommand)]
    action: AuthAction,
}

#[derive(Debug, Subcommand)]
enum AuthAction {
    /// Log in with the device code flow: open the link shown, approve, and itch stores the token (mode 0600).
    #[command(
        after_help = "Example:\n  itch auth login\n  itch auth login --scopes subs   # also channel:read:subscriptions, for `itch sync --only subscribers`\n  itch auth login --scopes user:read:follows"
    )]
    Login {
        /// Scopes to ask for (space or comma separated); the default covers everything itch reads but your
        /// subscribers. `subs` stands for the default scopes plus `channel:read:subscriptions` (only asked for
        /// when you ask: it shows who pays you).
        #[arg(long, value_delimiter = ',')]
        scopes: Option<Vec<String>>,
    },
    /// Show who is logged in, with which scopes, until when (never the token); exit 1 when nobody is.
    #[command(after_help = "Example:\n  itch auth status\n  itch auth status >/dev/null || itch auth login")]
    Status,
    /// Revoke the stored token and delete it.
    #[command(after_help = "Example:\n  itch auth logout")]
    Logout,
}

/// The scopes itch uses: full follower lists, your following list, chatters.
pub const DEFAULT_SCOPES: [&str; 3] = [followers::SCOPE, following::SCOPE, chatters::SCOPE];

/// The scopes `--scopes` asks for: each word as given, but `subs`, which is the default scopes and
/// `channel:read:subscriptions`; without repeats, in order.
fn expand_scopes(words: &[String]) -> Vec<String> {
    let mut scopes: Vec<String> = Vec::new();
    for word in words.iter().flat_map(|s| s.split_whitespace()) {
        let add: Vec<&str> = match word {
            "subs" => DEFAULT_SCOPES.into_iter().chain([subscriptions::SCOPE]).collect(),
            other => vec![other],
        };
        for scope in add {
            if !scopes.iter().any(|s| s == scope) {
                scopes.push(scope.to_owned());
            }
        }
    }
    scopes
}

pub async fn run(config: &Config, args: AuthArgs) -> anyhow::Result<ExitCode> {
    let client = Client::new(config.client_config())?;
    match args.action {
        AuthAction::Login { scopes } => login(&client, scopes).await,
        AuthAction::Status => status(&client, config).await,
        AuthAction::Logout => logout(&client).await,
    }
}

async fn login(client: &Client, scopes: Option<Vec<String>>) -> anyhow::Result<ExitCode> {
    let scopes: Vec<String> = match scopes {
        Some(scopes) => expand_scopes(&scopes),
        None => DEFAULT_SCOPES.iter().map(|s| s.to_string()).collect(),
    };
    let auth = client.auth();
    let code = auth
        .start_device_flow(client.http(), &scopes)
        .await
        .context("logging in")?;
    eprintln!(
        "To log in, open {} and enter the code {}",
        code.verification_uri, code.user_code
    );
    eprintln!(
        "Waiting for approval (the code is good for {} minutes)...",
        code.expires_in / 60
    );
    let token = auth
        .finish_device_flow(client.http(), &code, &scopes)
        .await
        .context("logging in")?;
    let store = auth.store().map(|s| s.path().display().to_string()).unwrap_or_default();
    crate::outln!(
        "logged in as {} (scopes: {}); token stored in {store}",
        token.login.as_deref().unwrap_or("?"),
        token.scopes.join(" ")
    )?;
    Ok(ExitCode::SUCCESS)
}

async fn status(client: &Client, config: &Config) -> anyhow::Result<ExitCode> {
    let auth = client.auth();
    let Some(stored) = auth.store().map(|s| s.load()).transpose()?.flatten() else {
        let app = if config.client.client_id.is_some() && config.client.client_secret.is_some() {
            "app token from TWITCH_CLIENT_ID and TWITCH_CLIENT_SECRET (follower totals only)"
        } else {
            "none (set TWITCH_CLIENT_ID and TWITCH_CLIENT_SECRET, or run `itch auth login`)"
        };
        crate::outln!("not logged in\ncredentials: {app}")?;
        // A script asking "is someone logged in?" gets no.
        return Ok(ExitCode::FAILURE);
    };
    let validation = auth.validate(client.http(), &stored.access_token).await;
    crate::outln!("login: {}", stored.login.as_deref().unwrap_or("?"))?;
    crate::outln!("user id: {}", stored.user_id.as_deref().unwrap_or("?"))?;
    crate::outln!("client id: {}", stored.client_id)?;
    crate::outln!("scopes: {}", stored.scopes.join(" "))?;
    match validation {
        // Twitch answers 0 for tokens that never expire.
        Ok(v) if v.expires_in <= 0 => crate::outln!("valid: yes, does not expire")?,
        Ok(v) => crate::outln!("valid: yes, for {} more minutes", v.expires_in / 60)?,
        Err(e) => crate::outln!("valid: no ({e}); it is refreshed on next use, or run `itch auth login`")?,
    }
    Ok(ExitCode::SUCCESS)
}

async fn logout(client: &Client) -> anyhow::Result<ExitCode> {
    let auth = client.auth();
    let Some(store) = auth.store() else {
        return Ok(ExitCode::SUCCESS);
    };
    match store.load()? {
        Some(stored) => {
            if let Err(e) = auth.revoke(client.http(), &stored).await {
                tracing::warn!("could not revoke the token at Twitch: {e}");
            }
            store.remove()?;
            crate::outln!("logged out {}", stored.login.as_deref().unwrap_or(""))?;
        }
        None => crate::outln!("not logged in")?,
    }
    Ok(ExitCode::SUCCESS)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn subs_adds_the_subscriptions_scope_to_the_defaults_and_nothing_else_does() {
        let words = |w: &[&str]| expand_scopes(&w.iter().map(|s| s.to_string()).collect::<Vec<_>>());
        let subs = words(&["subs"]);
        assert_eq!(subs.len(), DEFAULT_SCOPES.len() + 1);
        assert!(subs.iter().any(|s| s == "channel:read:subscriptions"));
        assert!(DEFAULT_SCOPES.iter().all(|d| subs.iter().any(|s| s == d)));
        assert!(
            !DEFAULT_SCOPES.contains(&"channel:read:subscriptions"),
            "only when asked"
        );
        assert_eq!(words(&["user:read:follows user:read:follows"]), ["user:read:follows"]);
        assert_eq!(words(&["subs", "user:read:follows"]), subs, "no repeats");
    }
}
