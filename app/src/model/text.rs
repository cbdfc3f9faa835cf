//! Rules for the short texts people name things with (titles, names).

/// Characters a one-line label must not hide: controls (a bell, an escape,
/// a NUL) and the Unicode text-direction overrides, embeddings and isolates,
/// which make a label read differently from what it is ("Trojan Source").
pub fn is_hidden(c: char) -> bool {
    c.is_control() || matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// `Err("<what> cannot contain control characters or text-direction overrides")`
/// when `label` has a [hidden](is_hidden) character.
pub fn refuse_hidden(label: &str, what: &str) -> Result<(), String> {
    if label.chars().any(is_hidden) {
        return Err(format!(
            "{what} cannot contain control characters or text-direction overrides"
        ));
    }
    Ok(())
}

/// The start of `text` for an error message: a user's input is quoted, but
/// never at length (a 300 KB "model name" must not come back in full).
pub fn excerpt(text: &str, max_chars: usize) -> String {
    match text.char_indices().nth(max_chars) {
        Some((cut, _)) => format!("{}…", &text[..cut]),
        None => text.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn controls_and_direction_overrides_are_hidden_characters() {
        for c in ['\0', '\u{7}', '\u{1b}', '\u{7f}', '\u{202e}', '\u{2066}'] {
            assert!(is_hidden(c), "{c:?}");
        }
        for c in ['a', 'é', '中', 'ע', '🦀', ' '] {
            assert!(!is_hidden(c), "{c:?}");
        }
        assert!(refuse_hidden("evil\u{202e}gpj.exe", "a title").is_err());
        assert_eq!(refuse_hidden("שלום world", "a title"), Ok(()));
    }

    #[test]
    fn excerpts_keep_short_texts_and_cut_long_ones_on_a_character() {
        assert_eq!(excerpt("gpt-4o", 40), "gpt-4o");
        assert_eq!(excerpt("🦀🦀🦀", 2), "🦀🦀…");
    }
}

/// Every label rule against random text (`PROPTEST_CASES` for longer runs).
#[cfg(test)]
mod properties {
    use proptest::prelude::*;

    use super::*;
    use crate::model::account::{normalize_email, normalize_name, NAME_MAX_CHARS};
    use crate::model::conversation::{normalize_title, title_from_message, TITLE_MAX_CHARS};
    use crate::model::keys::{normalize_key_name, KEY_NAME_MAX_CHARS};
    use crate::model::template::{normalize_template_name, TEMPLATE_NAME_MAX_CHARS};

    /// Text with the characters that break labels mixed in.
    fn text() -> impl Strategy<Value = String> {
        let piece = prop_oneof![
            Just("\u{202e}".to_string()),
            Just("\u{2066}".to_string()),
            Just("\0".to_string()),
            Just("\u{1b}[31m".to_string()),
            Just("\r\n".to_string()),
            Just("\t".to_string()),
            Just("   ".to_string()),
            Just("🦀".to_string()),
            Just("e\u{301}".to_string()),
            Just("<b>".to_string()),
            "\\PC{0,40}",
            ".{0,8}",
        ];
        proptest::collection::vec(piece, 0..12).prop_map(|p| p.concat())
    }

    fn fits(label: &str, max: usize) -> bool {
        !label.is_empty()
            && label.chars().count() <= max
            && !label.chars().any(is_hidden)
            && label.trim() == label
    }

    proptest! {
        #[test]
        fn accepted_labels_are_trimmed_bounded_and_plain(input in text()) {
            if let Ok(title) = normalize_title(&input) {
                prop_assert!(fits(&title, TITLE_MAX_CHARS), "{title:?}");
            }
            if let Ok(Some(name)) = normalize_name(Some(&input)) {
                prop_assert!(fits(&name, NAME_MAX_CHARS), "{name:?}");
            }
            if let Ok(Some(name)) = normalize_key_name(Some(&input)) {
                prop_assert!(fits(&name, KEY_NAME_MAX_CHARS), "{name:?}");
            }
            if let Ok(name) = normalize_template_name(&input) {
                prop_assert!(fits(&name, TEMPLATE_NAME_MAX_CHARS), "{name:?}");
            }
            if let Ok(email) = normalize_email(&input) {
                prop_assert_eq!(email.matches('@').count(), 1);
                prop_assert!(!email.chars().any(|c| is_hidden(c) || c.is_whitespace()));
            }
        }

        #[test]
        fn a_title_made_from_any_message_is_a_valid_title(message in text()) {
            let title = title_from_message(&message);
            prop_assert_eq!(normalize_title(&title), Ok(title.clone()));
        }
    }
}
