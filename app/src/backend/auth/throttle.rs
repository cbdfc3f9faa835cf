//! Sign-in throttling: at most [`MAX_FAILURES`] failed sign-ins per account and
//! per client address within [`WINDOW_SECS`], counted in PostgreSQL so that the
//! limit holds across server instances.
//!
//! An attempt is counted before its password is checked, under a lock on
//! each of its scopes, and forgotten when it succeeds: fifty attempts at once
//! cannot all pass the check while the first ones are still being hashed. It
//! is counted once it holds a hashing slot ([`verify_password`] runs
//! [`begin`] inside `PasswordHasher::verify_counted`), so the attempts counted but not judged
//! yet are at most one per CPU: two hundred people behind one address
//! signing in at once are not refused for each other's pending attempts.
//! [`check`], before the queue, refuses at once what is already over.
//!
//! An attacker who keeps an account locked must not lock its owner out: a
//! sign-in from an address the account signed in from in the last
//! [`KNOWN_ADDRESS_DAYS`] days is judged by that address's own failures for
//! the account (and the address's), not by the account's failures from
//! everywhere. From a known address, the owner is slowed to five tries per
//! window by their own mistakes only.

use sqlx::PgPool;

use crate::backend::db::login_failures;
use crate::error::AppError;

pub const MAX_FAILURES: i64 = 5;
pub const WINDOW_SECS: i64 = 15 * 60;
/// How long an address an account signed in from counts as the owner's.
pub const KNOWN_ADDRESS_DAYS: i32 = 90;

/// The scope of a client address: an IPv4 address, or an IPv6 address's /64
/// (one host can use every address of its /64).
pub fn address_scope(client: &str) -> String {
    match client.parse::<std::net::IpAddr>() {
        Ok(std::net::IpAddr::V6(v6)) if v6.to_ipv4_mapped().is_none() => {
            let [a, b, c, d, ..] = v6.segments();
            let prefix = std::net::Ipv6Addr::new(a, b, c, d, 0, 0, 0, 0);
            format!("ip:{prefix}/64")
        }
        Ok(std::net::IpAddr::V6(v6)) => format!("ip:{}", v6.to_canonical()),
        _ => format!("ip:{client}"),
    }
}

fn account_scope(email: &str) -> String {
    format!("account:{email}")
}

/// An attempt being checked: counted already, forgotten if it succeeds.
#[must_use = "an attempt that succeeds must be forgotten with `succeeded`"]
pub struct Attempt {
    ids: Vec<i64>,
    scopes: Vec<String>,
    address: String,
}

/// The scopes an attempt for `email` from `client` counts against, sorted,
/// and the address scope.
fn scopes_of(email: &str, client: &str) -> (Vec<String>, String) {
    let address = address_scope(client);
    let account = account_scope(email);
    let from_address = format!("{account} from {address}");
    let mut scopes = vec![account, address.clone(), from_address];
    scopes.sort();
    (scopes, address)
}

/// The scopes an attempt is judged by: the address's, and the account's
/// from everywhere, or, from an address the account signed in from, the
/// account's from that address only.
async fn judged(
    db: &mut sqlx::PgConnection,
    email: &str,
    address: &str,
) -> Result<[String; 2], AppError> {
    let known =
        login_failures::is_known_address(&mut *db, email, address, KNOWN_ADDRESS_DAYS).await?;
    let account = account_scope(email);
    Ok(if known {
        [address.to_string(), format!("{account} from {address}")]
    } else {
        [address.to_string(), account]
    })
}

/// Refuses an attempt at once while its scopes are over the limit, counting
/// nothing (the count is [`begin`]'s).
async fn check(pool: &PgPool, email: &str, client: &str) -> Result<(), AppError> {
    let (_, address) = scopes_of(email, client);
    let mut db = pool.acquire().await?;
    let judged = judged(&mut db, email, &address).await?;
    refuse_while_over(&mut db, &judged, MAX_FAILURES).await
}

