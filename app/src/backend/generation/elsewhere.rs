//! Following an answer that another instance writes, through the database.
//! Each read brings only what the follower has not seen: the chunks after
//! the last one it read, and that one again (a retried save may have
//! lengthened it). The client gets the added text as a delta, so a long
//! answer costs the same per read, in the database and on the wire, at its
//! end as at its start.

use crate::backend::db::messages::Progress;

/// What to send the client.
#[derive(Debug, PartialEq)]
pub enum ToClient {
    /// The whole text so far (the first time, or when the client's text is
    /// not a beginning of it).
    Snapshot(String),
    /// Text to append.
    Delta(String),
}

/// What the client has of the answer, and where that ends in the database.
#[derive(Debug, Default)]
pub struct Elsewhere {
    /// The text the client has.
    sent: String,
    started: bool,
    /// The byte length of the stored text `sent` begins with; `None`: read
    /// the stored text and every chunk.
    stored_len: Option<usize>,
    /// The number of the last chunk read, and where its text begins in `sent`.
    last: Option<(i32, usize)>,
}

impl Elsewhere {
    pub fn new() -> Self {
        Self::default()
    }

    /// The arguments of the next [`crate::backend::db::messages::progress`]:
    /// the stored text's byte length known (-1: none) and the first chunk wanted.
    pub fn next_read(&self) -> (i32, i32) {
        match self.stored_len {
            None => (-1, 0),
            Some(len) => (
                i32::try_from(len).unwrap_or(-1),
                self.last.map_or(0, |(seq, _)| seq),
            ),
        }
    }

    /// Takes a read; returns what to send, if anything.
    pub fn take(&mut self, progress: &Progress) -> Option<ToClient> {
        match &progress.stored {
            Some(stored) => self.take_whole(stored, &progress.chunks),
            None => self.take_added(&progress.chunks),
        }
    }

    /// The stored text and all the chunks.
    fn take_whole(&mut self, stored: &str, chunks: &[(i32, String)]) -> Option<ToClient> {
        let mut text = stored.to_string();
        self.stored_len = Some(stored.len());
        self.last = None;
        for (seq, chunk) in chunks {
            self.last = Some((*seq, text.len()));
            text.push_str(chunk);
        }
        let send = if !self.started {
            Some(ToClient::Snapshot(text.clone()))
        } else if text == self.sent {
            None
        } else if let Some(added) = text.strip_prefix(self.sent.as_str()) {
            Some(ToClient::Delta(added.to_string()))
        } else {
            Some(ToClient::Snapshot(text.clone()))
        };
        self.started = true;
        self.sent = text;
        send
    }

