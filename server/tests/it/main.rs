//! The integration tests: one binary (one link, one process) over real PostgreSQL,
//! real HTTP and the fake provider. Each module is one concern.

mod common;

mod accounts;
mod admin;
mod ask_early;
mod authorization;
mod branches;
mod chat;
mod cli;
mod conversations;
mod crash;
mod database_faults;
mod embedded_pg;
mod generation;
mod keys;
mod limits;
mod malformed;
mod models;
mod probes_and_pages;
mod provider_stream;
mod rotate;
mod schema;
mod seed;
mod static_files;
mod templates;
mod usage;
mod usage_export;
