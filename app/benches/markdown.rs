//! Rendering an answer while it streams, as the browser does once per frame:
//! the whole text each time (before) against `markdown::Incremental` (only
//! the block being written). A 2,000-token answer of mixed markdown arrives
//! three tokens per frame; printed: the total render time over the stream
//! and the slowest frame, for each, in this native build (the browser runs
//! the same code as WASM, a few times slower).

use std::time::{Duration, Instant};

use app::markdown::{render, Incremental};

/// About 2,000 tokens: paragraphs, a list, code blocks, a table, repeated.
fn answer() -> Vec<String> {
    let block = "Here is how it works, step by step, with **emphasis** and `code`.\n\n\
                 - first, read the input\n- then, parse it\n- finally, print it\n\n\
                 ```rust\nfn main() {\n    let total: u32 = (1..=10).sum();\n\
                 \x20   println!(\"{total}\");\n}\n```\n\n\
                 | step | time |\n|---|---|\n| parse | 1 ms |\n| print | 2 ms |\n\n";
    let text = block.repeat(41);
    text.split_inclusive(' ').map(str::to_string).collect()
}

fn stream(render_frame: &mut dyn FnMut(&str) -> String) -> (Duration, Duration, usize) {
    let tokens = answer();
    let mut text = String::new();
    let (mut total, mut slowest, mut frames) = (Duration::ZERO, Duration::ZERO, 0);
    for chunk in tokens.chunks(3) {
        for token in chunk {
            text.push_str(token);
        }
        let started = Instant::now();
        let html = render_frame(&text);
        let took = started.elapsed();
        std::hint::black_box(html);
        total += took;
        slowest = slowest.max(took);
        frames += 1;
    }
    (total, slowest, frames)
}

fn main() {
    let tokens = answer().len();
    let (whole, whole_max, frames) = stream(&mut |text| render(text));
    let mut incremental = Incremental::default();
    let (inc, inc_max, _) = stream(&mut |text| incremental.render(text));
    println!("markdown while streaming: {tokens} tokens in {frames} frames (3 tokens a frame)");
    println!(
        "  whole text per frame:  total {:.1} ms, slowest frame {:.2} ms",
        whole.as_secs_f64() * 1e3,
        whole_max.as_secs_f64() * 1e3
    );
    println!(
        "  block being written:   total {:.1} ms, slowest frame {:.2} ms ({:.1}× less in all)",
        inc.as_secs_f64() * 1e3,
        inc_max.as_secs_f64() * 1e3,
        whole.as_secs_f64() / inc.as_secs_f64()
    );
}
