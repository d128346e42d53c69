//! Time EfficientNet-Lite0's forward pass at a few input sizes (release build):
//! `cargo run --release -p retouch-vision --example effnet_speed [RUNS]`.

use std::time::Instant;

use retouch_vision::effnet::{input_from_unit_rgb, EfficientNetLite0};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let runs: usize = std::env::args()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(20);
    let net = EfficientNetLite0::load_default()?;
    for side in [96usize, 128, 160, 224] {
        let rgb: Vec<f32> = (0..side * side * 3)
            .map(|i| (i % 251) as f32 / 250.0)
            .collect();
        let x = input_from_unit_rgb(&rgb, side, side);
        net.observe(&x)?;
        let mut times: Vec<f64> = (0..runs)
            .map(|_| {
                let t = Instant::now();
                net.observe(&x).map(|_| t.elapsed().as_secs_f64() * 1e3)
            })
            .collect::<Result<_, _>>()?;
        times.sort_by(f64::total_cmp);
        println!(
            "{side}x{side}: median {:.1} ms, min {:.1} ms ({runs} runs, {} threads)",
            times[runs / 2],
            times[0],
            rayon::current_num_threads()
        );
    }
    Ok(())
}
