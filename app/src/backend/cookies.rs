//! The small preference cookies the server reads while rendering:
//! - `vibebot_theme`: the chosen theme, so the first paint has the right
//!   colours. The database holds the choice per user; the cookie carries it
//!   to this device (set at sign-in and whenever the user changes it).
//! - `vibebot_tz`: the browser's UTC offset in minutes, written by the app in
//!   the browser, so the sidebar's Today / Yesterday follow the user's
//!   calendar (the server has no other way to know it).

use http::header::{COOKIE, SET_COOKIE};
use http::request::Parts;
use http::HeaderValue;
use leptos::prelude::use_context;

use crate::model::conversation::MAX_UTC_OFFSET_MINUTES;
use crate::model::Theme;

const THEME: &str = "vibebot_theme";
/// Written by the browser (see `ui::chat::ChatShell`).
pub const TIMEZONE: &str = "vibebot_tz";

/// A cookie's value in a request.
fn read(parts: &Parts, name: &str) -> Option<String> {
    parts
        .headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|header| header.split(';'))
        .find_map(|pair| {
            let (key, value) = pair.trim().split_once('=')?;
            (key == name).then(|| value.to_string())
        })
}

/// The theme the request's cookie names, `System` without one.
pub fn theme(parts: &Parts) -> Theme {
    read(parts, THEME)
        .and_then(|value| Theme::parse(&value))
        .unwrap_or_default()
}

/// Adds the theme cookie to the current server function's response.
pub fn set_theme(theme: Theme, secure: bool) {
    let cookie = format!(
        "{THEME}={}; Path=/; Max-Age=31536000; SameSite=Lax; HttpOnly{}",
        theme.as_str(),
        if secure { "; Secure" } else { "" }
    );
    if let (Some(response), Ok(value)) = (
        use_context::<leptos_axum::ResponseOptions>(),
        HeaderValue::from_str(&cookie),
    ) {
        response.append_header(SET_COOKIE, value);
    }
}

/// Minutes east of UTC for the current request; 0 without a usable cookie.
pub fn utc_offset_minutes() -> i32 {
    use_context::<Parts>()
        .and_then(|parts| read(&parts, TIMEZONE))
        .and_then(|value| value.parse::<i32>().ok())
        .filter(|m| m.abs() <= MAX_UTC_OFFSET_MINUTES)
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parts(cookie: &str) -> Parts {
        let (parts, ()) = http::Request::builder()
            .header(COOKIE, cookie)
            .body(())
            .unwrap()
            .into_parts();
        parts
    }

    #[test]
    fn reads_the_theme_among_other_cookies() {
        assert_eq!(theme(&parts("a=1; vibebot_theme=dark; b=2")), Theme::Dark);
        assert_eq!(theme(&parts("vibebot_theme=light")), Theme::Light);
        assert_eq!(theme(&parts("vibebot_theme=purple")), Theme::System);
        assert_eq!(theme(&parts("other_vibebot_theme=dark")), Theme::System);
        assert_eq!(theme(&parts("")), Theme::System);
        assert_eq!(
            read(&parts("vibebot_tz=-300"), TIMEZONE).as_deref(),
            Some("-300")
        );
    }
}
