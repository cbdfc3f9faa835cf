//! Pages and widgets, one file each.

pub mod home;
pub mod not_found;
pub mod status_check;
