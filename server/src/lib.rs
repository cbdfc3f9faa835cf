//! The VibeBot server: command line, start-up wiring, HTTP router, database set-up.

pub mod cli;
pub mod database;
pub mod embedded_pg;
pub mod http;
pub mod maintenance;
pub mod rotate;
pub mod seed;
pub mod serve;
pub mod startup;
pub mod telemetry;
