//! The `vibebot` binary as an operator uses it.

use std::process::Command;

fn vibebot(env: &[(&str, &str)], args: &[&str]) -> (bool, String) {
    let mut command = Command::new(env!("CARGO_BIN_EXE_vibebot"));
    command
        .args(args)
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("VIBEBOT_LOG", "warn")
        // No .env from the working directory.
        .current_dir(std::env::temp_dir());
    for (k, v) in env {
        command.env(k, v);
    }
    let out = command.output().expect("vibebot runs");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.success(), text)
}

#[test]
fn a_bad_variable_stops_start_up_with_its_name() {
    let (ok, output) = vibebot(
        &[("VIBEBOT_DB_MAX_CONNECTIONS", "many")],
        &["db", "migrate"],
    );
    assert!(!ok);
    assert!(
        output.contains(
            "VIBEBOT_DB_MAX_CONNECTIONS: expected a whole number from 1 to 1000, got `many`"
        ),
        "{output}"
    );
}

#[test]
fn production_without_an_encryption_key_refuses_to_start() {
    let (ok, output) = vibebot(&[("VIBEBOT_ENV", "production")], &["serve"]);
    assert!(!ok);
    assert!(
        output.contains("VIBEBOT_ENCRYPTION_KEY: required in production"),
        "{output}"
    );
}

#[test]
fn reset_of_a_configured_database_needs_yes() {
    // The refusal comes before any connection, so the URL need not be reachable.
    let url = "postgres://postgres@127.0.0.1:9/production";
    let (ok, output) = vibebot(&[("DATABASE_URL", url)], &["db", "reset"]);
    assert!(!ok);
    assert!(
        output.contains("refusing to reset the database given by DATABASE_URL without --yes"),
        "{output}"
    );
}

#[test]
fn help_lists_the_subcommands() {
    let (ok, output) = vibebot(&[], &["--help"]);
    assert!(ok, "{output}");
    for word in ["serve", "db"] {
        assert!(output.contains(word), "{output}");
    }
    let (ok, output) = vibebot(&[], &["db", "--help"]);
    assert!(ok, "{output}");
    for word in ["migrate", "reset", "seed"] {
        assert!(output.contains(word), "{output}");
    }
}

#[test]
fn key_rotation_needs_both_master_keys() {
    let key = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";
    let (ok, output) = vibebot(&[("VIBEBOT_ENCRYPTION_KEY", key)], &["keys", "rotate"]);
    assert!(!ok);
    assert!(
        output.contains("VIBEBOT_ENCRYPTION_KEY_PREVIOUS to the old one"),
        "{output}"
    );
}
