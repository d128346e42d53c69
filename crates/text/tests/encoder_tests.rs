//! The shipped f16 encoder against reference vectors from sentence-transformers on the
//! original F32 model (made by scripts/reference-embeddings.py).

use retouch_text::{cosine, default_dir, TextEncoder, DIM};

#[derive(serde::Deserialize)]
struct Reference {
    sentences: Vec<String>,
    embeddings: Vec<Vec<f32>>,
}

fn reference() -> Reference {
    let p = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/reference_embeddings.json");
    serde_json::from_str(&std::fs::read_to_string(p).unwrap()).unwrap()
}

#[test]
fn embeddings_match_sentence_transformers() {
    let enc = TextEncoder::load(&default_dir()).unwrap();
    let r = reference();
    assert!(r.sentences.len() >= 6);
    let mut worst = 1.0f32;
    for (s, want) in r.sentences.iter().zip(&r.embeddings) {
        let got = enc.encode(s).unwrap();
        assert_eq!(got.pooled.len(), DIM);
        let c = cosine(&got.pooled, want);
        worst = worst.min(c);
        assert!(c >= 0.9999, "{s:?}: cosine {c}");
        let norm: f32 = got.pooled.iter().map(|v| v * v).sum::<f32>().sqrt();
        assert!((norm - 1.0).abs() < 1e-4);
        assert!(!got.truncated);
    }
    eprintln!("worst cosine to sentence-transformers: {worst:.6}");
    // Different instructions are told apart.
    let a = enc.encode("make it warmer").unwrap().pooled;
    let b = enc.encode("make it cooler").unwrap().pooled;
    let c = enc.encode("warm it up a bit").unwrap().pooled;
    assert!(cosine(&a, &c) > cosine(&a, &b) - 0.2);
    assert!(cosine(&a, &b) < 0.999);
}

#[test]
fn token_states_and_truncation() {
    let enc = TextEncoder::load(&default_dir()).unwrap();
    let e = enc.encode("lift the shadows").unwrap();
    let (n, d) = e.tokens.dims2().unwrap();
    assert_eq!(d, DIM);
    assert_eq!(n, 5, "[CLS] lift the shadows [SEP]");
    let long = "warmer ".repeat(400);
    let e = enc.encode(&long).unwrap();
    assert!(e.truncated);
    assert_eq!(e.tokens.dims2().unwrap().0, retouch_text::MAX_TOKENS);
}

#[test]
fn missing_files_are_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let e = TextEncoder::load(dir.path()).err().expect("must fail");
    assert!(e.to_string().contains("config.json"), "{e}");
}
