//! The edit file: bytes round trip, and what it refuses.

use retouch_engine::{BilateralGrid, GuideMap, Mask};
use retouch_finish::Region;
use retouch_instruct::Reading;
use retouch_model::edit_file::EditFile;
use retouch_model::{Edit, Source};
use std::collections::BTreeMap;

fn grid(h: usize, w: usize, d: usize, seed: f32) -> BilateralGrid {
    let mut g = BilateralGrid::identity(h, w, d).unwrap();
    for (i, v) in g.data_mut().iter_mut().enumerate() {
        *v += 0.01 * ((i as f32 * 0.37 + seed).sin());
    }
    g
}

fn file() -> EditFile {
    let edits = [
        Edit {
            grid: grid(16, 16, 8, 0.0),
            region: None,
            source: Source::Network,
        },
        Edit {
            grid: grid(2, 2, 12, 1.0),
            region: Some((
                Region::Sky,
                Mask::new(2, 2, vec![1.0, 0.5, 0.0, 0.0]).unwrap(),
            )),
            source: Source::Auto,
        },
    ];
    let reading = Reading::new("make it warmer and darken the sky");
    EditFile::new(
        &edits,
        &GuideMap::luma(),
        "make it warmer and darken the sky",
        &reading,
        BTreeMap::from([("program".into(), "test".into())]),
    )
}

#[test]
fn an_edit_file_round_trips_through_bytes() {
    let f = file();
    assert_eq!(f.stages[1].region, Some(Region::Sky));
    let back = EditFile::from_bytes(&f.to_bytes().unwrap()).unwrap();
    assert_eq!(back, f);
    assert_eq!(back.whole_photo().count(), 1);
    assert!(!back.reading.is_empty());
}

#[test]
fn a_grid_file_or_damaged_bytes_are_not_an_edit_file() {
    let f = file();
    let grid_file =
        retouch_engine::GridFile::new(f.stages[0].grid.clone(), GuideMap::luma()).to_bytes();
    let e = EditFile::from_bytes(&grid_file.unwrap())
        .unwrap_err()
        .to_string();
    assert!(e.contains("instantretouch-edit"), "{e}");
    let bytes = f.to_bytes().unwrap();
    assert!(EditFile::from_bytes(&bytes[..bytes.len() / 2]).is_err());
    assert!(EditFile::from_bytes(b"not a file").is_err());
}
