//! Copying text, for the copy buttons on messages and code blocks.
//!
//! The async Clipboard API exists only in secure contexts (https or
//! localhost); a self-hosted VibeBot is often reached over plain http on a
//! LAN address, so there the old select-and-copy fallback does the work.

/// Copies `text`; resolves to whether the browser reported success.
/// Always `false` on the server, where nothing can be copied.
pub async fn copy(text: String) -> bool {
    #[cfg(feature = "hydrate")]
    return browser::copy(&text).await;
    #[cfg(not(feature = "hydrate"))]
    {
        let _ = text;
        false
    }
}

#[cfg(feature = "hydrate")]
mod browser {
    use wasm_bindgen::JsCast;
    use wasm_bindgen_futures::JsFuture;

    pub async fn copy(text: &str) -> bool {
        let Some(window) = web_sys::window() else {
            return false;
        };
        if window.is_secure_context() {
            let promise = window.navigator().clipboard().write_text(text);
            return JsFuture::from(promise).await.is_ok();
        }
        fallback(&window, text).unwrap_or(false)
    }

    /// A hidden textarea, selected and copied with `execCommand`.
    fn fallback(window: &web_sys::Window, text: &str) -> Option<bool> {
        let document = window.document()?;
        let area: web_sys::HtmlTextAreaElement =
            document.create_element("textarea").ok()?.dyn_into().ok()?;
        area.set_value(text);
        area.set_attribute("readonly", "").ok()?;
        // A class, not a `style` attribute: the Content-Security-Policy
        // allows no inline styles.
        area.set_class_name("offscreen");
        let body = document.body()?;
        body.append_child(&area).ok()?;
        area.select();
        let copied = document
            .dyn_ref::<web_sys::HtmlDocument>()
            .and_then(|d| d.exec_command("copy").ok())
            .unwrap_or(false);
        area.remove();
        Some(copied)
    }
}
