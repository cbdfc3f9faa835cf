//! Rendering an answer while it streams: the blocks already complete are
//! rendered once and kept, and each new piece of text re-renders only the
//! block being written. Without this, every frame re-renders the whole
//! answer, so a long answer costs more per token the longer it gets.

use super::render;

/// The rendered blocks of a growing text, reused while the text only grows.
#[derive(Default)]
pub struct Incremental {
    /// The text of the complete blocks rendered so far, and their HTML.
    settled_source: String,
    settled_html: String,
}

impl Incremental {
    /// `source` as safe HTML: the complete blocks from the cache when the
    /// text grew from what they were cut from, then the block being written.
    /// Each part is a whole render, so each is safe and balanced on its own.
    pub fn render(&mut self, source: &str) -> String {
        let cut = settled_end(source);
        if !source.starts_with(self.settled_source.as_str()) || self.settled_source.len() > cut {
            self.settled_source.clear();
            self.settled_html.clear();
        }
        if cut > self.settled_source.len() {
            // Render the newly completed blocks alone and keep them.
            let new = &source[self.settled_source.len()..cut];
            self.settled_html.push_str(&render(new));
            self.settled_source.push_str(new);
        }
        let mut html = self.settled_html.clone();
        html.push_str(&render(&source[cut..]));
        html
    }
}

/// Where the complete blocks of `source` end: just after the last blank line
/// that is outside a fenced code block and followed by a line starting at
/// the margin (not an indented continuation of a list or a code block).
/// 0 when there is none. Cutting there changes nothing a reader notices while
/// the answer streams (a loose list may show as two lists until the answer
/// is complete and rendered whole).
pub fn settled_end(source: &str) -> usize {
    let mut fence: Option<(char, usize)> = None;
    let mut end = 0;
    let mut after_blank: Option<usize> = None;
    let mut offset = 0;
    for line in source.split_inclusive('\n') {
        let start = offset;
        offset += line.len();
        let text = line.trim_end_matches(['\n', '\r']);
        if let Some(blank_end) = after_blank.take() {
            if fence.is_none() && !text.starts_with([' ', '\t']) && !text.is_empty() {
                end = blank_end;
            }
        }
        if !line.ends_with('\n') {
            // The line being written: what it is is not known yet.
            break;
        }
        let trimmed = text.trim_start_matches(' ');
        let indent = text.len() - trimmed.len();
        match (fence, fence_of(trimmed)) {
            (None, Some(open)) if indent < 4 => fence = Some(open),
            // A closing fence carries nothing after its backticks.
            (Some((c, n)), Some((c2, n2)))
                if c == c2
                    && n2 >= n
                    && indent < 4
                    && trimmed.trim_start_matches(c).trim().is_empty() =>
            {
                fence = None;
            }
            _ => {}
        }
        if fence.is_none() && text.trim().is_empty() {
            after_blank = Some(start + line.len());
        }
    }
    end
}

/// A fence line's character and length (three or more ` or ~).
fn fence_of(line: &str) -> Option<(char, usize)> {
    let c = line.chars().next().filter(|c| matches!(c, '`' | '~'))?;
    let n = line.chars().take_while(|&x| x == c).count();
    (n >= 3).then_some((c, n))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cuts_after_the_last_blank_line_before_a_new_block() {
        assert_eq!(settled_end("one line"), 0);
        assert_eq!(settled_end("para one\n\npara tw"), 10);
        assert_eq!(settled_end("a\n\nb\n\nc"), 6);
        // The next line has not started yet: nothing to judge it by.
        assert_eq!(settled_end("a\n\n"), 0);
        // Indented: a list item's continuation or indented code.
        assert_eq!(settled_end("- a\n\n  more of a"), 0);
    }

    #[test]
    fn never_cuts_inside_a_fenced_code_block() {
        let open = "text\n\n```rust\nfn a() {}\n\nfn b() {}\n";
        assert_eq!(settled_end(open), 6);
        let closed = "text\n\n```rust\nfn a() {}\n\nfn b() {}\n```\n\nafter";
        assert_eq!(settled_end(closed), closed.len() - "after".len());
        // A shorter fence or another character does not close it.
        let inner = "~~~~\n```\n\nx\n";
        assert_eq!(settled_end(inner), 0);
    }

    #[test]
    fn renders_what_a_whole_render_shows_for_separate_blocks() {
        let text =
            "# Title\n\nSome **bold** text.\n\n```rust\nlet a = 1;\n\nlet b = 2;\n```\n\nThe end";
        let mut incremental = Incremental::default();
        // Fed as a stream, a few bytes at a time.
        let mut html = String::new();
        for end in (1..=text.len()).filter(|&i| text.is_char_boundary(i)) {
            html = incremental.render(&text[..end]);
        }
        assert_eq!(html, render(text));
    }

    #[test]
    fn a_text_replaced_by_another_starts_over() {
        let mut incremental = Incremental::default();
        incremental.render("first\n\nsecond");
        assert_eq!(
            incremental.render("other\n\nthing"),
            render("other\n\nthing")
        );
        assert_eq!(incremental.render("x"), render("x"));
    }
}