/// Counts a sign-in (or current-password) attempt for `email` from `client`,
/// or refuses it while the scopes it is judged by are over the limit.
async fn begin(pool: &PgPool, email: &str, client: &str) -> Result<Attempt, AppError> {
    let (scopes, address) = scopes_of(email, client);
    let mut tx = pool.begin().await?;
    login_failures::lock(&mut *tx, &scopes).await?;
    let judged = judged(&mut tx, email, &address).await?;
    refuse_while_over(&mut tx, &judged, MAX_FAILURES).await?;
    let ids = login_failures::record(&mut *tx, &scopes).await?;
    tx.commit().await?;
    Ok(Attempt {
        ids,
        scopes,
        address,
    })
}

/// The attempt was right: it is forgotten, and so are the account's earlier
/// failures; the address becomes one the account signed in from (when
/// `user_id` is given: a sign-in, not a password confirmation).
pub async fn succeeded(
    pool: &PgPool,
    attempt: Attempt,
    user_id: Option<&str>,
) -> Result<(), AppError> {
    let account_scopes: Vec<String> = attempt
        .scopes
        .into_iter()
        .filter(|s| s.starts_with("account:"))
        .collect();
    let mut tx = pool.begin().await?;
    login_failures::forget(&mut *tx, &attempt.ids).await?;
    login_failures::clear(&mut *tx, &account_scopes).await?;
    if let Some(user_id) = user_id {
        login_failures::remember_address(&mut *tx, user_id, &attempt.address).await?;
    }
    tx.commit().await?;
    Ok(())
}

/// Remembers that a new account was made from `client`: its owner's address.
pub async fn signed_up(pool: &PgPool, user_id: &str, client: &str) -> Result<(), AppError> {
    Ok(login_failures::remember_address(pool, user_id, &address_scope(client)).await?)
}

/// Counts a registration from `client` (whatever its outcome: each one costs
/// a password hash), or refuses it past `per_window` in the window.
pub async fn begin_registration(
    pool: &PgPool,
    client: &str,
    per_window: i64,
) -> Result<(), AppError> {
    let scopes = vec![format!("register from {}", address_scope(client))];
    let mut tx = pool.begin().await?;
    login_failures::lock(&mut *tx, &scopes).await?;
    refuse_while_over(&mut tx, &scopes, per_window).await?;
    login_failures::record(&mut *tx, &scopes).await?;
    tx.commit().await?;
    Ok(())
}

/// Checks `password` against `stored` (the account's hash; `None` when there
/// is no such account: the same cost, and false), throttled: refused at once
/// while over the limit, else counted when its hash starts ([`begin`]). A
/// password longer than any account can have fails, at the same cost.
pub async fn verify_password(
    state: &crate::backend::AppState,
    email: &str,
    client: &str,
    password: &str,
    stored: Option<&str>,
) -> Result<(Attempt, bool), AppError> {
    use crate::model::account::PASSWORD_MAX_BYTES;

    check(&state.pool, email, client).await?;
    let stored = stored.filter(|_| password.len() <= PASSWORD_MAX_BYTES);
    let bounded: String = password.chars().take(PASSWORD_MAX_BYTES).collect();
    state
        .passwords
        .verify_counted(&bounded, stored, begin(&state.pool, email, client))
        .await
}

async fn refuse_while_over(
    tx: &mut sqlx::PgConnection,
    scopes: &[String],
    max: i64,
) -> Result<(), AppError> {
    match login_failures::seconds_until_allowed(&mut *tx, scopes, max, WINDOW_SECS).await? {
        None => Ok(()),
        Some(secs) => Err(AppError::RateLimited {
            message: format!("too many attempts, try again in {secs} seconds"),
            retry_after_secs: secs as u64,
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::address_scope;

    #[test]
    fn an_ipv6_client_is_its_64_and_an_ipv4_one_its_address() {
        assert_eq!(address_scope("203.0.113.7"), "ip:203.0.113.7");
        assert_eq!(
            address_scope("2001:db8:1:2:aaaa:bbbb:cccc:dddd"),
            "ip:2001:db8:1:2::/64"
        );
        assert_eq!(
            address_scope("2001:db8:1:2::1"),
            address_scope("2001:db8:1:2:ffff::9")
        );
        assert_ne!(
            address_scope("2001:db8:1:2::1"),
            address_scope("2001:db8:1:3::1")
        );
        assert_eq!(address_scope("::ffff:203.0.113.7"), "ip:203.0.113.7");
        assert_eq!(address_scope("unknown"), "ip:unknown");
    }
}
