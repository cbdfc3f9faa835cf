//! Markdown to HTML for answers, identical on the server (SSR) and in the
//! browser (streaming).
//!
//! The output is the only HTML VibeBot ever hands to the DOM as HTML, so it is
//! built to be inert whatever a model or a user writes:
//! - raw HTML in the source is shown as text, never passed through;
//! - links keep only `http`, `https`, `mailto` and relative targets, open in a
//!   new tab without a referrer or an opener;
//! - images are never loaded (an image URL in model output is a classic way
//!   to leak a conversation to a third party): they become plain links;
//! - code blocks are escaped and highlighted by [`highlight`], with a copy
//!   button the message component wires up.

mod highlight;
mod incremental;

use pulldown_cmark::{CodeBlockKind, CowStr, Event, Options, Parser, Tag, TagEnd};
use pulldown_cmark_escape::{escape_href, escape_html};

pub use highlight::highlight;
pub use incremental::Incremental;

/// Renders `source` as safe HTML.
pub fn render(source: &str) -> String {
    let options =
        Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH | Options::ENABLE_TASKLISTS;
    let mut html = String::with_capacity(source.len() * 3 / 2);
    pulldown_cmark::html::push_html(&mut html, Safe::new(Parser::new_ext(source, options)));
    html
}

/// Whether a link target may become an `href`: `http`, `https`, `mailto` or a
/// relative URL. Browsers ignore ASCII whitespace and control characters
/// inside a scheme (`java\tscript:`), so those are dropped before looking.
pub fn is_safe_url(url: &str) -> bool {
    let cleaned: String = url
        .chars()
        .filter(|c| !c.is_ascii_whitespace() && !c.is_ascii_control())
        .collect();
    match cleaned.find([':', '/', '?', '#']) {
        Some(i) if cleaned[i..].starts_with(':') => {
            let scheme = cleaned[..i].to_ascii_lowercase();
            matches!(scheme.as_str(), "http" | "https" | "mailto")
        }
        _ => true,
    }
}

/// The event filter between the parser and the HTML writer.
struct Safe<'a, I> {
    events: I,
    /// For each open link or image: whether its closing tag must be written.
    links: Vec<bool>,
    /// The fenced or indented code block being collected: (language, text).
    code: Option<(String, String)>,
    _source: std::marker::PhantomData<&'a ()>,
}

impl<'a, I: Iterator<Item = Event<'a>>> Safe<'a, I> {
    fn new(events: I) -> Self {
        Safe {
            events,
            links: Vec::new(),
            code: None,
            _source: std::marker::PhantomData,
        }
    }

    fn open_link(&mut self, dest: &str, title: &str, image: bool) -> Event<'a> {
        if !is_safe_url(dest) {
            self.links.push(false);
            return Event::Text(CowStr::Borrowed(if image { "[image: " } else { "" }));
        }
        self.links.push(true);
        let mut tag = String::from("<a href=\"");
        let _ = escape_href(&mut tag, dest);
        tag.push('"');
        if !title.is_empty() {
            tag.push_str(" title=\"");
            let _ = escape_html(&mut tag, title);
            tag.push('"');
        }
        tag.push_str(" target=\"_blank\" rel=\"noopener noreferrer nofollow\">");
        if image {
            tag.push_str("[image: ");
        }
        Event::Html(tag.into())
    }

    fn close_link(&mut self, image: bool) -> Event<'a> {
        let closing = match (self.links.pop().unwrap_or(false), image) {
            (true, true) => "]</a>",
            (true, false) => "</a>",
            (false, true) => "]",
            (false, false) => "",
        };
        Event::Html(CowStr::Borrowed(closing))
    }
}

