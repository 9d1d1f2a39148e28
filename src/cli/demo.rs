//! `itch demo`: the whole path offline. Starts a fake Twitch in-process, resolves its largest channel with an
//! app token (which sees only the follower total), logs in through the device code flow as that channel's
//! broadcaster (the fake approves by itself), then pages through every follower and prints what it took.

use clap::Args;
use std::process::ExitCode;
use std::time::Instant;

use crate::client::helix::{followers, users, videos};
use crate::client::{Client, ClientConfig, Endpoints, Login};
use crate::mock::{MockConfig, MockServer};

/// Try itch offline against a fake Twitch.
#[derive(Debug, Args)]
#[command(after_help = "Example:\n  itch demo --followers 100000")]
pub struct DemoArgs {
    /// Followers of the fake's largest channel.
    #[arg(long, default_value_t = 25_000)]
    followers: u64,
    /// The fake's seed (the same seed gives the same world).
    #[arg(long, default_value_t = 1)]
    seed: u64,
}

pub async fn run(args: DemoArgs) -> anyhow::Result<ExitCode> {
    let mock = MockServer::start(MockConfig {
        seed: args.seed,
        followers: args.followers,
        ..MockConfig::default()
    })
    .await?;
    println!("fake Twitch at {} (TWITCH_HELIX_URL={})", mock.url(), mock.helix_url());
    let client = Client::new(ClientConfig {
        endpoints: Endpoints::parse(&mock.helix_url(), &mock.oauth_url(), &mock.gql_url())?,
        client_id: Some(mock.client_id().to_owned()),
        client_secret: Some(crate::client::Secret::new(mock.client_secret())),
        token_store: None,
        ..ClientConfig::default()
    })?;

    let channel = &mock.channels()[0];
    let login = Login::parse(&channel.login)?;
    let (user, _) = users::fetch_user(&client, &login).await?;
    let total = followers::fetch_follower_total(&client, &user.id).await?;
    println!(
        "channel {} (id {}, created {}): {total} followers",
        user.login,
        user.id,
        user.created_at.format("%Y-%m-%d")
    );

    let scopes = vec![followers::SCOPE.to_owned()];
    let code = client.auth().start_device_flow(client.http(), &scopes).await?;
    println!(
        "device login: open {} and enter {} (the fake approves by itself)",
        code.verification_uri, code.user_code
    );
    let token = client.auth().finish_device_flow(client.http(), &code, &scopes).await?;
    println!("logged in as {}", token.login.as_deref().unwrap_or("?"));

    let started = Instant::now();
    let before = client.stats().requests;
    let mut pager = followers::followers(&client, &user.id);
    let (mut count, mut newest) = (0u64, Vec::new());
    while let Some(page) = pager.next_page().await? {
        if newest.is_empty() {
            newest = page.items.iter().take(3).cloned().collect();
        }
        count += page.items.len() as u64;
    }
    let requests = client.stats().requests - before;
    println!(
        "paged {count} followers in {requests} requests, {:.2} s",
        started.elapsed().as_secs_f64()
    );
    for follow in &newest {
        println!(
            "  {}  {}",
            follow.followed_at.format("%Y-%m-%d %H:%M:%S"),
            follow.user_login
        );
    }
    let mut videos = videos::videos(&client, &user.id, videos::VideoType::All);
    if let Some(page) = videos.next_page().await? {
        println!("newest videos:");
        for video in page.items.iter().take(3) {
            println!(
                "  {}  {:>9}  {}",
                video.created_at.format("%Y-%m-%d"),
                video.duration,
                video.title
            );
        }
    }
    Ok(ExitCode::SUCCESS)
}
