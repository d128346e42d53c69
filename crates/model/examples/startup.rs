//! Where `retouch edit`'s start-up goes, each load timed on its own in a cold process
//! (`cargo run --release -p retouch-model --example startup`), with the memory floor beside
//! it: reading the text encoder's file and filling as many f32 values as it widens to.
use std::time::{Duration, Instant};

fn timed<T>(f: impl FnOnce() -> T) -> (T, Duration) {
    let t = Instant::now();
    let v = f();
    (v, t.elapsed())
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let ms = |x: Duration| x.as_secs_f64() * 1e3;
    let (file, a) =
        timed(|| retouch_model::file::ModelFile::read(&retouch_model::default_model_path()));
    let file = file?;
    let (net, b) = timed(|| file.generator(&candle_core::Device::Cpu));
    net?;
    let dir = retouch_text::default_dir();
    let (tok, c) = timed(|| tokenizers::Tokenizer::from_file(dir.join("tokenizer.json")));
    tok.map_err(|e| e.to_string())?;
    let (text, d) = timed(|| retouch_text::TextEncoder::load(&dir));
    text?;
    let (est, e) = timed(retouch_model::estimate::Estimator::shipped);
    est?;
    let (bytes, f) = timed(|| std::fs::read(dir.join("model.safetensors")));
    let n = bytes?.len();
    let (fill, g) = timed(|| vec![1f32; n / 2]);
    std::hint::black_box(&fill);
    println!("generator model file read  {:6.1} ms", ms(a));
    println!("generator built            {:6.1} ms", ms(b));
    println!("tokenizer.json parsed      {:6.1} ms", ms(c));
    println!(
        "text encoder loaded        {:6.1} ms (tokenizer again + f16 weights widened to f32)",
        ms(d)
    );
    println!("estimator parsed           {:6.1} ms", ms(e));
    println!("floor: read {n} bytes      {:6.1} ms", ms(f));
    println!("floor: fill {} f32   {:6.1} ms", n / 2, ms(g));
    Ok(())
}
