//! The signed-in account as the UI sees it: one resource, refreshed whenever
//! someone signs up, in or out.

use leptos::prelude::*;

use crate::api::account::{get_account, Login, Logout, Register};
use crate::error::AppError;
use crate::model::Account;

/// Shared by every page through context.
#[derive(Clone, Copy)]
pub struct Auth {
    pub login: ServerAction<Login>,
    pub register: ServerAction<Register>,
    pub logout: ServerAction<Logout>,
    pub account: Resource<Result<Option<Account>, AppError>>,
}

impl Auth {
    pub fn provide() -> Self {
        let login = ServerAction::<Login>::new();
        let register = ServerAction::<Register>::new();
        let logout = ServerAction::<Logout>::new();
        let account = Resource::new(
            move || {
                (
                    login.version().get(),
                    register.version().get(),
                    logout.version().get(),
                )
            },
            |_| get_account(),
        );
        let auth = Auth {
            login,
            register,
            logout,
            account,
        };
        provide_context(auth);
        auth.navigate_after_sign_in_and_out();
        auth
    }

    /// After signing up or in, go where the user was heading (`?next=`);
    /// after signing out, to the front page. (Without JavaScript the server's
    /// redirect does the same.)
    fn navigate_after_sign_in_and_out(&self) {
        let query = leptos_router::hooks::use_query_map();
        let navigate = leptos_router::hooks::use_navigate();
        let go_next = {
            let navigate = navigate.clone();
            move || {
                let next =
                    crate::api::account::safe_next(query.get_untracked().get("next").as_deref());
                navigate(&next, Default::default());
            }
        };
        let (login, register, logout) = (self.login, self.register, self.logout);
        let after_sign_in = go_next.clone();
        Effect::watch(
            move || login.value().get(),
            move |value, _, _| {
                if matches!(value, Some(Ok(_))) {
                    after_sign_in();
                }
            },
            false,
        );
        Effect::watch(
            move || register.value().get(),
            move |value, _, _| {
                if matches!(value, Some(Ok(_))) {
                    go_next();
                }
            },
            false,
        );
        Effect::watch(
            move || logout.value().get(),
            move |value, _, _| {
                if matches!(value, Some(Ok(_))) {
                    navigate("/", Default::default());
                }
            },
            false,
        );
    }

    /// `Some(true)` when signed in, `None` while still loading.
    /// Read it inside a `<Transition>`.
    pub fn signed_in(&self) -> Option<bool> {
        self.account.get().map(|r| matches!(r, Ok(Some(_))))
    }

    /// The account, once loaded, if signed in.
    pub fn current(&self) -> Option<Account> {
        self.account.get().and_then(|r| r.ok().flatten())
    }
}

pub fn use_auth() -> Auth {
    expect_context::<Auth>()
}

/// `/login?next=<where the user was going>`.
pub fn login_path_returning_here() -> String {
    let location = leptos_router::hooks::use_location();
    let here = format!(
        "{}{}",
        location.pathname.get_untracked(),
        location.search.get_untracked()
    );
    format!("/login?next={}", encode_query_value(&here))
}

/// Percent-encodes everything but unreserved characters and `/`.
pub fn encode_query_value(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for byte in value.bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b'/' => {
                out.push(byte as char)
            }
            _ => out.push_str(&format!("%{byte:02X}")),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn query_values_are_percent_encoded() {
        assert_eq!(
            super::encode_query_value("/settings/profile?a=1&b=é"),
            "/settings/profile%3Fa%3D1%26b%3D%C3%A9"
        );
    }
}

/// Put at the top of a page that needs an account: visitors are sent to sign
/// in and brought back afterwards. A sibling of the page's content rather than
/// its parent, so that reloading the account never re-creates the page.
#[component]
pub fn RequireSignedIn() -> impl IntoView {
    let auth = use_auth();
    view! {
        <Transition>
            {move || {
                (auth.signed_in() == Some(false))
                    .then(|| {
                        view! {
                            <leptos_router::components::Redirect path=login_path_returning_here() />
                        }
                    })
            }}
        </Transition>
    }
}