    /// The chunks from the last one read on.
    fn take_added(&mut self, chunks: &[(i32, String)]) -> Option<ToClient> {
        let (known, from) = match self.last {
            Some((seq, at)) => (&self.sent[at..], Some((seq, at))),
            None => ("", None),
        };
        let same_start = match (from, chunks.first()) {
            (None, _) => true,
            (Some((seq, _)), Some((first, _))) => *first == seq,
            (Some(_), None) => false,
        };
        let tail: String = chunks.iter().map(|(_, text)| text.as_str()).collect();
        let Some(added) = tail.strip_prefix(known).filter(|_| same_start) else {
            // Not what was read before (never expected while an answer is
            // written): read it all again next time.
            self.stored_len = None;
            return None;
        };
        let added = added.to_string();
        let mut at = from.map_or(self.sent.len(), |(_, at)| at);
        for (i, (seq, text)) in chunks.iter().enumerate() {
            self.last = Some((*seq, at));
            if i + 1 < chunks.len() {
                at += text.len();
            }
        }
        if added.is_empty() {
            return None;
        }
        self.sent.push_str(&added);
        Some(ToClient::Delta(added))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::answer::{AnswerMetadata, AnswerStatus};

    fn streaming(stored: Option<&str>, chunks: &[(i32, &str)]) -> Progress {
        Progress {
            metadata: AnswerMetadata {
                status: AnswerStatus::Streaming,
                ..AnswerMetadata::default()
            },
            stored: stored.map(str::to_string),
            chunks: chunks.iter().map(|(s, t)| (*s, t.to_string())).collect(),
        }
    }

    fn delta(text: &str) -> Option<ToClient> {
        Some(ToClient::Delta(text.to_string()))
    }

    #[test]
    fn a_follower_reads_only_new_chunks_and_sends_what_they_add() {
        let mut follower = Elsewhere::new();
        assert_eq!(follower.next_read(), (-1, 0), "all of it, first");
        assert_eq!(
            follower.take(&streaming(Some(""), &[(0, "Hel"), (1, "lo")])),
            Some(ToClient::Snapshot("Hello".into()))
        );
        // From the last chunk read on, with the stored text's length.
        assert_eq!(follower.next_read(), (0, 1));
        assert_eq!(follower.take(&streaming(None, &[(1, "lo")])), None);
        assert_eq!(
            follower.take(&streaming(None, &[(1, "lo"), (2, ", wor")])),
            delta(", wor")
        );
        assert_eq!(follower.next_read(), (0, 2));
        // A retried save lengthened chunk 2; an empty chunk is a heartbeat.
        assert_eq!(
            follower.take(&streaming(None, &[(2, ", world"), (3, "")])),
            delta("ld")
        );
        assert_eq!(follower.next_read(), (0, 3));
        assert_eq!(
            follower.take(&streaming(None, &[(3, ""), (4, "!")])),
            delta("!")
        );
        // Ended: the stored text whole, the same as the client has.
        let ended = Progress {
            metadata: AnswerMetadata::default(),
            stored: Some("Hello, world!".into()),
            chunks: vec![],
        };
        assert!(!ended.is_streaming());
        assert_eq!(follower.take(&ended), None);
    }

    #[test]
    fn a_first_read_without_chunks_still_sends_a_snapshot() {
        let mut follower = Elsewhere::new();
        assert_eq!(
            follower.take(&streaming(Some(""), &[])),
            Some(ToClient::Snapshot(String::new()))
        );
        assert_eq!(follower.next_read(), (0, 0));
        assert_eq!(follower.take(&streaming(None, &[])), None);
        assert_eq!(follower.take(&streaming(None, &[(0, "Hi")])), delta("Hi"));
    }

    #[test]
    fn a_stored_text_that_changes_is_read_whole_and_sent_as_what_it_adds() {
        // The version before chunks rewrote the stored text at every save.
        let mut follower = Elsewhere::new();
        follower.take(&streaming(Some("so far"), &[]));
        assert_eq!(follower.next_read(), (6, 0));
        assert_eq!(
            follower.take(&streaming(Some("so far, and more"), &[])),
            delta(", and more")
        );
        assert_eq!(
            follower.take(&streaming(Some("something else"), &[])),
            Some(ToClient::Snapshot("something else".into()))
        );
    }

    #[test]
    fn chunks_that_do_not_continue_what_was_read_make_it_read_all_again() {
        let mut follower = Elsewhere::new();
        follower.take(&streaming(Some(""), &[(0, "Hello")]));
        // The last chunk read is gone, or changed rather than lengthened.
        assert_eq!(follower.take(&streaming(None, &[(1, "!")])), None);
        assert_eq!(follower.next_read(), (-1, 0));
        let mut follower = Elsewhere::new();
        follower.take(&streaming(Some(""), &[(0, "Hello")]));
        assert_eq!(follower.take(&streaming(None, &[(0, "Help")])), None);
        assert_eq!(follower.next_read(), (-1, 0));
        assert_eq!(
            follower.take(&streaming(Some(""), &[(0, "Help")])),
            Some(ToClient::Snapshot("Help".into()))
        );
    }
}
