//! `retouch eval [--split validation] [--json FILE] [--report DIR]`: the benchmark.

use anyhow::{bail, Context, Result};
use indicatif::{ProgressBar, ProgressStyle};
use retouch_data::synth::{load_photos, validation_seed, Synth};
use retouch_eval::{charts, report, Event, Settings};
use retouch_instruct::generate::Split;
use retouch_train::TrainConfig;
use std::io::IsTerminal;
use std::path::{Path, PathBuf};

#[derive(clap::Args)]
pub struct Args {
    /// Which photos: `validation` (held-out photos; some phrasings held out too) or `train`.
    #[arg(long, default_value = "validation")]
    pub split: String,
    /// Training config that names the data folder and the seed (default: the shipped model's
    /// config).
    #[arg(long)]
    pub config: Option<PathBuf>,
    /// Model file (default: the shipped model).
    #[arg(long)]
    pub model: Option<PathBuf>,
    /// Photo folder (default: the config's `data_dir`).
    #[arg(long)]
    pub data_dir: Option<PathBuf>,
    /// Triplets to evaluate (indices 0..N of the split's deterministic synthesis).
    #[arg(long, default_value_t = 240)]
    pub samples: usize,
    /// Long side of the evaluated photos, in pixels.
    #[arg(long, default_value_t = 512, value_parser = clap::value_parser!(u32).range(64..=4096))]
    pub size: u32,
    /// What to run (comma-separated): the triplets every method is scored on, the free-text
    /// probe, the instruction probe, the enhance benchmark, identity on portraits.
    #[arg(long, value_delimiter = ',', default_values_t = [Part::Triplets, Part::FreeText, Part::Probe, Part::Enhance, Part::Identity])]
    pub parts: Vec<Part>,
    /// Photos of the split the enhance benchmark degrades (the first N; 0: all).
    #[arg(long, default_value_t = 0)]
    pub enhance_photos: usize,
    /// How generic requests and named problems are sized: the learned estimator (shipped)
    /// or the hand-set rules (for the ablation).
    #[arg(long, default_value = "learned")]
    pub corrector: Corrector,
    /// What reads the clauses the rules cannot: the learned reader (shipped), the nearest
    /// known phrase by similarity (the reading before it), or nothing (for the ablation).
    #[arg(long, default_value = "learned")]
    pub fallback: Fallback,
    /// Timed runs per runtime row (0 skips the runtime rows).
    #[arg(long, default_value_t = 5)]
    pub runs: u32,
    /// Write the full report as JSON here.
    #[arg(long)]
    pub json: Option<PathBuf>,
    /// Write results.md, eval.json, radar.png and attributes.png into this folder.
    #[arg(long)]
    pub report: Option<PathBuf>,
    /// Replace the text between `<!-- eval:begin -->` and `<!-- eval:end -->` in this file
    /// (e.g. docs/BENCHMARK.md) with the results.
    #[arg(long)]
    pub update_readme: Option<PathBuf>,
    /// Replace existing output files.
    #[arg(long)]
    pub overwrite: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Part {
    Triplets,
    FreeText,
    Probe,
    Enhance,
    Identity,
}

impl std::fmt::Display for Part {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Part::Triplets => "triplets",
            Part::FreeText => "free-text",
            Part::Probe => "probe",
            Part::Enhance => "enhance",
            Part::Identity => "identity",
        })
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Corrector {
    Learned,
    Rules,
}

#[derive(Clone, Copy, PartialEq, Eq, Debug, clap::ValueEnum)]
pub enum Fallback {
    Learned,
    Similarity,
    None,
}

/// Photos the instruction probe uses (each gets every sentence).
const PROBE_PHOTOS: usize = 8;

/// Photos the free-text probe uses (each gets every sentence).
const FREE_TEXT_PHOTOS: usize = 8;

/// Long side of the photos the identity rows look for faces in: faces must be large enough
/// to recognise, and the validation split alone has one portrait, so both splits are
/// searched (the model was never trained on identity, only on colour edits of the training
/// photos).
const IDENTITY_SIZE: u32 = 1024;

const BEGIN: &str = "<!-- eval:begin -->";
const END: &str = "<!-- eval:end -->";

fn default_config() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../configs/retouch.json")
}

