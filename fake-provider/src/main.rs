//! `fake-provider [ADDR]`: serves the fake Anthropic and OpenAI APIs (default 127.0.0.1:4010).

#[tokio::main]
async fn main() {
    let addr = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "127.0.0.1:4010".into());
    let listener = match tokio::net::TcpListener::bind(&addr).await {
        Ok(listener) => listener,
        Err(e) => {
            eprintln!("error: cannot listen on {addr}: {e}");
            std::process::exit(1);
        }
    };
    println!("fake provider on http://{addr} (Anthropic at /anthropic/v1, OpenAI at /openai/v1)");
    if let Err(e) = fake_provider::serve(listener).await {
        eprintln!("error: {e}");
        std::process::exit(1);
    }
}
