//! `retouch`: the command line.

mod apply;
mod bench;
mod data;
mod fit;
mod progress;

use clap::{Parser, Subcommand};
use std::process::ExitCode;

#[derive(Parser)]
#[command(
    name = "retouch",
    version,
    about = "Photo retouching in bilateral space (InstantRetouch)"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Apply a bilateral grid file to a photo at full resolution.
    Apply(apply::Args),
    /// Fit a bilateral grid to a (low-resolution) before/after pair.
    Fit(fit::Args),
    /// Measure slice-and-apply speed at 720p, 1080p, 1440p and 2160p.
    Bench(bench::Args),
    /// The photo dataset.
    #[command(subcommand)]
    Data(data::Command),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Apply(a) => apply::run(a),
        Command::Fit(a) => fit::run(a),
        Command::Bench(a) => bench::run(a),
        Command::Data(c) => data::run(c),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}
