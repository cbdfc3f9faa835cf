//! Following an answer as it is written: `EventSource` on
//! `/api/messages/{id}/events` (browser only).

use super::message::Turn;

/// Streams the answer into `turn` until it is done or the current owner (the
/// conversation) goes away. A no-op on the server.
pub fn follow(turn: Turn) {
    #[cfg(feature = "hydrate")]
    browser::follow(turn);
    #[cfg(not(feature = "hydrate"))]
    let _ = turn;
}

#[cfg(feature = "hydrate")]
mod browser {
    use std::cell::RefCell;
    use std::rc::Rc;

    use leptos::prelude::*;
    use send_wrapper::SendWrapper;
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

    /// The listeners, kept while the stream is open and dropped after.
    type Listeners = Rc<RefCell<Vec<Closure<dyn FnMut(MessageEvent)>>>>;

    pub fn follow(turn: Turn) {
        let Ok(source) = EventSource::new(&format!("/api/messages/{}/events", turn.id.get_value()))
        else {
            turn.status.set("error".into());
            return;
        };
        // Deltas arrive per token; the answer is re-rendered at most once per
        // frame with everything that arrived since.
        let pending = Rc::new(RefCell::new(String::new()));
        let flush = {
            let pending = pending.clone();
            move || {
                let text = std::mem::take(&mut *pending.borrow_mut());
                if !text.is_empty() {
                    turn.content.update(|c| c.push_str(&text));
                }
            }
        };
        let listeners: Listeners = Rc::default();

        let on_snapshot = {
            let pending = pending.clone();
            Closure::<dyn FnMut(MessageEvent)>::new(move |e: MessageEvent| {
                if let Some(text) = data(&e)["content"].as_str() {
                    pending.borrow_mut().clear();
                    turn.content.set(text.to_string());
                }
            })
        };
        let on_delta = {
            let flush = flush.clone();
            Closure::<dyn FnMut(MessageEvent)>::new(move |e: MessageEvent| {
                if let Some(text) = data(&e)["text"].as_str() {
                    let first = pending.borrow().is_empty();
                    pending.borrow_mut().push_str(text);
                    if first {
                        request_animation_frame(flush.clone());
                    }
                }
            })
        };
        let on_done = {
            let (source, listeners) = (source.clone(), listeners.clone());
            Closure::<dyn FnMut(MessageEvent)>::new(move |e: MessageEvent| {
                flush();
                let metadata = data(&e)["metadata"].clone();
                let status = metadata["status"]
                    .as_str()
                    .unwrap_or("complete")
                    .to_string();
                turn.metadata.set(Some(metadata));
                turn.status.set(status);
                close(&source, &listeners);
            })
        };
        for (name, handler) in [
            ("snapshot", &on_snapshot),
            ("delta", &on_delta),
            ("done", &on_done),
        ] {
            let _ = source.add_event_listener_with_callback(name, handler.as_ref().unchecked_ref());
        }
        listeners
            .borrow_mut()
            .extend([on_snapshot, on_delta, on_done]);
        // Leaving the conversation closes the stream; the server goes on.
        let on_leave = SendWrapper::new((source, listeners));
        on_cleanup(move || {
            let (source, listeners) = on_leave.take();
            close(&source, &listeners);
        });
    }

    /// Closes the stream and frees its listeners once the current event,
    /// which may be one of them, has returned.
    fn close(source: &EventSource, listeners: &Listeners) {
        source.close();
        let listeners = listeners.clone();
        set_timeout(
            move || listeners.borrow_mut().clear(),
            std::time::Duration::ZERO,
        );
    }
}
