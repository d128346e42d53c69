//! Whether the network's edit follows the reading or the words: each validation triplet (the
//! split's held-out wording) is run as `retouch edit` runs it, the encoder shown the reading in
//! training words (`retouch_model::encoder_text`), and with the encoder shown the sentence as
//! written (what the model did before); prints the median edit gain and the direction accuracy
//! per attribute and look for both.
//!
//! `cargo run --release -p retouch-eval --example wording_gap -- [SAMPLES]` (about 3 min).
use std::collections::BTreeMap;

use retouch_data::synth::{load_photos, validation_seed, Synth};
use retouch_eval::methods::apply_instruction;
use retouch_eval::score::score;
use retouch_instruct::generate::Split;
use retouch_model::Retoucher;

type Res<T> = Result<T, Box<dyn std::error::Error>>;

fn median(v: &mut [f64]) -> f64 {
    v.sort_by(|a, b| a.total_cmp(b));
    v.get(v.len() / 2).copied().unwrap_or(f64::NAN)
}

/// Per direction group: moved as asked (shipped, as written) and targets.
#[derive(Default)]
struct Moved {
    moved: [usize; 2],
    targets: usize,
}

fn main() -> Res<()> {
    let samples: u64 = std::env::args().nth(1).map_or(Ok(240), |s| s.parse())?;
    let dir = retouch_data::default_photo_dir();
    let photos = load_photos(&dir, "validation", 512)?;
    let synth = Synth::new(photos, validation_seed(2026), Split::Validation);
    let r = Retoucher::load(
        &retouch_model::default_model_path(),
        &retouch_text::default_dir(),
    )?;
    let text = retouch_text::TextEncoder::load(&retouch_text::default_dir())?;
    let mut gains: BTreeMap<String, [Vec<f64>; 2]> = BTreeMap::new();
    let mut moved: BTreeMap<String, Moved> = BTreeMap::new();
    for i in 0..samples {
        let t = synth.sample(i);
        if !t.meta.held_out_wording {
            continue;
        }
        let shipped = r.encode(&t.meta.instruction)?;
        let mut as_written = r.encode(&t.meta.instruction)?;
        if !as_written.pass_texts.is_empty() {
            continue; // several passes: each has its own text
        }
        as_written.encoded = text.encode(&t.meta.instruction)?;
        let scores = [
            score(&t, &apply_instruction(&r, &t.input, &shipped)?)?,
            score(&t, &apply_instruction(&r, &t.input, &as_written)?)?,
        ];
        for (k, s) in scores.iter().enumerate() {
            for (g, v) in &s.gains {
                gains.entry(g.clone()).or_default()[k].push(*v);
            }
            for (g, ok) in &s.targets {
                let e = moved.entry(g.clone()).or_default();
                e.moved[k] += usize::from(*ok);
                e.targets += usize::from(k == 0);
            }
        }
    }
    println!("| attribute / look | targets | median gain, training words (shipped) | as written |");
    println!("|---|---|---|---|");
    for (k, [a, b]) in &mut gains {
        println!(
            "| {k} | {} | {:.2} | {:.2} |",
            a.len(),
            median(a),
            median(b)
        );
    }
    println!("\n| direction | targets | moved as asked, training words (shipped) | as written |");
    println!("|---|---|---|---|");
    for (k, g) in &moved {
        println!("| {k} | {} | {} | {} |", g.targets, g.moved[0], g.moved[1]);
    }
    Ok(())
}