impl<'a, I: Iterator<Item = Event<'a>>> Iterator for Safe<'a, I> {
    type Item = Event<'a>;

    fn next(&mut self) -> Option<Event<'a>> {
        loop {
            let event = match self.events.next() {
                Some(event) => event,
                // A stream cut inside a code fence still shows its code.
                None => {
                    return self
                        .code
                        .take()
                        .map(|(lang, text)| code_block(&lang, &text))
                }
            };
            if let Some((_, text)) = self.code.as_mut() {
                match event {
                    Event::Text(t) => text.push_str(&t),
                    Event::End(TagEnd::CodeBlock) => {
                        let (lang, text) = self.code.take().unwrap_or_default();
                        return Some(code_block(&lang, &text));
                    }
                    _ => {}
                }
                continue;
            }
            return Some(match event {
                Event::Html(raw) | Event::InlineHtml(raw) => Event::Text(raw),
                // An HTML block reads as a paragraph of text.
                Event::Start(Tag::HtmlBlock) => Event::Start(Tag::Paragraph),
                Event::End(TagEnd::HtmlBlock) => Event::End(TagEnd::Paragraph),
                Event::Start(Tag::Link {
                    dest_url, title, ..
                }) => self.open_link(&dest_url, &title, false),
                Event::End(TagEnd::Link) => self.close_link(false),
                Event::Start(Tag::Image {
                    dest_url, title, ..
                }) => self.open_link(&dest_url, &title, true),
                Event::End(TagEnd::Image) => self.close_link(true),
                Event::Start(Tag::CodeBlock(kind)) => {
                    let lang = match kind {
                        CodeBlockKind::Fenced(info) => {
                            info.split_whitespace().next().unwrap_or("").to_string()
                        }
                        CodeBlockKind::Indented => String::new(),
                    };
                    self.code = Some((lang, String::new()));
                    continue;
                }
                other => other,
            });
        }
    }
}

