//! Accounts as the browser sees them, and the rules their fields follow.
//! The server applies these rules; the browser may use them for early hints.

use serde::{Deserialize, Serialize};

use super::{Theme, UserRole};

/// The signed-in user, as shown in the UI.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Account {
    pub id: String,
    pub email: String,
    pub name: Option<String>,
    pub role: UserRole,
    pub theme: Theme,
    /// Made by an admin with a one-time password not yet replaced: nothing
    /// can be written until it is.
    pub must_change_password: bool,
}

impl Account {
    /// The name to greet the user with.
    pub fn display_name(&self) -> &str {
        self.name.as_deref().unwrap_or(&self.email)
    }

    /// Guests may read but never change anything.
    pub fn is_read_only(&self) -> bool {
        self.role == UserRole::Guest
    }
}

pub const PASSWORD_MIN_CHARS: usize = 8;
/// bcrypt reads only the first 72 bytes; longer passwords are refused, not truncated.
pub const PASSWORD_MAX_BYTES: usize = 72;
pub const NAME_MAX_CHARS: usize = 100;
const EMAIL_MAX_BYTES: usize = 254;

/// Trims and lower-cases an email address and checks that it is plausible.
pub fn normalize_email(input: &str) -> Result<String, String> {
    let email = input.trim().to_lowercase();
    let invalid = || Err("enter a valid email address, like name@example.com".to_string());
    if email.is_empty() {
        return Err("enter your email address".into());
    }
    if email.len() > EMAIL_MAX_BYTES {
        return Err(format!(
            "an email address has at most {EMAIL_MAX_BYTES} characters"
        ));
    }
    let Some((local, domain)) = email.split_once('@') else {
        return invalid();
    };
    let local_ok = !local.is_empty()
        && local.len() <= 64
        && !local.starts_with('.')
        && !local.ends_with('.')
        && !local.contains("..")
        && local
            .chars()
            .all(|c| c.is_alphanumeric() || "!#$%&'*+/=?^_`{|}~.-".contains(c));
    let labels: Vec<&str> = domain.split('.').collect();
    let domain_ok = labels.len() >= 2
        && labels.iter().all(|label| {
            !label.is_empty()
                && label.len() <= 63
                && !label.starts_with('-')
                && !label.ends_with('-')
                && label.chars().all(|c| c.is_alphanumeric() || c == '-')
        });
    if local_ok && domain_ok {
        Ok(email)
    } else {
        invalid()
    }
}

/// Checks a new password's length (characters) and bcrypt's byte limit.
pub fn validate_new_password(password: &str) -> Result<(), String> {
    if password.chars().count() < PASSWORD_MIN_CHARS {
        return Err(format!(
            "the password needs at least {PASSWORD_MIN_CHARS} characters"
        ));
    }
    if password.len() > PASSWORD_MAX_BYTES {
        return Err(format!(
            "the password is too long: at most {PASSWORD_MAX_BYTES} bytes \
             (fewer characters if you use accents or emoji)"
        ));
    }
    Ok(())
}

/// Trims a display name; empty means none.
pub fn normalize_name(input: Option<&str>) -> Result<Option<String>, String> {
    let Some(name) = input.map(str::trim).filter(|n| !n.is_empty()) else {
        return Ok(None);
    };
    if name.chars().count() > NAME_MAX_CHARS {
        return Err(format!("a name has at most {NAME_MAX_CHARS} characters"));
    }
    super::text::refuse_hidden(name, "a name")?;
    Ok(Some(name.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails_are_trimmed_and_lower_cased() {
        assert_eq!(
            normalize_email("  Ada@Example.COM ").unwrap(),
            "ada@example.com"
        );
        assert_eq!(
            normalize_email("a.b+tag@mail.example.org").unwrap(),
            "a.b+tag@mail.example.org"
        );
    }

    #[test]
    fn implausible_emails_are_refused() {
        for bad in [
            "",
            "   ",
            "ada",
            "ada@",
            "@example.com",
            "ada@example",
            "ada@@example.com",
            "ada@exa mple.com",
            "a..b@example.com",
            ".a@example.com",
            "ada@-x.com",
            "ada@example..com",
            "<script>@x.com",
        ] {
            assert!(normalize_email(bad).is_err(), "{bad:?} should be refused");
        }
        let long = format!("{}@example.com", "a".repeat(250));
        assert!(normalize_email(&long).unwrap_err().contains("at most"));
    }

    #[test]
    fn passwords_need_8_characters_and_at_most_72_bytes() {
        assert!(validate_new_password("1234567").is_err());
        assert!(validate_new_password("12345678").is_ok());
        assert!(validate_new_password(&"a".repeat(72)).is_ok());
        let err = validate_new_password(&"a".repeat(73)).unwrap_err();
        assert!(err.contains("72 bytes"), "{err}");
        // 25 three-byte characters: 25 characters, 75 bytes.
        assert!(validate_new_password(&"€".repeat(25)).is_err());
    }

    #[test]
    fn names_are_trimmed_and_bounded() {
        assert_eq!(
            normalize_name(Some("  Ada  ")).unwrap().as_deref(),
            Some("Ada")
        );
        assert_eq!(normalize_name(Some("   ")).unwrap(), None);
        assert_eq!(normalize_name(None).unwrap(), None);
        assert!(normalize_name(Some(&"x".repeat(101))).is_err());
        assert!(normalize_name(Some("a\u{0}b")).is_err());
    }
}
