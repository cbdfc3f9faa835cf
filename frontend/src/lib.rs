//! The browser entry point: hydrates the server-rendered page. Nothing else lives here.

// The app's views are deep nested types (see app/src/lib.rs).
#![recursion_limit = "256"]

#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    leptos::mount::hydrate_body(app::App);
}