/// A code block: a bar with the language and a copy button, then the code.
fn code_block<'a>(lang: &str, text: &str) -> Event<'a> {
    // The language names a CSS class and shows in the bar: keep it plain.
    let lang: String = lang
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '#' | '-' | '_' | '.'))
        .take(32)
        .collect();
    let mut html = String::with_capacity(text.len() * 2 + 200);
    html.push_str("<div class=\"code-block\"><div class=\"code-block__bar\"><span>");
    html.push_str(if lang.is_empty() { "text" } else { &lang });
    html.push_str(
        "</span><button type=\"button\" class=\"copy-code\" aria-label=\"Copy code\">Copy</button>\
         </div><pre><code",
    );
    if !lang.is_empty() {
        html.push_str(" class=\"language-");
        html.push_str(&lang);
        html.push('"');
    }
    html.push('>');
    highlight(&lang, text, &mut html);
    // Ends its line as the writer's own blocks do, so that rendering blocks
    // one by one (`incremental`) gives the same HTML as all at once.
    html.push_str("</code></pre></div>\n");
    Event::Html(html.into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_common_markdown() {
        let html = render(
            "# Title\n\n**bold** and *it* and `code`\n\n- a\n- b\n\n\
             | x | y |\n|---|---|\n| 1 | 2 |\n",
        );
        for part in [
            "<h1>Title</h1>",
            "<strong>bold</strong>",
            "<em>it</em>",
            "<code>code</code>",
            "<li>a</li>",
            "<table>",
            "<td>2</td>",
        ] {
            assert!(html.contains(part), "{part} missing from {html}");
        }
    }

    #[test]
    fn raw_html_is_text() {
        for source in [
            "<img src=x onerror=alert(1)>",
            "before <script>alert(1)</script> after",
            "<div>\n<svg onload=alert(1)>\n</div>",
            "x <a href=\"javascript:alert(1)\">y</a>",
            "<iframe src=//evil>",
        ] {
            let html = render(source);
            assert!(!html.contains("<img"), "{html}");
            assert!(!html.contains("<script"), "{html}");
            assert!(!html.contains("<svg"), "{html}");
            assert!(!html.contains("<a href=\"javascript"), "{html}");
            assert!(!html.contains("<iframe"), "{html}");
            assert!(html.contains("&lt;"), "{html}");
        }
    }

    #[test]
    fn unsafe_links_lose_their_target() {
        for source in [
            "[x](javascript:alert(1))",
            "[x](JavaScript:alert(1))",
            "[x](java\tscript:alert(1))",
            "[x](<java script:alert(1)>)",
            "[x](data:text/html,<script>alert(1)</script>)",
            "[x](vbscript:msgbox)",
            "<javascript:alert(1)>",
            "[x][r]\n\n[r]: javascript:alert(1)",
        ] {
            let html = render(source);
            assert!(!html.contains("href"), "{source} gave {html}");
        }
    }

    #[test]
    fn safe_links_open_in_a_new_tab_without_referrer() {
        let html = render("[docs](https://example.com/a?b=1&c=\"2\" \"T\")");
        assert!(
            html.contains(
                "<a href=\"https://example.com/a?b=1&amp;c=%222%22\" title=\"T\" \
                 target=\"_blank\" rel=\"noopener noreferrer nofollow\">docs</a>"
            ),
            "{html}"
        );
        assert!(render("[r](/c/abc)").contains("href=\"/c/abc\""));
        assert!(render("[m](mailto:a@b.c)").contains("href=\"mailto:a@b.c\""));
    }

    #[test]
    fn images_are_links_never_loaded() {
        let html = render("![a cat](https://tracker.example/p.png?secret=1)");
        assert!(!html.contains("<img"), "{html}");
        assert!(html.contains("[image: a cat]</a>"), "{html}");
        let html = render("![x](javascript:alert(1))");
        assert!(
            !html.contains("href") && html.contains("[image: x]"),
            "{html}"
        );
    }

    #[test]
    fn code_blocks_are_escaped_highlighted_and_copyable() {
        let html = render("```rust\nfn main() { let s = \"<b>\"; }\n```\n");
        assert!(html.contains("class=\"copy-code\""), "{html}");
        assert!(html.contains("<code class=\"language-rust\">"), "{html}");
        assert!(html.contains("<span class=\"tok-k\">fn</span>"), "{html}");
        assert!(html.contains("&lt;b&gt;"), "{html}");
        assert!(!html.contains("<b>"), "{html}");
    }

    #[test]
    fn the_language_tag_cannot_inject_markup() {
        let html = render("```\"><img src=x onerror=alert(1)>\ncode\n```\n");
        assert!(!html.contains("<img"), "{html}");
        assert!(!html.contains("onerror"), "{html}");
    }

    #[test]
    fn an_unclosed_fence_still_shows_its_code() {
        let html = render("Here:\n\n```python\nprint('hi')\n");
        assert!(
            html.contains("<pre><code class=\"language-python\">"),
            "{html}"
        );
        assert!(html.contains("print"), "{html}");
    }

    #[test]
    fn url_policy() {
        assert!(is_safe_url("https://a.b"));
        assert!(is_safe_url("relative/path:with-colon"));
        assert!(is_safe_url("#anchor"));
        assert!(!is_safe_url(" javascript:x"));
        assert!(!is_safe_url("\u{1}javascript:x"));
        assert!(!is_safe_url("file:///etc/passwd"));
    }
}

/// Random mixes of markdown, HTML and link tricks: the output only ever holds
/// the tags and attributes the renderer writes itself, and only safe links
/// (`PROPTEST_CASES=100000` for a long run).
#[cfg(test)]
mod properties {
    use proptest::prelude::*;

    use super::*;

    const TAGS: &[&str] = &[
        "p",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "blockquote",
        "pre",
        "code",
        "ol",
        "ul",
        "li",
        "table",
        "thead",
        "tbody",
        "tr",
        "th",
        "td",
        "em",
        "strong",
        "del",
        "a",
        "hr",
        "br",
        "input",
        "div",
        "span",
        "button",
    ];
    const ATTRIBUTES: &[&str] = &[
        "href",
        "title",
        "target",
        "rel",
        "class",
        "type",
        "aria-label",
        "disabled",
        "checked",
        "start",
        "style",
    ];

