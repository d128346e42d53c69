//! Embeds sentences and times it (load once, then median of 20 runs per sentence):
//! `cargo run -p retouch-text --example embed -- "warmer, lift the shadows"`
use std::time::Instant;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let t0 = Instant::now();
    let enc = retouch_text::TextEncoder::load(&retouch_text::default_dir())?;
    println!("load {:.1} ms", t0.elapsed().as_secs_f64() * 1e3);
    for s in std::env::args().skip(1) {
        let mut times = Vec::new();
        let mut e = None;
        for _ in 0..20 {
            let t = Instant::now();
            e = Some(enc.encode(&s)?);
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
    Ok(())
}
