//! `retouch serve`: the product over HTTP (axum on tokio), on the same library as the command
//! line ([`retouch_service`]): the model is loaded once, the CPU work runs on the blocking pool
//! behind a bounded gate ([`gate`]), and nothing is kept between requests.
//!
//! Routes ([`openapi::OPERATIONS`]): `GET /` (the web editor), `GET /healthz`,
//! `GET /openapi.json`, `POST /v1/edit`, `/v1/grid`, `/v1/apply`, `/v1/lut`.

pub mod error;
pub mod form;
pub mod gate;
pub mod openapi;
pub mod page;
pub mod routes;

use axum::extract::DefaultBodyLimit;
use axum::routing::{get, post};
use axum::Router;
use retouch_io::{ReadOptions, WriteOptions};
use retouch_service::Service;
use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

/// How the server runs.
#[derive(Clone, Debug)]
pub struct Config {
    /// Largest request body, in bytes.
    pub max_body: usize,
    /// Decoding limits (pixels, strictness about damaged files).
    pub read: ReadOptions,
    /// Encoding defaults (JPEG quality, chroma).
    pub write: WriteOptions,
    /// Requests processed at once.
    pub workers: usize,
    /// Requests waiting beyond those; more are refused with 503.
    pub queue: usize,
    /// Time allowed for a request's body to arrive.
    pub body_timeout: Duration,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            max_body: 100 * 1000 * 1000,
            read: ReadOptions::default(),
            write: WriteOptions::default(),
            workers: 2,
            queue: 8,
            body_timeout: Duration::from_secs(60),
        }
    }
}

/// What every handler shares.
pub struct AppState {
    /// Shared, so that servers with other settings can use one loaded model.
    pub service: Arc<Service>,
    pub config: Config,
    pub gate: gate::Gate,
}

impl AppState {
    pub fn new(service: Arc<Service>, config: Config) -> Self {
        let gate = gate::Gate::new(config.workers, config.queue);
        Self {
            service,
            config,
            gate,
        }
    }
}

/// The routes.
pub fn router(state: Arc<AppState>) -> Router {
    Router::new()
        .route("/", get(page::index))
        .route("/healthz", get(routes::healthz))
        .route("/openapi.json", get(routes::openapi))
        .route("/v1/edit", post(routes::edit))
        .route("/v1/grid", post(routes::grid))
        .route("/v1/apply", post(routes::apply))
        .route("/v1/lut", post(routes::lut))
        .route("/v1/preview", post(routes::preview))
        .fallback(routes::not_found)
        .method_not_allowed_fallback(routes::method_not_allowed)
        // The routes read and limit their bodies themselves (forms::read), to answer over-limit
        // and refused requests after draining them.
        .layer(DefaultBodyLimit::disable())
        .with_state(state)
}

/// Serve on `listener` until `shutdown` completes.
pub async fn serve(
    listener: tokio::net::TcpListener,
    state: Arc<AppState>,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    axum::serve(listener, router(state))
        .with_graceful_shutdown(shutdown)
        .await
}

/// A size such as `100MB`, `512KiB`, `2000000` (bytes).
pub fn parse_size(s: &str) -> Result<usize, String> {
    let t = s.trim();
    let split = t
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(t.len());
    let (num, unit) = t.split_at(split);
    let n: f64 = num
        .parse()
        .map_err(|_| format!("\"{s}\" is not a size (e.g. 100MB)"))?;
    let mult: f64 = match unit.trim().to_ascii_lowercase().as_str() {
        "" | "b" => 1.0,
        "k" | "kb" => 1e3,
        "m" | "mb" => 1e6,
        "g" | "gb" => 1e9,
        "kib" => 1024.0,
        "mib" => 1024.0 * 1024.0,
        "gib" => 1024.0 * 1024.0 * 1024.0,
        _ => {
            return Err(format!(
                "\"{s}\": unknown unit (B, KB, MB, GB, KiB, MiB, GiB)"
            ))
        }
    };
    let v = n * mult;
    if !(1.0..=1e15).contains(&v) {
        return Err(format!("\"{s}\" is not a usable size"));
    }
    Ok(v as usize)
}

/// The address to print for a bound listener.
pub fn url(addr: SocketAddr) -> String {
    format!("http://{addr}/")
}

#[cfg(test)]
mod tests {
    use super::parse_size;

    #[test]
    fn sizes() {
        assert_eq!(parse_size("100MB"), Ok(100_000_000));
        assert_eq!(parse_size("512KiB"), Ok(524_288));
        assert_eq!(parse_size("2000"), Ok(2000));
        assert_eq!(parse_size("1.5 GB"), Ok(1_500_000_000));
        assert!(parse_size("ten").is_err());
        assert!(parse_size("5 parsecs").is_err());
        assert!(parse_size("0").is_err());
    }
}
