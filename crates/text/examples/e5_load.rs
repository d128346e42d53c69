//! Where multilingual-e5's load goes: `E5Encoder::load` (the file memory-mapped, the
//! tokenizer built beside the widening of the weights) against reading the file whole and
//! building from the bytes, and the first sentence after it
//! (`cargo run --release -p retouch-text --example e5_load`).
use retouch_text::e5::{default_dir, E5Encoder, Prefix, FILE};
use std::time::Instant;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let path = default_dir().join(FILE);
    let ms = |t: Instant| t.elapsed().as_secs_f64() * 1e3;
    for _ in 0..3 {
        let t = Instant::now();
        let enc = E5Encoder::load(&path)?;
        let mapped = ms(t);
        let t = Instant::now();
        enc.embed("a first sentence", Prefix::Query)?;
        let first = ms(t);
        drop(enc);
        let t = Instant::now();
        let data = std::fs::read(&path)?;
        let read = ms(t);
        let t = Instant::now();
        E5Encoder::from_bytes(&data)?;
        let built = ms(t);
        println!(
            "load (mapped) {mapped:.1} ms, first sentence {first:.1} ms; read whole {read:.1} ms + built from bytes {built:.1} ms"
        );
    }
    Ok(())
}
