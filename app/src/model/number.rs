//! Numbers as people type and read them.

use std::str::FromStr;

/// A number field: empty is `None`; anything else must parse as `T`. The
/// error names the field, e.g. "the temperature must be a number".
pub fn parse_optional<T: FromStr>(
    label: &str,
    text: &str,
    kind: &str,
) -> Result<Option<T>, String> {
    let text = text.trim().replace(['_', ','], "");
    if text.is_empty() {
        return Ok(None);
    }
    text.parse()
        .map(Some)
        .map_err(|_| format!("{label} must be {kind}"))
}

/// 12345 → "12,345".
pub fn group_thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_parse_or_say_what_is_wrong() {
        assert_eq!(parse_optional::<u32>("x", "  ", "a whole number"), Ok(None));
        assert_eq!(
            parse_optional::<u32>("x", "1,000", "a whole number"),
            Ok(Some(1000))
        );
        assert_eq!(
            parse_optional::<u32>("the limit", "-3", "a whole number"),
            Err("the limit must be a whole number".into())
        );
        assert_eq!(parse_optional::<f64>("t", "0.7", "a number"), Ok(Some(0.7)));
        assert_eq!(group_thousands(1_000_000), "1,000,000");
        assert_eq!(group_thousands(999), "999");
    }
}
