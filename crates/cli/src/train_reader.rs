//! `retouch train-reader [--out models/reader/reader.safetensors]`: generate the learned
//! reader's corpus (`retouch_train::reader::corpus`, the eval's probe sentences and generic
//! phrasings left out), embed it with multilingual-e5-small, fit the head, and report how
//! it reads held-out texts.

use anyhow::{Context, Result};
use retouch_text::e5::{default_dir, E5Encoder, Prefix, FILE};
use retouch_train::reader::{corpus::corpus, train, ReaderSettings};
use std::collections::HashSet;
use std::io::Write;
use std::path::PathBuf;
use std::time::Instant;

#[derive(clap::Args)]
pub struct Args {
    /// Where to write the head (safetensors); its report is written beside it.
    #[arg(long, default_value = "models/reader/reader.safetensors")]
    pub out: PathBuf,
    /// Sentences drawn from the instruction generator (the other sources scale with it).
    #[arg(long, default_value_t = 6000)]
    pub generated: usize,
    /// Noisy copies of each clean text.
    #[arg(long, default_value_t = 1)]
    pub noisy: usize,
    #[arg(long, default_value_t = ReaderSettings::default().steps)]
    pub steps: usize,
    #[arg(long, default_value_t = ReaderSettings::default().hidden)]
    pub hidden: usize,
    #[arg(long, default_value_t = ReaderSettings::default().dropout)]
    pub dropout: f32,
    #[arg(long, default_value_t = ReaderSettings::default().input_noise)]
    pub input_noise: f32,
    #[arg(long, default_value_t = ReaderSettings::default().layers)]
    pub layers: usize,
    /// Probability above which the shipped reader reads an item (stored in the head).
    #[arg(long, default_value_t = retouch_model::reader::labels::THRESHOLD)]
    pub threshold: f32,
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Keep the corpus's embeddings in this file and reuse them while the corpus is the
    /// same (embedding is most of the time: about 13,000 texts in 8-15 minutes).
    #[arg(long)]
    pub cache: Option<PathBuf>,
    /// Lexicon languages left out of training and scored apart (comma-separated codes): how
    /// the reader does on a language it has no phrase of, measured on one the project can
    /// label.
    #[arg(long, value_delimiter = ',')]
    pub hold_languages: Vec<String>,
    /// Replace existing output files.
    #[arg(long)]
    pub overwrite: bool,
}

/// Embeddings of texts embedded before, by text (a safetensors file: `embeddings` `[n, 384]`,
/// the texts as a JSON list in the metadata).
fn read_cache(path: &std::path::Path) -> std::collections::HashMap<String, Vec<f32>> {
    let read = || -> Option<std::collections::HashMap<String, Vec<f32>>> {
        let bytes = std::fs::read(path).ok()?;
        let (_, meta) = safetensors::SafeTensors::read_metadata(&bytes).ok()?;
        let texts: Vec<String> =
            serde_json::from_str(meta.metadata().as_ref()?.get("texts")?).ok()?;
        let st = safetensors::SafeTensors::deserialize(&bytes).ok()?;
        let v = st.tensor("embeddings").ok()?;
        let dim = *v.shape().get(1)?;
        if v.shape()[0] != texts.len() {
            return None;
        }
        let vals: Vec<f32> = v
            .data()
            .chunks_exact(4)
            .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
            .collect();
        Some(
            texts
                .into_iter()
                .zip(vals.chunks_exact(dim).map(<[f32]>::to_vec))
                .collect(),
        )
    };
    read().unwrap_or_default()
}

fn write_cache(
    path: &std::path::Path,
    e: &std::collections::HashMap<String, Vec<f32>>,
) -> Result<()> {
    let texts: Vec<&String> = e.keys().collect();
    let dim = e.values().next().map_or(0, Vec::len);
    let data: Vec<u8> = texts
        .iter()
        .flat_map(|t| e[*t].iter().flat_map(|v| v.to_le_bytes()))
        .collect();
    let view = safetensors::tensor::TensorView::new(
        safetensors::Dtype::F32,
        vec![texts.len(), dim],
        &data,
    )?;
    let meta =
        std::collections::HashMap::from([("texts".to_string(), serde_json::to_string(&texts)?)]);
    let bytes = safetensors::serialize([("embeddings", view)], &Some(meta))?;
    retouch_io::write_atomic(path, &bytes, true)?;
    Ok(())
}

