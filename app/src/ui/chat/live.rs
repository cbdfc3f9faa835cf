//! Following an answer as it is written: `EventSource` on
//! `/api/messages/{id}/events` (browser only).

use super::message::ShownMessage;

/// Streams an answer into `answer` until it is done or the current owner (the
/// conversation) goes away. A no-op on the server.
pub fn follow(answer: ShownMessage) {
    #[cfg(feature = "hydrate")]
    browser::follow(answer);
    #[cfg(not(feature = "hydrate"))]
    let _ = answer;
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

    use super::ShownMessage;
    use crate::model::answer::{AnswerEvent, AnswerStatus};

    fn parse(event: &MessageEvent) -> Option<AnswerEvent> {
        AnswerEvent::parse(&event.type_(), &event.data().as_string()?)
    }

    /// The listeners, kept while the stream is open and dropped after.
    type Listeners = Rc<RefCell<Vec<Closure<dyn FnMut(MessageEvent)>>>>;

    pub fn follow(answer: ShownMessage) {
        let Ok(source) =
            EventSource::new(&format!("/api/messages/{}/events", answer.id.get_value()))
        else {
            answer.status.set(AnswerStatus::Error);
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
                    answer.content.update(|c| c.push_str(&text));
                }
            }
        };
        let listeners: Listeners = Rc::default();
        let on_event = {
            let (source, listeners) = (source.clone(), listeners.clone());
            Closure::<dyn FnMut(MessageEvent)>::new(move |e: MessageEvent| match parse(&e) {
                Some(AnswerEvent::Snapshot { content }) => {
                    pending.borrow_mut().clear();
                    answer.content.set(content);
                }
                Some(AnswerEvent::Delta { text }) => {
                    let first = pending.borrow().is_empty();
                    pending.borrow_mut().push_str(&text);
                    if first {
                        request_animation_frame(flush.clone());
                    }
                }
                done => {
                    // An unreadable event ends the answer as it stands.
                    let metadata = match done {
                        Some(AnswerEvent::Done { metadata }) => *metadata,
                        _ => Default::default(),
                    };
                    flush();
                    answer.status.set(metadata.status);
                    answer.metadata.set(Some(metadata));
                    close(&source, &listeners);
                }
            })
        };
        for name in AnswerEvent::NAMES {
            let _ =
                source.add_event_listener_with_callback(name, on_event.as_ref().unchecked_ref());
        }
        listeners.borrow_mut().push(on_event);
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
