//! Pages and widgets, one file each.

pub mod admin;
pub mod app_header;
pub mod auth;
pub mod brand;
pub mod chat;
pub mod clipboard;
pub mod confirm;
pub mod form;
pub mod home;
pub mod icons;
pub mod keys;
pub mod login;
pub mod profile;
pub mod refusal;
pub mod register;
pub mod status_check;
pub mod templates;
pub mod theme_picker;
pub mod toast;
pub mod usage;