/// The training config at `path` (default: the shipped model's), its paths resolved: where
/// the photos are and the seed, for the commands that read the dataset without training.
pub fn load_config(path: Option<&Path>) -> Result<TrainConfig> {
    let config = path.map_or_else(default_config, Path::to_path_buf);
    let text = std::fs::read_to_string(&config)
        .with_context(|| format!("cannot read config {}", config.display()))?;
    let mut cfg: TrainConfig = serde_json::from_str(&text)
        .with_context(|| format!("{} is not a valid training config", config.display()))?;
    cfg.resolve_paths();
    Ok(cfg)
}

/// Today's date (UTC) as YYYY-MM-DD.
fn today() -> String {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs()) as i64;
    // Civil date from days since 1970-01-01 (proleptic Gregorian).
    let z = secs.div_euclid(86_400) + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!("{y:04}-{m:02}-{d:02}")
}

fn splice_readme(text: &str, body: &str) -> Result<String> {
    let (Some(b), Some(e)) = (text.find(BEGIN), text.find(END)) else {
        bail!("no `{BEGIN}` ... `{END}` section to replace");
    };
    if e < b {
        bail!("`{END}` comes before `{BEGIN}`");
    }
    Ok(format!("{}{BEGIN}\n{body}\n{}", &text[..b], &text[e..]))
}

