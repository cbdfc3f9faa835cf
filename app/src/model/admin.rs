//! What the admin panel shows and changes.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::UserRole;

/// Who may create an account.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Registration {
    /// Anyone who reaches the sign-up page.
    Open,
    /// Only accounts an admin creates.
    Invite,
    /// No new accounts at all.
    Closed,
}

impl Registration {
    pub const ALL: [Registration; 3] = [
        Registration::Open,
        Registration::Invite,
        Registration::Closed,
    ];

    /// The value in `VIBEBOT_REGISTRATION` and in `app_settings`.
    pub fn as_str(self) -> &'static str {
        match self {
            Registration::Open => "open",
            Registration::Invite => "invite",
            Registration::Closed => "closed",
        }
    }

    pub fn parse(text: &str) -> Option<Registration> {
        Registration::ALL.into_iter().find(|r| r.as_str() == text)
    }

    pub fn label(self) -> &'static str {
        match self {
            Registration::Open => "Open: anyone can sign up",
            Registration::Invite => "Invite only: admins create accounts",
            Registration::Closed => "Closed: no new accounts",
        }
    }
}

/// One row of the admin's user list.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AdminUser {
    pub id: String,
    pub email: String,
    pub name: Option<String>,
    pub role: UserRole,
    pub created_at: DateTime<Utc>,
    /// The latest of the last sign-in and the last activity in a conversation
    /// (read from `conversations_user_activity_idx`, not by scanning messages).
    pub last_active_at: Option<DateTime<Utc>>,
    pub must_change_password: bool,
    /// Answers this UTC calendar month (from `usage_daily`).
    pub month_answers: i64,
    /// Input plus output tokens this UTC calendar month.
    pub month_tokens: i64,
    /// Cost in USD this UTC calendar month.
    pub month_cost_usd: f64,
}

/// A page of users, newest first; pass `next_cursor` back for more.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AdminUserPage {
    pub items: Vec<AdminUser>,
    pub next_cursor: Option<String>,
}

/// A user an admin just created, with the password to hand over. It is shown
/// once and must be changed at the first sign-in.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CreatedUser {
    pub user: AdminUser,
    pub one_time_password: String,
}

/// Users per admin page.
pub const USER_PAGE_SIZE: i64 = 50;