pub fn run(a: Args) -> Result<()> {
    let report_path = a.out.with_extension("report.json");
    for p in [&a.out, &report_path] {
        retouch_io::check_destination(p, None, a.overwrite)?;
    }
    // What the eval asks is not trained on.
    let mut exclude: HashSet<String> = retouch_eval::probe::cases()?
        .into_iter()
        .map(|c| c.sentence.to_lowercase())
        .collect();
    exclude.extend(
        retouch_eval::enhance::GENERIC
            .iter()
            .map(|s| s.to_lowercase()),
    );
    let samples = corpus(a.seed, a.generated, a.noisy, &exclude);
    eprintln!("corpus: {} texts", samples.len());
    let mut cache = a.cache.as_deref().map(read_cache).unwrap_or_default();
    let todo: Vec<String> = {
        let mut seen = HashSet::new();
        samples
            .iter()
            .map(|s| s.text.clone())
            .filter(|t| !cache.contains_key(t) && seen.insert(t.clone()))
            .collect()
    };
    eprintln!(
        "{} texts to embed ({} cached)",
        todo.len(),
        samples.len() - todo.len()
    );
    let t0 = Instant::now();
    if !todo.is_empty() {
        let e5 = E5Encoder::load(&default_dir().join(FILE))
            .context("the multilingual encoder (run scripts/fetch-e5.sh)")?;
        for (i, chunk) in todo.chunks(128).enumerate() {
            let texts: Vec<&str> = chunk.iter().map(String::as_str).collect();
            for (t, e) in chunk.iter().zip(e5.embed_batch(&texts, Prefix::Query)?) {
                cache.insert(t.clone(), e.pooled);
            }
            if i % 10 == 0 {
                eprint!("\rembedded {}/{}", (i + 1) * 128, todo.len());
                std::io::stderr().flush().ok();
            }
        }
        if let Some(p) = a.cache.as_deref() {
            write_cache(p, &cache)?;
        }
    }
    let (held_lang, samples): (Vec<_>, Vec<_>) = samples.into_iter().partition(|s| {
        s.language
            .is_some_and(|l| a.hold_languages.iter().any(|h| h == l))
    });
    let embeddings: Vec<Vec<f32>> = samples.iter().map(|s| cache[&s.text].clone()).collect();
    let embed_s = t0.elapsed().as_secs_f64();
    eprintln!("\rembedded {} texts in {embed_s:.0} s", todo.len());
    let command: Vec<String> = std::env::args()
        .enumerate()
        .map(|(i, s)| if i == 0 { "retouch".into() } else { s })
        .collect();
    let settings = ReaderSettings {
        steps: a.steps,
        hidden: a.hidden,
        dropout: a.dropout,
        input_noise: a.input_noise,
        layers: a.layers,
        ..ReaderSettings::default()
    };
    let (mut head, report) = train(
        &samples,
        &embeddings,
        &settings,
        a.seed,
        &format!("`{}`", command.join(" ")),
        &mut |step, exact| eprintln!("step {step}: held-out exact {:.1} %", 100.0 * exact),
    )?;
    outln!(
        "held out ({} texts): exact {:.1} %, directions {:.1} %, nothing read as nothing {:.1} %, missed {:.1} % (clean {:.1} %, noisy {:.1} %)",
        report.held.texts,
        100.0 * report.held.exact,
        100.0 * report.held.directions,
        100.0 * report.held.nothing,
        100.0 * report.held.missed,
        100.0 * report.held.exact_clean,
        100.0 * report.held.exact_noisy,
    );
    for (k, v) in &report.held.exact_by_source {
        outln!("  {k}: {:.1} %", 100.0 * v);
    }
    outln!("fitted texts: exact {:.1} %", 100.0 * report.fit.exact);
    // The threshold's trade-off: texts asking for something read right against texts asking
    // for nothing read as nothing, on the held-out texts (and on left-out languages).
    let held: Vec<&retouch_train::reader::corpus::Sample> = samples
        .iter()
        .filter(|s| retouch_train::reader::held_out(&s.clean))
        .collect();
    let held_e: Vec<&Vec<f32>> = held.iter().map(|x| &cache[&x.text]).collect();
    let lang: Vec<&retouch_train::reader::corpus::Sample> = held_lang.iter().collect();
    let lang_e: Vec<&Vec<f32>> = held_lang.iter().map(|x| &cache[&x.text]).collect();
    outln!("| threshold | held-out directions | held-out nothing | left-out languages directions | missed |");
    outln!("|---|---|---|---|---|");
    let mut sweep = Vec::new();
    for t in [0.4f32, 0.5, 0.6, 0.7, 0.8, 0.9] {
        let h = retouch_train::reader::score_at(&head, &held, &held_e, t);
        let l = retouch_train::reader::score_at(&head, &lang, &lang_e, t);
        outln!(
            "| {t:.1} | {:.1} % | {:.1} % | {:.1} % | {:.1} % |",
            100.0 * h.directions,
            100.0 * h.nothing,
            100.0 * l.directions,
            100.0 * l.missed
        );
        sweep.push(serde_json::json!({"threshold": t, "held": h, "left_out_languages": l}));
    }
    head.threshold = a.threshold;
    let held_lang_score = (!held_lang.is_empty()).then(|| {
        let s: Vec<&retouch_train::reader::corpus::Sample> = held_lang.iter().collect();
        let e: Vec<&Vec<f32>> = held_lang.iter().map(|x| &cache[&x.text]).collect();
        retouch_train::reader::score(&head, &s, &e)
    });
    if let Some(s) = &held_lang_score {
        outln!(
            "languages left out ({}; {} phrases): exact {:.1} %, directions {:.1} %, missed {:.1} %",
            a.hold_languages.join(","),
            s.texts,
            100.0 * s.exact,
            100.0 * s.directions,
            100.0 * s.missed
        );
    }
    if let Some(parent) = a.out.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent)
            .with_context(|| format!("cannot create {}", parent.display()))?;
    }
    retouch_io::write_atomic(&a.out, &head.to_bytes()?, a.overwrite)?;
    let mut rep = serde_json::to_value(&report)?;
    rep["embed_seconds"] = serde_json::json!(embed_s);
    rep["threshold"] = serde_json::json!(a.threshold);
    rep["threshold_sweep"] = serde_json::json!(sweep);
    rep["held_languages"] = serde_json::json!({
        "languages": a.hold_languages,
        "score": held_lang_score,
    });
    retouch_io::write_atomic(&report_path, &serde_json::to_vec_pretty(&rep)?, a.overwrite)?;
    eprintln!("wrote {} and {}", a.out.display(), report_path.display());
    Ok(())
}
