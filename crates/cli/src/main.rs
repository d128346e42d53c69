//! `retouch`: the command line.

/// `println!` that returns the write's error (a closed pipe: `retouch read ... | head`)
/// from the enclosing function instead of panicking; `main` exits quietly on it.
macro_rules! outln {
    ($($t:tt)*) => {{
        use std::io::Write as _;
        writeln!(std::io::stdout(), $($t)*)?;
    }};
}

/// `print!` with the same error handling as [`outln!`].
macro_rules! out {
    ($($t:tt)*) => {{
        use std::io::Write as _;
        write!(std::io::stdout(), $($t)*)?;
    }};
}

mod apply;
mod bench;
mod data;
mod edit;
mod eval;
mod fit;
mod lut;
mod metrics;
mod progress;
mod read;
mod serve;
mod train;
mod train_estimator;
mod train_reader;

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
    /// Retouch a photo as an instruction says, at full resolution, with the shipped model.
    Edit(edit::EditArgs),
    /// Show what an instruction is understood to ask (no photo, no model needed).
    Read(read::Args),
    /// Run many edit jobs (JSON lines) with the model loaded once.
    Batch(edit::BatchArgs),
    /// Apply a grid file or an edit file to a photo at full resolution.
    Apply(apply::Args),
    /// Write an edit file's whole-photo part as a 3D LUT (.cube).
    Lut(lut::Args),
    /// Serve the HTTP API and the web editor (loopback by default).
    Serve(serve::Args),
    /// Fit a bilateral grid to a (low-resolution) before/after pair.
    Fit(fit::Args),
    /// Measure slice-and-apply speed at 720p, 1080p, 1440p and 2160p.
    Bench(bench::Args),
    /// Fidelity (SSIM, CW-SSIM, GMSD) and distances (L1, L2, PSNR, ΔE00) for one image pair.
    Metrics(metrics::Args),
    /// The benchmark: the shipped model and baselines on the validation split (table, JSON, charts).
    Eval(eval::Args),
    /// Train the instruction-conditioned generator.
    Train(train::Args),
    /// Fit the photo's estimator (the correction a photo needs, from its statistics).
    TrainEstimator(train_estimator::Args),
    /// Train the learned reader (multilingual sentences -> the typed reading).
    TrainReader(train_reader::Args),
    /// The photo dataset.
    #[command(subcommand)]
    Data(data::Command),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Edit(a) => edit::run_edit(a),
        Command::Batch(a) => edit::run_batch(a),
        Command::Read(a) => read::run(a),
        Command::Apply(a) => apply::run(a),
        Command::Lut(a) => lut::run(a),
        Command::Serve(a) => serve::run(a),
        Command::Fit(a) => fit::run(a),
        Command::Bench(a) => bench::run(a),
        Command::Data(c) => data::run(c),
        Command::Train(a) => train::run(a),
        Command::TrainEstimator(a) => train_estimator::run(a),
        Command::TrainReader(a) => train_reader::run(a),
        Command::Metrics(a) => metrics::run(a),
        Command::Eval(a) => eval::run(a),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        // Whoever read the output stopped reading: not an error of ours, nothing to say.
        Err(e) if closed_pipe(&e) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

/// Whether an error is a write to a pipe whose reader has gone.
fn closed_pipe(e: &anyhow::Error) -> bool {
    e.chain().any(|c| {
        c.downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
    })
}
