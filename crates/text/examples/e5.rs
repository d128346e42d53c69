//! Embeds sentences with multilingual-e5-small and times it (load once, then median of 20
//! runs per sentence), then the throughput of one batch of 256 copies of them:
//! `cargo run --release -p retouch-text --example e5 -- "rends-la plus chaude"`
use retouch_text::e5::{default_dir, E5Encoder, Prefix, FILE};
use std::time::Instant;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let t0 = Instant::now();
    let enc = E5Encoder::load(&default_dir().join(FILE))?;
    println!("load {:.1} ms", t0.elapsed().as_secs_f64() * 1e3);
    for s in std::env::args().skip(1) {
        let mut times = Vec::new();
        let mut e = None;
        for _ in 0..20 {
            let t = Instant::now();
            e = Some(enc.embed(&s, Prefix::Query)?);
            times.push(t.elapsed().as_secs_f64() * 1e3);
        }
        times.sort_by(f64::total_cmp);
        let e = e.ok_or("no run")?;
        println!(
            "{s:?}: {} tokens, median {:.2} ms, first values {:?}",
            e.tokens.dims2()?.0,
            times[10],
            &e.pooled[..4]
        );
    }
    let args: Vec<String> = std::env::args().skip(1).collect();
    if !args.is_empty() {
        let batch: Vec<&str> = args.iter().map(String::as_str).cycle().take(256).collect();
        let t = Instant::now();
        enc.embed_batch(&batch, Prefix::Query)?;
        let s = t.elapsed().as_secs_f64();
        println!("batch of 256: {:.2} ms per text", s * 1e3 / 256.0);
    }
    Ok(())
}
