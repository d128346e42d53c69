mod common;
use common::*;
use retouch_engine::GridFile;

#[test]
fn grid_file_round_trips_exactly() {
    let mut r = rng(7);
    let mut f = GridFile::new(random_grid(&mut r, 5, 7, 3, 0.2), random_guide(&mut r));
    f.metadata.insert("made_by".into(), "test".into());
    let bytes = f.to_bytes().unwrap();
    let back = GridFile::from_bytes(&bytes).unwrap();
    assert_eq!(back, f);
}

#[test]
fn damaged_or_foreign_files_are_clear_errors() {
    let mut r = rng(8);
    let f = GridFile::new(random_grid(&mut r, 2, 2, 2, 0.2), random_guide(&mut r));
    let bytes = f.to_bytes().unwrap();
    for cut in [0, 7, bytes.len() / 2, bytes.len() - 1] {
        assert!(GridFile::from_bytes(&bytes[..cut]).is_err(), "cut at {cut}");
    }
    assert!(GridFile::from_bytes(b"hello world, not a grid").is_err());
    // A valid safetensors file without our format marker.
    let data = vec![0u8; 16];
    let v = safetensors::tensor::TensorView::new(safetensors::Dtype::F32, vec![4], &data).unwrap();
    let foreign = safetensors::serialize(vec![("x".to_string(), v)], &None).unwrap();
    let e = GridFile::from_bytes(&foreign).unwrap_err().to_string();
    assert!(e.contains("format"), "{e}");
}
