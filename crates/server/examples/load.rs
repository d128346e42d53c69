//! A bounded load test of `retouch serve` on loopback: CLIENTS concurrent clients each send
//! PER_CLIENT edits of a 4K JPEG; prints p50/p99 latency, throughput, every status seen, and
//! the server's resident memory (peak, and after the first quarter vs the end of the run).
//!
//!   cargo build --release -p retouch
//!   cargo run --release -p retouch-server --example load
//!
//! Environment: RETOUCH_BIN (default target/release/retouch), CLIENTS (8), PER_CLIENT (63),
//! WORKERS (2), QUEUE (8).

use reqwest::multipart::{Form, Part};
use std::collections::BTreeMap;
use std::io::Cursor;
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

fn env(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// A 3840x2160 JPEG (q92): a committed photo, resized.
fn four_k_jpeg() -> Vec<u8> {
    let root = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..");
    let im = image::open(root.join("assets/photos/rocket.jpg")).expect("assets/photos/rocket.jpg");
    let im = im.resize_to_fill(3840, 2160, image::imageops::FilterType::Triangle);
    let mut out = Vec::new();
    let enc = image::codecs::jpeg::JpegEncoder::new_with_quality(Cursor::new(&mut out), 92);
    im.to_rgb8().write_with_encoder(enc).unwrap();
    out
}

/// Resident and peak resident memory of a process, in MiB.
fn rss(pid: u32) -> Option<(f64, f64)> {
    let s = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let field = |name: &str| {
        s.lines()
            .find(|l| l.starts_with(name))
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|v| v.parse::<f64>().ok())
            .map(|kb| kb / 1024.0)
    };
    Some((field("VmRSS:")?, field("VmHWM:")?))
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let i = ((sorted.len() - 1) as f64 * p).round() as usize;
    sorted[i]
}

#[tokio::main]
async fn main() {
    let (clients, per_client) = (env("CLIENTS", 8), env("PER_CLIENT", 63));
    let (workers, queue) = (env("WORKERS", 2), env("QUEUE", 8));
    let bin = std::env::var("RETOUCH_BIN").unwrap_or_else(|_| {
        concat!(env!("CARGO_MANIFEST_DIR"), "/../../target/release/retouch").to_string()
    });
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut server = Command::new(&bin)
        .args(["serve", "--addr", &format!("127.0.0.1:{port}")])
        .args([
            "--workers",
            &workers.to_string(),
            "--queue",
            &queue.to_string(),
        ])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap_or_else(|e| {
            panic!("cannot start {bin}: {e} (build it: cargo build --release -p retouch)")
        });
    let pid = server.id();
    let base = format!("http://127.0.0.1:{port}");
    let http = reqwest::Client::builder()
        .timeout(Duration::from_secs(600))
        .build()
        .unwrap();
    let t = Instant::now();
    while http.get(format!("{base}/healthz")).send().await.is_err() {
        assert!(
            t.elapsed() < Duration::from_secs(30),
            "the server did not start"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let idle = rss(pid).unwrap_or_default().0;
    let jpeg = Arc::new(four_k_jpeg());
    eprintln!(
        "{clients} clients x {per_client} edits of a 3840x2160 JPEG ({} KB), workers {workers}, queue {queue}; server RSS idle {idle:.0} MiB",
        jpeg.len() / 1024
    );

    let total = clients * per_client;
    let done = Arc::new(AtomicUsize::new(0));
    // Memory sampled while the load runs: (requests done, RSS).
    let sampler = {
        let done = done.clone();
        tokio::spawn(async move {
            let mut samples = Vec::new();
            while done.load(Ordering::SeqCst) < total {
                if let Some((r, _)) = rss(pid) {
                    samples.push((done.load(Ordering::SeqCst), r));
                }
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
            samples
        })
    };
    let instructions = [
        "warmer, lift the shadows",
        "make it pop",
        "darken the sky",
        "enhance",
    ];
    let t0 = Instant::now();
    let mut tasks = Vec::new();
    for c in 0..clients {
        let (http, base, jpeg, done) = (http.clone(), base.clone(), jpeg.clone(), done.clone());
        tasks.push(tokio::spawn(async move {
            let mut out = Vec::new();
            for i in 0..per_client {
                let form = Form::new()
                    .part("image", Part::bytes(jpeg.to_vec()).file_name("4k.jpg"))
                    .text("instruction", instructions[(c + i) % instructions.len()]);
                let t = Instant::now();
                let status = match http
                    .post(format!("{base}/v1/edit"))
                    .multipart(form)
                    .send()
                    .await
                {
                    Ok(r) => {
                        let s = r.status().as_u16();
                        let _ = r.bytes().await;
                        s
                    }
                    Err(_) => 0,
                };
                out.push((status, t.elapsed().as_secs_f64() * 1e3));
                done.fetch_add(1, Ordering::SeqCst);
            }
            out
        }));
    }
    let mut results = Vec::new();
    for t in tasks {
        results.extend(t.await.unwrap());
    }
    let wall = t0.elapsed().as_secs_f64();
    let samples = sampler.await.unwrap();
    let (_, peak) = rss(pid).unwrap_or_default();
    let _ = server.kill();
    let _ = server.wait();

    let mut statuses: BTreeMap<u16, usize> = BTreeMap::new();
    for (s, _) in &results {
        *statuses.entry(*s).or_default() += 1;
    }
    let mut lat: Vec<f64> = results
        .iter()
        .filter(|(s, _)| *s == 200)
        .map(|r| r.1)
        .collect();
    lat.sort_by(|a, b| a.total_cmp(b));
    let max_between = |a: usize, b: usize| {
        samples
            .iter()
            .filter(|(n, _)| *n >= a && *n < b)
            .map(|s| s.1)
            .fold(0.0, f64::max)
    };
    let first_quarter = max_between(0, total / 4);
    let last_quarter = max_between(3 * total / 4, total + 1);
    println!("requests          {total}");
    println!("statuses          {statuses:?}");
    println!("latency p50       {:.0} ms", percentile(&lat, 0.5));
    println!("latency p99       {:.0} ms", percentile(&lat, 0.99));
    println!(
        "throughput        {:.2} edits/s ({wall:.1} s)",
        total as f64 / wall
    );
    println!("server RSS        idle {idle:.0} MiB, peak {peak:.0} MiB");
    println!(
        "RSS, most seen    first quarter {first_quarter:.0} MiB, last quarter {last_quarter:.0} MiB"
    );
}
