//! Prints what the photo's estimator says each photo needs (general head, and the
//! named-problem and directed heads): `cargo run --release -p retouch-model --example estimate -- PHOTO...`.
use retouch_model::estimate::{Estimator, Problem, Repair};
use retouch_model::lowres;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let e = Estimator::shipped()?;
    for path in std::env::args().skip(1) {
        let photo = retouch_io::read(std::path::Path::new(&path), &Default::default())?;
        let retouch_io::Pixels::U8(px) = &photo.pixels else {
            continue;
        };
        let thumb = lowres::thumbnail(px, photo.width, photo.height, photo.channels, 128);
        println!("{path}\n  general: {:?}", e.predict(&thumb, 128, 128)?);
        for p in Problem::ALL {
            println!(
                "  given {p:?}: {:?}",
                e.predict_given(&thumb, 128, 128, &[p], &[])?
            );
        }
        for r in Repair::ALL {
            println!(
                "  needs {r:?}: {:?}",
                e.predict_given(&thumb, 128, 128, &[], &[r])?
            );
        }
    }
    Ok(())
}
