//! VibeBot's Leptos app: UI components, server functions and shared types.
//! Compiled to WASM with `hydrate` and into the server with `ssr`.

// Leptos views are nested types; the conversation page's is deeper than the
// compiler's default limit allows in the release WASM build (opt-level "z").
#![recursion_limit = "256"]

pub mod api;
pub mod error;
pub mod markdown;
pub mod model;
pub mod ui;

#[cfg(feature = "ssr")]
pub mod backend;

use leptos::prelude::*;
use leptos_meta::{provide_meta_context, MetaTags, Stylesheet, Title};
use leptos_router::components::{Route, Router, Routes};
use leptos_router::{path, SsrMode};

use ui::auth::Auth;
use ui::toast::ToastRegion;

/// The HTML document around the app, rendered on the server.
pub fn shell(options: LeptosOptions) -> impl IntoView {
    #[cfg(feature = "ssr")]
    set_page_policy(&options);
    view! {
        <!DOCTYPE html>
        <html lang="en" data-theme=chosen_theme().as_str()>
            <head>
                <meta charset="utf-8" />
                <meta name="viewport" content="width=device-width, initial-scale=1" />
                <meta name="color-scheme" content="light dark" />
                <link rel="icon" href="/favicon.svg" type="image/svg+xml" />
                <AutoReload options=options.clone() />
                <HydrationScripts options />
                <MetaTags />
            </head>
            <body>
                <App />
            </body>
        </html>
    }
}

/// This page's Content-Security-Policy, with the nonce Leptos put on the
/// page's inline scripts (leptos_axum makes a fresh one per response).
#[cfg(feature = "ssr")]
fn set_page_policy(options: &LeptosOptions) {
    let (Some(nonce), Some(response)) = (
        leptos::nonce::use_nonce(),
        use_context::<leptos_axum::ResponseOptions>(),
    ) else {
        return;
    };
    let reload = std::env::var_os("LEPTOS_WATCH")
        .is_some()
        .then_some(options.reload_port);
    if let Ok(value) = http::HeaderValue::from_str(&backend::csp::page(&nonce.to_string(), reload))
    {
        response.insert_header(http::header::CONTENT_SECURITY_POLICY, value);
    }
}

/// The theme this request's cookie asks for (the shell is rendered on the
/// server only; the browser changes `data-theme` itself when the user does).
fn chosen_theme() -> model::Theme {
    #[cfg(feature = "ssr")]
    if let Some(parts) = use_context::<http::request::Parts>() {
        return backend::cookies::theme(&parts);
    }
    model::Theme::System
}

/// The app's root component: routes to pages.
#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    mark_hydrated();

    view! {
        <Stylesheet id="leptos" href="/pkg/vibebot.css" />
        <Title text="VibeBot" />
        <Router>
            <AppRoutes />
        </Router>
    }
}

/// The pages, inside the router so that signing in and out can navigate.
#[component]
fn AppRoutes() -> impl IntoView {
    Auth::provide();
    ui::toast::Toasts::provide();
    view! {
        <ToastRegion />
        <Routes fallback=ui::refusal::NotFound>
            <Route path=path!("/") view=ui::home::HomePage />
            // Async: the account is known before the first byte, so the
            // signed-in / signed-out redirects are real 302s.
            <Route path=path!("/login") view=ui::login::LoginPage ssr=SsrMode::Async />
            <Route path=path!("/register") view=ui::register::RegisterPage ssr=SsrMode::Async />
            <Route
                path=path!("/settings/profile")
                view=ui::profile::ProfilePage
                ssr=SsrMode::Async
            />
            <Route path=path!("/settings/keys") view=ui::keys::KeysPage ssr=SsrMode::Async />
            // Addresses people guess lead to the settings.
            <Route path=path!("/settings") view=ui::profile::ToProfile ssr=SsrMode::Async />
            <Route path=path!("/profile") view=ui::profile::ToProfile ssr=SsrMode::Async />
            <Route path=path!("/c/:id") view=ui::chat::ChatPage ssr=SsrMode::Async />
            <Route path=path!("/admin") view=ui::admin::AdminPage ssr=SsrMode::Async />
            <Route
                path=path!("/admin/usage")
                view=ui::admin::usage::AdminUsagePage
                ssr=SsrMode::Async
            />
            <Route
                path=path!("/admin/models")
                view=ui::admin::models::AdminModelsPage
                ssr=SsrMode::Async
            />
            <Route path=path!("/usage") view=ui::usage::UsagePage ssr=SsrMode::Async />
            <Route path=path!("/templates") view=ui::templates::TemplatesPage ssr=SsrMode::Async />
        </Routes>
    }
}

/// Sets `data-hydrated` on `<body>` once the WASM has taken over the page, so
/// browser tests (and curious users) can tell. Effects never run on the server.
fn mark_hydrated() {
    Effect::new(|| {
        #[cfg(feature = "hydrate")]
        if let Some(body) = document().body() {
            let _ = body.set_attribute("data-hydrated", "");
        }
    });
}
