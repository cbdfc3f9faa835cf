//! Helpers shared by the integration tests.
#![allow(dead_code)]

use std::collections::HashMap;

use app::backend::config::Config;
use app::backend::crypto::{KeyCipher, MasterKey};

/// A fixed master key for tests (32 bytes, base64).
pub const TEST_KEY: &str = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";

/// A configuration built from `vars` only, never from the process environment.
pub fn config(vars: &[(&str, &str)]) -> Config {
    let mut map: HashMap<String, String> = HashMap::from([
        ("VIBEBOT_ENCRYPTION_KEY".into(), TEST_KEY.into()),
        ("LEPTOS_SITE_ADDR".into(), "127.0.0.1:0".into()),
        ("VIBEBOT_LOG".into(), "warn".into()),
    ]);
    for (k, v) in vars {
        map.insert(k.to_string(), v.to_string());
    }
    Config::from_lookup(|name| map.get(name).cloned()).expect("test configuration is valid")
}

pub fn cipher() -> KeyCipher {
    KeyCipher::new(&MasterKey::from_base64(TEST_KEY).unwrap())
}

/// Starts the real app on a free port against `pool`; returns its base URL.
pub async fn spawn_app(pool: sqlx::PgPool) -> String {
    let state = server::serve::app_state(&config(&[]), pool).expect("app state");
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        axum::serve(listener, server::http::router(state))
            .await
            .unwrap();
    });
    format!("http://{addr}")
}
