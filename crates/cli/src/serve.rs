//! `retouch serve [--addr 127.0.0.1:8080]`: the HTTP API and the web editor
//! ([`retouch_server`]) with the model loaded once.

use crate::apply::parse_kernel;
use anyhow::{Context, Result};
use retouch_server::{AppState, Config};
use retouch_service::{ModelPaths, Service};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

#[derive(clap::Args)]
pub struct Args {
    /// Address to listen on (loopback by default; the API has no authentication).
    #[arg(long, default_value = "127.0.0.1:8080")]
    pub addr: SocketAddr,
    /// Largest request body (e.g. 100MB, 512KiB).
    #[arg(long, default_value = "100MB", value_parser = retouch_server::parse_size)]
    pub max_body: usize,
    /// Refuse photos with more pixels than this (checked before decoding).
    #[arg(long, default_value_t = retouch_io::DEFAULT_MAX_PIXELS)]
    pub max_pixels: u64,
    /// Refuse a damaged photo that still decodes (a truncated JPEG) instead of warning.
    #[arg(long)]
    pub strict: bool,
    /// Requests processed at once.
    #[arg(long, default_value_t = 2, value_parser = clap::value_parser!(u16).range(1..))]
    pub workers: u16,
    /// Requests that may wait beyond those; more get 503 with Retry-After.
    #[arg(long, default_value_t = 8)]
    pub queue: u16,
    /// Seconds a request's body may take to arrive.
    #[arg(long, default_value_t = 60, value_parser = clap::value_parser!(u64).range(1..))]
    pub body_timeout: u64,
    /// Model file (default: the shipped models/retouch/model.safetensors).
    #[arg(long)]
    pub model: Option<PathBuf>,
    /// Text encoder folder (default: the shipped models/text-encoder).
    #[arg(long)]
    pub text_encoder: Option<PathBuf>,
    /// Slice kernel: auto, reference, portable, avx2, avx512.
    #[arg(long, default_value = "auto")]
    pub kernel: String,
}

pub fn run(a: Args) -> Result<()> {
    let kernel = parse_kernel(&a.kernel)?;
    let service = Service::load(
        &ModelPaths {
            model: a.model.clone(),
            text_encoder: a.text_encoder.clone(),
        },
        kernel,
    )?;
    let config = Config {
        max_body: a.max_body,
        read: retouch_io::ReadOptions {
            max_pixels: a.max_pixels,
            strict: a.strict,
        },
        workers: a.workers as usize,
        queue: a.queue as usize,
        body_timeout: Duration::from_secs(a.body_timeout),
        ..Config::default()
    };
    let state = Arc::new(AppState::new(Arc::new(service), config));
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    rt.block_on(async move {
        let listener = tokio::net::TcpListener::bind(a.addr)
            .await
            .with_context(|| format!("cannot listen on {}", a.addr))?;
        let addr = listener.local_addr()?;
        eprintln!(
            "serving on {} (workers {}, queue {}); Ctrl-C stops",
            retouch_server::url(addr),
            a.workers,
            a.queue
        );
        retouch_server::serve(listener, state, async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await
        .context("the server stopped")
    })
}
