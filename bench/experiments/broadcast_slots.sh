#!/usr/bin/env bash
# The bytes tokio's broadcast channel allocates for an answer's followers
# (generation::BACKLOG slots of generation::Update), counted by a global
# allocator, with Update as it is and with its `Finished` payload boxed.
# BENCHMARKS.md, "A faster server per call". Builds a scratch crate against
# the tokio of our Cargo.lock in a temporary directory (a minute or so). The
# scratch `Update` has the variants of app/src/backend/generation/mod.rs's:
# change it with them.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
tokio="$(grep -A1 '^name = "tokio"$' "$root/Cargo.lock" | sed -n 's/^version = "\(.*\)"/\1/p')"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
mkdir "$work/src"
cat >"$work/Cargo.toml" <<TOML
[package]
name = "broadcast-slots"
version = "0.1.0"
edition = "2021"
[dependencies]
tokio = { version = "=$tokio", features = ["sync"] }
serde_json = "1"
TOML
cat >"$work/src/main.rs" <<'RS'
use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};

struct Counting;
static ALLOCATED: AtomicUsize = AtomicUsize::new(0);
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        ALLOCATED.fetch_add(layout.size(), Ordering::Relaxed);
        System.alloc(layout)
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        System.dealloc(ptr, layout)
    }
}
#[global_allocator]
static COUNTING: Counting = Counting;

#[allow(dead_code)]
#[derive(Clone)]
enum Update { Text(String), Finished(serde_json::Value) }
#[allow(dead_code)]
#[derive(Clone)]
enum Boxed { Text(String), Finished(Box<serde_json::Value>) }

fn measure<T: Clone>(name: &str, slots: usize) {
    let before = ALLOCATED.load(Ordering::Relaxed);
    let channel = tokio::sync::broadcast::channel::<T>(slots);
    let bytes = ALLOCATED.load(Ordering::Relaxed) - before;
    println!(
        "{name:<16} {:>2} B; channel({slots:>3}) allocates {bytes:>6} B, {:.1} B a slot",
        std::mem::size_of::<T>(),
        bytes as f64 / slots as f64
    );
    drop(channel);
}

fn main() {
    for slots in [64, 256] {
        measure::<Update>("Update", slots);
        measure::<Boxed>("Finished boxed", slots);
    }
}
RS
echo "tokio $tokio"
CARGO_TARGET_DIR="$work/target" cargo run -q --release --manifest-path "$work/Cargo.toml"
