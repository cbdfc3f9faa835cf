//! An incremental Server-Sent Events parser (the WHATWG event-stream format):
//! bytes in, events out, whatever the TCP reads cut through. Handles LF, CRLF
//! and CR line ends (also split across reads), comments, multi-line `data`,
//! a leading BOM, and bounds every buffer.

/// One dispatched event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SseEvent {
    /// The `event:` field; `None` means the default type, "message".
    pub event: Option<String>,
    /// The `data:` lines joined with `\n`.
    pub data: String,
}

/// A line or an event grew past [`MAX_EVENT_BYTES`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the provider sent an event larger than {MAX_EVENT_BYTES} bytes")]
pub struct SseTooLarge;

/// No provider sends events anywhere near this; it caps memory per stream.
pub const MAX_EVENT_BYTES: usize = 4 * 1024 * 1024;

#[derive(Debug, Default)]
pub struct SseParser {
    line: Vec<u8>,
    event: Option<String>,
    data: String,
    has_data: bool,
    /// The previous read ended in CR: an LF starting the next read belongs to it.
    after_cr: bool,
    started: bool,
}

impl SseParser {
    pub fn new() -> Self {
        Self::default()
    }

    /// Feeds the next bytes; returns the events they completed.
    pub fn feed(&mut self, mut chunk: &[u8]) -> Result<Vec<SseEvent>, SseTooLarge> {
        let mut events = Vec::new();
        if !self.started && !chunk.is_empty() {
            self.started = true;
            chunk = chunk
                .strip_prefix(b"\xEF\xBB\xBF".as_slice())
                .unwrap_or(chunk);
        }
        for &byte in chunk {
            if self.after_cr {
                self.after_cr = false;
                if byte == b'\n' {
                    continue;
                }
            }
            match byte {
                b'\n' => self.end_line(&mut events),
                b'\r' => {
                    self.after_cr = true;
                    self.end_line(&mut events);
                }
                _ => {
                    if self.line.len() + self.data.len() >= MAX_EVENT_BYTES {
                        return Err(SseTooLarge);
                    }
                    self.line.push(byte);
                }
            }
        }
        Ok(events)
    }

    fn end_line(&mut self, events: &mut Vec<SseEvent>) {
        let line = std::mem::take(&mut self.line);
        if line.is_empty() {
            // A blank line dispatches the event (if it had data).
            let event = self.event.take();
            if self.has_data {
                self.has_data = false;
                events.push(SseEvent {
                    event,
                    data: std::mem::take(&mut self.data),
                });
            }
            return;
        }
        if line[0] == b':' {
            return; // a comment, e.g. a keep-alive
        }
        let text = String::from_utf8_lossy(&line);
        let (field, value) = match text.split_once(':') {
            Some((field, value)) => (field, value.strip_prefix(' ').unwrap_or(value)),
            None => (text.as_ref(), ""),
        };
        match field {
            "data" => {
                if self.has_data {
                    self.data.push('\n');
                }
                self.data.push_str(value);
                self.has_data = true;
            }
            "event" => self.event = Some(value.to_string()),
            // `id` and `retry` matter to browsers reconnecting, not to us.
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_all(input: &[u8]) -> Vec<SseEvent> {
        SseParser::new().feed(input).unwrap()
    }

    fn ev(event: Option<&str>, data: &str) -> SseEvent {
        SseEvent {
            event: event.map(Into::into),
            data: data.into(),
        }
    }

    #[test]
    fn parses_named_events_comments_and_multiline_data() {
        let input = b"\xEF\xBB\xBF: keep-alive\n\nevent: ping\ndata: {}\n\ndata: line one\ndata:line two\nid: 7\nretry: 10\n\ndata\n\n";
        assert_eq!(
            parse_all(input),
            vec![
                ev(Some("ping"), "{}"),
                ev(None, "line one\nline two"),
                ev(None, "")
            ]
        );
    }

    #[test]
    fn all_line_endings_work() {
        for sep in ["\n", "\r\n", "\r"] {
            let input = format!("event: a{sep}data: 1{sep}{sep}data: 2{sep}{sep}");
            assert_eq!(
                parse_all(input.as_bytes()),
                vec![ev(Some("a"), "1"), ev(None, "2")],
                "{sep:?}"
            );
        }
    }

    #[test]
    fn an_event_without_its_blank_line_is_not_dispatched() {
        assert_eq!(parse_all(b"data: partial"), vec![]);
        assert_eq!(parse_all(b"event: only-a-name\n\n"), vec![]);
    }

    #[test]
    fn every_split_of_the_input_gives_the_same_events() {
        let input = "event: message_start\r\ndata: {\"a\":1}\r\n\r\n: comment\r\ndata: héllo wörld ✓\r\ndata: second\r\n\r\nevent: x\rdata: y\r\rdata: [DONE]\n\n".as_bytes();
        let whole = parse_all(input);
        assert_eq!(whole.len(), 4);
        for i in 0..=input.len() {
            for j in i..=input.len() {
                let mut parser = SseParser::new();
                let mut events = parser.feed(&input[..i]).unwrap();
                events.extend(parser.feed(&input[i..j]).unwrap());
                events.extend(parser.feed(&input[j..]).unwrap());
                assert_eq!(events, whole, "split at {i} and {j}");
            }
        }
    }

    #[test]
    fn byte_by_byte_feeding_works() {
        let input = b"data: a\r\n\r\ndata: b\n\n";
        let mut parser = SseParser::new();
        let mut events = Vec::new();
        for byte in input {
            events.extend(parser.feed(std::slice::from_ref(byte)).unwrap());
        }
        assert_eq!(events, vec![ev(None, "a"), ev(None, "b")]);
    }

    #[test]
    fn oversized_events_are_refused() {
        let mut parser = SseParser::new();
        let big = vec![b'x'; MAX_EVENT_BYTES + 1];
        assert_eq!(parser.feed(b"data: ").unwrap(), vec![]);
        assert_eq!(parser.feed(&big), Err(SseTooLarge));
    }
}
