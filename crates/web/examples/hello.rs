//! The ceiling for bench/speed.py: axum answering "Hello, World!" on the same runtime and
//! machine as the product. `cargo run --release -p web --example hello -- 127.0.0.1:8181`
use axum::{Router, routing::get};

#[tokio::main]
async fn main() -> std::io::Result<()> {
    let listen = std::env::args().nth(1).unwrap_or_else(|| "127.0.0.1:8181".into());
    let listener = tokio::net::TcpListener::bind(&listen).await?;
    axum::serve(listener, Router::new().route("/", get(|| async { "Hello, World!" }))).await
}
