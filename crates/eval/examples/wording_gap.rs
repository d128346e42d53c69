//! Whether the network's edit follows the reading or the words: each validation triplet (the
//! split's held-out wording) is run as `retouch edit` runs it, the encoder shown the reading in
//! training words (`retouch_model::encoder_text`), and with the encoder shown the sentence as
//! written (what the model did before); prints the median edit gain and the direction accuracy
//! per attribute and look for both.
//!
//! `cargo run --release -p retouch-eval --example wording_gap -- [SAMPLES]` (about 3 min).
use std::collections::BTreeMap;

use retouch_data::synth::{load_photos, validation_seed, Synth};
use retouch_engine::{ImageMut, ImageRef, Kernel};
use retouch_eval::score::score;
use retouch_finish::Image;
use retouch_instruct::generate::Split;
use retouch_model::{apply_edits, Instruction, Retoucher};

type Res<T> = Result<T, Box<dyn std::error::Error>>;

fn median(v: &mut [f64]) -> f64 {
    v.sort_by(|a, b| a.total_cmp(b));
    v.get(v.len() / 2).copied().unwrap_or(f64::NAN)
}

fn edit(r: &Retoucher, img: &Image, enc: &Instruction) -> Res<Vec<f32>> {
    if enc.asks_nothing() {
        return Ok(img.data.clone());
    }
    let edits = r.predict_edits(&img.data, img.width, img.height, 3, enc)?;
    let mut out = vec![0f32; img.data.len()];
    apply_edits(
        Kernel::best(),
        &edits,
        r.guide(),
        ImageRef::new(&img.data, img.width, img.height, 3)?,
        ImageMut::new(&mut out, img.width, img.height, 3)?,
        1.0,
        None,
    )?;
    out.iter_mut().for_each(|v| *v = v.clamp(0.0, 1.0));
    Ok(out)
}

#[derive(Default)]
struct Group {
    gains: [Vec<f64>; 2],
    moved: [usize; 2],
    targets: usize,
}

fn main() -> Res<()> {
    let samples: u64 = std::env::args().nth(1).map_or(Ok(240), |s| s.parse())?;
    let dir = std::path::PathBuf::from(std::env::var("HOME").unwrap_or_default())
        .join(".cache/instantretouch/photos");
    let photos = load_photos(&dir, "validation", 512)?;
    let synth = Synth::new(photos, validation_seed(2026), Split::Validation);
    let r = Retoucher::load(
        &retouch_model::default_model_path(),
        &retouch_text::default_dir(),
    )?;
    let text = retouch_text::TextEncoder::load(&retouch_text::default_dir())?;
    let mut groups: BTreeMap<String, Group> = BTreeMap::new();
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
            score(&t, &edit(&r, &t.input, &shipped)?)?,
            score(&t, &edit(&r, &t.input, &as_written)?)?,
        ];
        for (k, s) in scores.iter().enumerate() {
            for (g, v) in &s.gains {
                groups.entry(g.clone()).or_default().gains[k].push(*v);
            }
            for (g, moved) in &s.targets {
                let e = groups.entry(format!("direction: {g}")).or_default();
                e.moved[k] += usize::from(*moved);
                e.targets += usize::from(k == 0);
            }
        }
    }
    println!("| group | targets | gain, training words (shipped) | gain, as written | moved, training words | moved, as written |");
    println!("|---|---|---|---|---|---|");
    for (k, mut g) in groups {
        let n = g.gains[0].len().max(g.targets);
        let [a, b] = &mut g.gains;
        println!(
            "| {k} | {n} | {:.2} | {:.2} | {} | {} |",
            median(a),
            median(b),
            g.moved[0],
            g.moved[1]
        );
    }
    Ok(())
}
