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
pub const MAX_EVENT_BYTES: usize = 2 * 1024 * 1024;

#[derive(Debug, Default)]
pub struct SseParser {
    line: Vec<u8>,
    event: Option<String>,
    data: String,
    has_data: bool,
    /// The previous read ended in CR: an LF starting the next read belongs to it.
    after_cr: bool,
    started: bool,
    /// The first bytes, until they prove to be a byte order mark or not.
    head: Vec<u8>,
}

impl SseParser {
    pub fn new() -> Self {
        Self::default()
    }

    /// Feeds the next bytes; returns the events they completed.
    pub fn feed(&mut self, chunk: &[u8]) -> Result<Vec<SseEvent>, SseTooLarge> {
        let mut events = Vec::new();
        let head;
        let mut bytes = chunk;
        if !self.started {
            // The stream may start with a byte order mark, which a read may cut.
            const BOM: &[u8] = b"\xEF\xBB\xBF";
            self.head.extend_from_slice(chunk);
            if self.head.len() < BOM.len() && BOM.starts_with(&self.head) {
                return Ok(events);
            }
            self.started = true;
            head = std::mem::take(&mut self.head);
            bytes = head.strip_prefix(BOM).unwrap_or(&head);
        }
        for &byte in bytes {
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
    fn a_byte_order_mark_cut_by_the_first_reads_is_still_skipped() {
        let mut parser = SseParser::new();
        assert_eq!(parser.feed(b"\xEF").unwrap(), vec![]);
        assert_eq!(parser.feed(b"\xBB").unwrap(), vec![]);
        assert_eq!(
            parser.feed(b"\xBFdata: x\n\n").unwrap(),
            vec![ev(None, "x")]
        );
    }

    #[test]
    fn parses_named_events_comments_and_multiline_data() {
        let input = b"\xEF\xBB\xBF: keep-alive\n\nevent: ping\ndata: {}\n\n\
                      data: line one\ndata:line two\nid: 7\nretry: 10\n\ndata\n\n";
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
        let input = "event: message_start\r\ndata: {\"a\":1}\r\n\r\n: comment\r\n\
                     data: héllo wörld ✓\r\ndata: second\r\n\r\n\
                     event: x\rdata: y\r\rdata: [DONE]\n\n"
            .as_bytes();
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

/// Random streams cut at random places (`PROPTEST_CASES=100000` for a long run).
#[cfg(test)]
mod properties {
    use proptest::prelude::*;

    use super::*;

    /// Bytes that look like an event stream, with arbitrary bytes between.
    fn stream() -> impl Strategy<Value = Vec<u8>> {
        let piece = prop_oneof![
            Just(b"data: ".to_vec()),
            Just(b"data:".to_vec()),
            Just(b"event: delta".to_vec()),
            Just(b": keep-alive".to_vec()),
            Just(b"id: 1".to_vec()),
            Just(b"\n".to_vec()),
            Just(b"\r".to_vec()),
            Just(b"\r\n".to_vec()),
            Just(b"\n\n".to_vec()),
            Just(b"\xEF\xBB\xBF".to_vec()),
            Just("{\"text\":\"é🦀\"}".as_bytes().to_vec()),
            proptest::collection::vec(any::<u8>(), 0..12),
        ];
        proptest::collection::vec(piece, 0..40).prop_map(|pieces| pieces.concat())
    }

    proptest! {
        #[test]
        fn any_cut_of_a_stream_gives_the_same_events(
            bytes in stream(),
            cuts in proptest::collection::vec(any::<prop::sample::Index>(), 0..8),
        ) {
            let whole = SseParser::new().feed(&bytes).unwrap();
            let mut at: Vec<usize> = cuts.iter().map(|i| i.index(bytes.len() + 1)).collect();
            at.sort_unstable();
            let mut parser = SseParser::new();
            let mut pieces = Vec::new();
            let mut start = 0;
            for end in at.into_iter().chain([bytes.len()]) {
                pieces.extend(parser.feed(&bytes[start..end]).unwrap());
                start = end;
            }
            prop_assert_eq!(pieces, whole);
        }

        #[test]
        fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..2048)) {
            let events = SseParser::new().feed(&bytes).unwrap();
            // Every event came from a `data` line, so the input has at least as many.
            let data_lines = bytes.windows(4).filter(|w| w == b"data").count();
            prop_assert!(events.len() <= data_lines);
        }
    }
}
