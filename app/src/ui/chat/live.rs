//! Following an answer as it is written: `EventSource` on
//! `/api/messages/{id}/events` (browser only).

use super::message::Turn;

/// Streams the answer into `turn` until it is done. A no-op on the server.
pub fn follow(turn: Turn) {
    #[cfg(feature = "hydrate")]
    browser::follow(turn);
    #[cfg(not(feature = "hydrate"))]
    let _ = turn;
}

#[cfg(feature = "hydrate")]
mod browser {
    use leptos::prelude::*;
    use wasm_bindgen::closure::Closure;
    use wasm_bindgen::JsCast;
    use web_sys::{EventSource, MessageEvent};

    use super::Turn;

    fn data(event: &MessageEvent) -> serde_json::Value {
        event
            .data()
            .as_string()
            .and_then(|s| serde_json::from_str(&s).ok())
            .unwrap_or_default()
    }

    pub fn follow(turn: Turn) {
        let Ok(source) = EventSource::new(&format!("/api/messages/{}/events", turn.id.get_value()))
        else {
            turn.status.set("error".into());
            return;
        };
        let on_snapshot = Closure::<dyn FnMut(MessageEvent)>::new(move |e: MessageEvent| {
            if let Some(text) = data(&e)["content"].as_str() {
                turn.content.set(text.to_string());
            }
        });
        let on_delta = Closure::<dyn FnMut(MessageEvent)>::new(move |e: MessageEvent| {
            if let Some(text) = data(&e)["text"].as_str() {
                turn.content.update(|c| c.push_str(text));
            }
        });
        let closer = source.clone();
        let on_done = Closure::<dyn FnMut(MessageEvent)>::new(move |e: MessageEvent| {
            let metadata = data(&e)["metadata"].clone();
            let status = metadata["status"]
                .as_str()
                .unwrap_or("complete")
                .to_string();
            turn.metadata.set(Some(metadata));
            turn.status.set(status);
            closer.close();
        });
        for (name, handler) in [
            ("snapshot", &on_snapshot),
            ("delta", &on_delta),
            ("done", &on_done),
        ] {
            let _ = source.add_event_listener_with_callback(name, handler.as_ref().unchecked_ref());
        }
        // The listeners live as long as the EventSource, which closes at `done`.
        on_snapshot.forget();
        on_delta.forget();
        on_done.forget();
    }
}
