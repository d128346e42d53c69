//! Generator vs matcher agreement on fresh seeds, the checker, and the corpus's range.

use retouch_instruct::check::{Checker, Refusal};
use retouch_instruct::generate::{Generator, Split};
use retouch_instruct::{match_instruction, Attr};
use std::collections::HashSet;

fn agreement(seed: u64, split: Split, n: usize) -> (f64, f64) {
    let mut g = Generator::new(seed, split);
    let (mut ok, mut mag) = (0usize, 0usize);
    for _ in 0..n {
        let s = g.random();
        if split == Split::Validation {
            assert!(
                s.holdout,
                "validation sentences must use held-out wording: {}",
                s.text
            );
        }
        let m = match_instruction(&s.text);
        let mut want: Vec<String> = s.targets.iter().map(|t| t.label()).collect();
        want.sort();
        want.dedup();
        if m.labels() == want && s.kept.iter().all(|k| m.kept.contains(k)) {
            ok += 1;
            if s.targets.iter().all(|t| {
                m.targets
                    .iter()
                    .any(|(u, _)| u.label() == t.label() && u.magnitude == t.magnitude)
            }) {
                mag += 1;
            }
        }
    }
    (ok as f64 / n as f64, mag as f64 / ok.max(1) as f64)
}

#[test]
fn matcher_recovers_the_generators_ground_truth() {
    // Seeds never used while writing the matcher.
    let (train, train_mag) = agreement(1001, Split::Train, 3000);
    let (val, val_mag) = agreement(2002, Split::Validation, 1500);
    eprintln!("agreement: train {train:.4} (magnitude {train_mag:.4}), held-out phrasings {val:.4} (magnitude {val_mag:.4})");
    assert!(train >= 0.98, "train agreement {train}");
    assert!(val >= 0.98, "held-out agreement {val}");
    assert!(train_mag >= 0.95 && val_mag >= 0.95);
}

#[test]
fn training_sentences_never_use_held_out_wording() {
    let mut g = Generator::new(5, Split::Train);
    for _ in 0..2000 {
        assert!(!g.random().holdout);
    }
}

#[test]
fn corpus_has_real_lexical_range() {
    let mut g = Generator::new(9, Split::Train);
    let mut sentences = HashSet::new();
    let mut vocab = HashSet::new();
    let mut registers = HashSet::new();
    for _ in 0..20000 {
        let s = g.random();
        for w in retouch_instruct::matcher::normalise(&s.text).split(' ') {
            vocab.insert(w.to_string());
        }
        registers.insert(s.register);
        sentences.insert(s.text);
    }
    eprintln!(
        "20000 draws: {} distinct sentences, vocabulary {} words, {} registers",
        sentences.len(),
        vocab.len(),
        registers.len()
    );
    assert!(sentences.len() >= 5000, "{}", sentences.len());
    assert!(vocab.len() >= 150, "{}", vocab.len());
    assert_eq!(registers.len(), 8);
}

#[test]
fn checker_refuses_content_edits_duplicates_and_contradictions() {
    let mut c = Checker::new();
    assert!(matches!(
        c.check("remove the person on the left"),
        Err(Refusal::ContentEdit(_))
    ));
    assert!(matches!(c.check("add a dog"), Err(Refusal::ContentEdit(_))));
    assert!(matches!(
        c.check("make it warmer and cooler"),
        Err(Refusal::Contradiction(_))
    ));
    assert!(matches!(c.check("hello there"), Err(Refusal::NoEdit)));
    assert!(
        c.check("add a touch of vibrance").is_ok(),
        "photometric 'add' is fine"
    );
    assert!(
        c.check("remove the yellow cast").is_ok(),
        "photometric 'remove' is fine"
    );
    assert!(c.check("warmer, +contrast").is_ok());
    assert_eq!(c.check("Warmer, +contrast"), Err(Refusal::Duplicate));
}

#[test]
fn hand_written_phrasings_outside_the_generator() {
    // Sentences written for this test, not produced by the generator.
    let cases: [(&str, &[&str]); 15] = [
        ("make it dramatic and cozy", &["contrast:up", "temperature:up"]),
        ("Make the image softer and more vibrant, enhance the color for a professional travel magazine feel.", &["contrast:down", "saturation:up", "vibrance:up"]),
        ("warmer, lift the shadows, travel-magazine look", &["contrast:up", "shadows:up", "temperature:up", "vibrance:up"]),
        ("it's underexposed and too blue", &["brightness:up", "temperature:up"]),
        ("the highlights are blown out", &["highlights:down"]),
        ("darken the sky a little", &["brightness:down@sky"]),
        ("give it that teal and orange movie look", &["style:cinematic:up"]),
        ("could you make it a tad less saturated?", &["saturation:down"]),
        ("not bright enough", &["brightness:up"]),
        // "whites" is the top of the tonal range: dull whites are lifted.
        ("too much contrast, and the whites look dull", &["contrast:down", "highlights:up", "saturation:up"]),
        ("crush the blacks and make it black & white", &["blacks:down", "monochrome:up"]),
        ("dark and moody please", &["style:low-key:up"]),
        ("remove the green tint", &["tint:up"]),
        ("-exposure +warmth", &["brightness:down", "temperature:up"]),
        ("brighter but keep the colours", &["brightness:up"]),
    ];
    for (text, want) in cases {
        assert_eq!(match_instruction(text).labels(), want.to_vec(), "{text}");
    }
    assert_eq!(
        match_instruction("brighter but keep the colours").kept,
        vec![Attr::Saturation]
    );
}

#[test]
fn attribute_vector_encodes_direction_magnitude_and_region() {
    use retouch_instruct::attr::{Look, ATOMIC};
    use retouch_instruct::matcher::ATTRIBUTE_VECTOR_LEN;
    let n = ATOMIC.len() + Look::ALL.len();
    assert_eq!(ATTRIBUTE_VECTOR_LEN, 2 * n);
    let idx = |a: &Attr| ATOMIC.iter().position(|b| b == a).unwrap();
    let v = match_instruction("much warmer and a bit less saturated").attribute_vector();
    assert_eq!(v.len(), ATTRIBUTE_VECTOR_LEN);
    assert!(v[idx(&Attr::Temperature)] > 1.0, "{v:?}");
    assert!(
        v[idx(&Attr::Saturation)] < 0.0 && v[idx(&Attr::Saturation)] > -1.0,
        "{v:?}"
    );
    assert_eq!(v.iter().filter(|x| **x != 0.0).count(), 2);
    let sky = match_instruction("darken the sky").attribute_vector();
    assert!(sky[n + idx(&Attr::Brightness)] < 0.0, "{sky:?}");
    assert_eq!(sky[idx(&Attr::Brightness)], 0.0);
    let vint = match_instruction("give it a vintage look").attribute_vector();
    let vi = ATOMIC.len() + Look::Vintage.index();
    assert!(vint[vi] > 0.0, "{vint:?}");
    assert!(match_instruction("zorbly flimflam")
        .attribute_vector()
        .iter()
        .all(|x| *x == 0.0));
}