    fn source() -> impl Strategy<Value = String> {
        let piece = prop_oneof![
            Just("<script>alert(1)</script>".to_string()),
            Just("<img src=x onerror=alert(1)>".to_string()),
            Just("<svg/onload=alert(1)>".to_string()),
            Just("<a href=\"javascript:alert(1)\">x</a>".to_string()),
            Just("[x](javascript:alert(1))".to_string()),
            Just("[x](java\tscript:alert(1))".to_string()),
            Just("[x](JaVaScRiPt:alert(1) \"t\")".to_string()),
            Just("![i](data:text/html,<script>alert(1)</script>)".to_string()),
            Just("![i](https://tracker.example/p.png)".to_string()),
            Just("<javascript:alert(1)>".to_string()),
            Just("[r]: javascript:alert(1)\n\n[r]".to_string()),
            Just("&#106;avascript:".to_string()),
            Just("\" onmouseover=\"alert(1)".to_string()),
            Just("```".to_string()),
            Just("```js\" onclick=\"x".to_string()),
            Just("`".to_string()),
            Just("| a | b |\n|:--|--:|\n| 1 | 2 |".to_string()),
            Just("- [x] ".to_string()),
            Just("3. ".to_string()),
            Just("> ".to_string()),
            Just("***".to_string()),
            Just("\n".to_string()),
            Just("\n\n".to_string()),
            Just("    ".to_string()),
            Just("<".to_string()),
            Just(">".to_string()),
            Just("](".to_string()),
            Just("\u{202e}".to_string()),
            ".{0,12}",
        ];
        proptest::collection::vec(piece, 0..30).prop_map(|pieces| pieces.concat())
    }

    /// The tags of `html` as (name, [(attribute, value)]): every `<` starts
    /// one, since text `<` is escaped.
    fn tags(html: &str) -> Vec<(String, Vec<(String, String)>)> {
        let mut out = Vec::new();
        let mut rest = html;
        while let Some(open) = rest.find('<') {
            let close = rest[open..].find('>').expect("a tag is closed") + open;
            let inner = rest[open + 1..close].trim_start_matches('/');
            let (name, mut attrs) = inner.split_once(' ').unwrap_or((inner, ""));
            let mut found = Vec::new();
            while !attrs.trim().is_empty() {
                attrs = attrs.trim_start();
                let end = attrs.find(['=', ' ']).unwrap_or(attrs.len());
                let attr = attrs[..end].trim_end_matches('/').to_string();
                attrs = &attrs[end..];
                let mut value = String::new();
                if let Some(quoted) = attrs.strip_prefix("=\"") {
                    let end = quoted.find('"').expect("a value is quoted");
                    value = quoted[..end].to_string();
                    attrs = &quoted[end + 1..];
                }
                if !attr.is_empty() {
                    found.push((attr, value));
                }
            }
            out.push((name.trim_end_matches('/').to_string(), found));
            rest = &rest[close + 1..];
        }
        out
    }

    proptest! {
        #[test]
        fn output_holds_only_the_renderers_own_tags_and_safe_links(text in source()) {
            let html = render(&text);
            for (name, attributes) in tags(&html) {
                prop_assert!(TAGS.contains(&name.as_str()), "tag {name} in {html}");
                for (attribute, value) in attributes {
                    prop_assert!(
                        ATTRIBUTES.contains(&attribute.as_str()),
                        "attribute {attribute} in {html}"
                    );
                    if attribute == "href" {
                        prop_assert!(is_safe_url(&value), "href {value} in {html}");
                    }
                    if attribute == "style" {
                        prop_assert!(value.starts_with("text-align"), "style {value} in {html}");
                    }
                }
            }
        }
    }
}