pub fn run(a: Args) -> Result<()> {
    let split = match a.split.as_str() {
        "validation" => Split::Validation,
        "train" => Split::Train,
        other => bail!("unknown split `{other}` (validation, train)"),
    };
    let cfg = load_config(a.config.as_deref())?;
    let data_dir = a.data_dir.clone().unwrap_or(cfg.data_dir.clone());
    let samples = a.samples;
    if samples == 0 {
        bail!("--samples must be at least 1");
    }

    // Refuse early, before any work, if an output would clobber something.
    let mut outputs: Vec<PathBuf> = a.json.iter().cloned().collect();
    if let Some(dir) = &a.report {
        for f in ["results.md", "eval.json", "radar.png", "attributes.png"] {
            outputs.push(dir.join(f));
        }
    }
    for p in &outputs {
        retouch_io::check_destination(p, None, a.overwrite)?;
    }
    let readme = match &a.update_readme {
        Some(p) => {
            let t = std::fs::read_to_string(p)
                .with_context(|| format!("cannot read {}", p.display()))?;
            splice_readme(&t, "").with_context(|| format!("{} cannot be updated", p.display()))?;
            Some((p.clone(), t))
        }
        None => None,
    };

    let model = a
        .model
        .clone()
        .unwrap_or_else(retouch_model::default_model_path);
    let mut retoucher = retouch_model::Retoucher::load(&model, &retouch_text::default_dir())
        .with_context(|| format!("cannot load model {}", model.display()))?;
    if a.corrector == Corrector::Rules {
        retoucher.corrector = retouch_model::adjust::Corrector::Rules;
    }
    retoucher.fallback = match a.fallback {
        Fallback::Learned => retouch_model::Fallback::Learned,
        Fallback::Similarity => retouch_model::Fallback::Similarity,
        Fallback::None => retouch_model::Fallback::None,
    };
    let split_name = a.split.as_str();
    let photos = load_photos(&data_dir, split_name, a.size).with_context(|| {
        format!(
            "cannot load the {split_name} photos from {} (run scripts/fetch-photos.sh)",
            data_dir.display()
        )
    })?;
    if photos.is_empty() {
        bail!(
            "{} has no {split_name} photos (run scripts/fetch-photos.sh)",
            data_dir.display()
        );
    }
    let seed = match split {
        Split::Validation => validation_seed(cfg.seed),
        Split::Train => cfg.seed,
    };
    let n_photos = photos.len();
    // The free-text probe runs on the first photos of the split, as they are.
    let has = |p: Part| a.parts.contains(&p);
    let free_photos: Vec<retouch_finish::Image> = photos
        .iter()
        .take(if has(Part::FreeText) {
            FREE_TEXT_PHOTOS
        } else {
            0
        })
        .map(|p| p.1.clone())
        .collect();
    let probe_photos: Vec<retouch_finish::Image> = photos
        .iter()
        .take(if has(Part::Probe) { PROBE_PHOTOS } else { 0 })
        .map(|p| p.1.clone())
        .collect();
    let enhance_n = match (has(Part::Enhance), a.enhance_photos) {
        (false, _) => 0,
        (true, 0) => photos.len(),
        (true, n) => n.min(photos.len()),
    };
    let enhance_photos: Vec<retouch_finish::Image> =
        photos.iter().take(enhance_n).map(|p| p.1.clone()).collect();
    let synth = Synth::new(photos, seed, split);
    let portraits = if has(Part::Identity) {
        let mut all = Vec::new();
        for s in ["validation", "train"] {
            all.extend(load_photos(&data_dir, s, IDENTITY_SIZE).with_context(|| {
                format!("cannot load the {s} photos from {}", data_dir.display())
            })?);
        }
        retouch_eval::identity::portraits(all).context("cannot look for faces")?
    } else {
        Vec::new()
    };

    let quiet = !std::io::stderr().is_terminal();
    let pb = if quiet {
        ProgressBar::hidden()
    } else {
        ProgressBar::new(0)
    };
    pb.set_style(
        ProgressStyle::with_template("{msg:32} {bar:30} {pos}/{len} [{elapsed}]")
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    pb.set_message("synthesising triplets");
    let set = if has(Part::Triplets) {
        retouch_eval::triplets(&synth, samples)
    } else {
        Vec::new()
    };
    let settings = Settings {
        split: a.split.clone(),
        samples,
        size: a.size,
        seed,
        runs: a.runs,
    };
    let shown = model.canonicalize().unwrap_or(model.clone());
    let cwd = std::env::current_dir()
        .and_then(|d| d.canonicalize())
        .unwrap_or_default();
    let model_name = shown
        .strip_prefix(&cwd)
        .unwrap_or(&shown)
        .display()
        .to_string();
    let rep = retouch_eval::run(
        settings,
        &retoucher,
        &model_name,
        n_photos,
        retouch_eval::Inputs {
            set: &set,
            free_photos: &free_photos,
            enhance_photos: &enhance_photos,
            probe_photos: &probe_photos,
            portraits: &portraits,
        },
        &mut |e| match e {
            Event::Phase(name, n) => {
                pb.set_message(name.to_string());
                pb.set_length(n);
                pb.set_position(0);
            }
            Event::Tick => pb.inc(1),
        },
    )?;
    pb.finish_and_clear();

    let command: Vec<String> = std::env::args()
        .enumerate()
        .map(|(i, s)| if i == 0 { "retouch".into() } else { s })
        .collect();
    let md = format!(
        "Generated by `{}` on {} ({}).\n\n{}",
        command.join(" "),
        today(),
        if cfg!(debug_assertions) {
            "debug build"
        } else {
            "release build"
        },
        report::markdown(&rep)
    );
    outln!("{md}");
    let json = serde_json::to_vec_pretty(&rep)?;
    if let Some(p) = &a.json {
        retouch_io::write_atomic(p, &json, a.overwrite)?;
    }
    if let Some(dir) = &a.report {
        std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
        retouch_io::write_atomic(&dir.join("results.md"), md.as_bytes(), a.overwrite)?;
        retouch_io::write_atomic(&dir.join("eval.json"), &json, a.overwrite)?;
        retouch_io::write_atomic(&dir.join("radar.png"), &charts::radar(&rep)?, a.overwrite)?;
        retouch_io::write_atomic(
            &dir.join("attributes.png"),
            &charts::attributes(&rep)?,
            a.overwrite,
        )?;
        eprintln!("wrote {}", dir.display());
    }
    if let Some((p, text)) = readme {
        let new = splice_readme(&text, &md)?;
        retouch_io::write_atomic(Path::new(&p), new.as_bytes(), true)?;
        eprintln!("updated {}", p.display());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn today_is_a_date() {
        let d = today();
        assert_eq!(d.len(), 10);
        assert!(d.starts_with("20"));
    }

    #[test]
    fn splice_replaces_only_the_marked_section() {
        let t = "a\n<!-- eval:begin -->\nold\n<!-- eval:end -->\nb\n";
        let s = splice_readme(t, "new").unwrap();
        assert_eq!(s, "a\n<!-- eval:begin -->\nnew\n<!-- eval:end -->\nb\n");
        assert!(splice_readme("no markers", "x").is_err());
    }
}
