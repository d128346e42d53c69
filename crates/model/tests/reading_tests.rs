//! The similarity reader: the shipped phrase embeddings are current, sentences the matcher
//! cannot read get an attribute from the nearest phrase, and the shipped model then edits the
//! photo that way (checked with the attribute bank's statistics).

use retouch_engine::{slice_apply, ApplyParams, ImageMut, ImageRef};
use retouch_instruct::attr::{moved_as_asked, stats, Attr};
use retouch_model::reading::{phrases, Reader};
use retouch_model::{default_model_path, Retoucher};

#[test]
fn shipped_phrase_embeddings_match_the_encoder() {
    let path = default_model_path().with_file_name("phrases.safetensors");
    let bytes = std::fs::read(&path).unwrap();
    let shipped = Reader::from_bytes(&bytes).expect(
        "phrases.safetensors is stale: cargo run --release -p retouch-model --example phrases",
    );
    let text = retouch_text::TextEncoder::load(&retouch_text::default_dir()).unwrap();
    let fresh = Reader::new(|p| text.encode(p).map(|e| e.pooled)).unwrap();
    // Same phrases, same vectors: both files serialise identically up to float noise.
    let (a, b) = (shipped.to_bytes(), fresh.to_bytes());
    assert_eq!(a.len(), b.len());
    let n = phrases().len();
    for (i, (p, _)) in phrases().iter().enumerate() {
        let e = text.encode(p).unwrap().pooled;
        let r = shipped.read(&e).unwrap();
        assert_eq!(&r.phrase, p, "phrase {i} of {n} is not its own nearest");
        assert!((r.similarity - 1.0).abs() < 1e-4, "{p}: {}", r.similarity);
    }
}

fn coffee() -> (Vec<f32>, usize, usize) {
    let p =
        std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../assets/photos/coffee.png");
    let img = image::open(p).unwrap().to_rgb8();
    let (w, h) = (img.width() as usize, img.height() as usize);
    (
        img.as_raw().iter().map(|v| *v as f32 / 255.0).collect(),
        w,
        h,
    )
}

#[test]
fn unknown_wording_is_read_by_similarity_and_edited_that_way() {
    let r = Retoucher::load(&default_model_path(), &retouch_text::default_dir()).unwrap();

    // Known words: the matcher's reading, no similarity reading.
    let known = r.encode("make it warmer").unwrap();
    assert!(known.readings.is_empty());
    assert_eq!(known.matched.labels(), ["temperature:up"]);
    // A content edit alone is not turned into a colour edit.
    let content = r.encode("remove the person").unwrap();
    assert!(content.readings.is_empty() && content.matched.targets.is_empty());

    let (rgb, w, h) = coffee();
    let before = stats(&rgb, None);
    for (sentence, want) in [
        (
            "make it look like an old photograph",
            Attr::Style(retouch_finish::Look::Sepia),
        ),
        ("like a sunny afternoon", Attr::Brightness),
    ] {
        let enc = r.encode(sentence).unwrap();
        // Read by the concept lexicon since session 7, or by similarity to a known phrase.
        let target = enc
            .reading
            .requests
            .iter()
            .map(|q| q.target)
            .chain(enc.readings.iter().map(|(_, r)| r.target))
            .find(|t| t.attr == want)
            .unwrap_or_else(|| panic!("{sentence}: {}", enc.reading.summary()));
        let reading = retouch_model::reading::Reading {
            target,
            phrase: String::new(),
            similarity: 1.0,
        };
        let grid = r.predict(&rgb, w, h, 3, &enc).unwrap();
        let mut out = vec![0f32; rgb.len()];
        slice_apply(
            &grid,
            r.guide(),
            ImageRef::new(&rgb, w, h, 3).unwrap(),
            ImageMut::new(&mut out, w, h, 3).unwrap(),
            &ApplyParams::default(),
        )
        .unwrap();
        out.iter_mut().for_each(|v| *v = v.clamp(0.0, 1.0));
        let after = stats(&out, None);
        assert!(
            moved_as_asked(&reading.target, &before, &after, 0.5),
            "{sentence}: {before:?} -> {after:?}"
        );
    }
}

#[test]
fn a_look_asked_for_by_likeness_is_read_by_similarity_not_refused() {
    let r = Retoucher::load(&default_model_path(), &retouch_text::default_dir()).unwrap();
    // No retouching word, and the learned reader reads nothing: the likeness asks for a
    // look, and the nearest phrase says which.
    for s in [
        "like an old newspaper print",
        "make it look like grandma's photo album",
    ] {
        let enc = r.encode(s).unwrap();
        assert!(!enc.asks_nothing(), "{s}");
        assert_eq!(enc.readings.len(), 1, "{s}");
        let t = enc.readings[0].1.target;
        assert_eq!(enc.matched.targets, [(t, 1.0)], "{s}");
        // The encoder is shown that look in training words, not the sentence.
        assert_eq!(
            Some(enc.text.clone()),
            retouch_instruct::generate::training_words(
                &[t],
                retouch_instruct::generate::Register::Professional
            ),
            "{s}"
        );
    }
    // Sentences that present the photo, or like something, still ask for nothing.
    for s in [
        "my aunt took this",
        "I'd like it",
        "a photo of my dog at the park",
    ] {
        assert!(r.encode(s).unwrap().asks_nothing(), "{s}");
    }
}

#[test]
fn a_clause_the_matcher_cannot_read_is_read_beside_the_ones_it_can() {
    let r = Retoucher::load(&default_model_path(), &retouch_text::default_dir()).unwrap();
    // Both clauses are read by the typed reading now ("sunny" is in the concept lexicon),
    // so no nearest phrase is needed.
    let enc = r
        .encode("lift the shadows, like a sunny afternoon")
        .unwrap();
    assert!(enc.readings.is_empty(), "{:?}", enc.readings);
    let labels = enc.matched.labels();
    assert!(
        labels.contains(&"shadows:up".to_string()) && labels.contains(&"brightness:up".to_string()),
        "{labels:?}"
    );
    // Filler clauses beside a clear request add nothing.
    for s in ["make it warmer, if you can", "brighter, for my portfolio"] {
        let enc = r.encode(s).unwrap();
        assert!(enc.readings.is_empty(), "{s}: {:?}", enc.readings);
        assert_eq!(enc.matched.targets.len(), 1, "{s}");
    }
    // A sentence the typed reading finds nothing in gets no nearest phrase below the
    // similarity threshold, and none at all without the similarity reading.
    let plain = r.encode_with("zorbly flimflam", false).unwrap();
    assert!(plain.readings.is_empty() && plain.matched.targets.is_empty());
    // Such a sentence asks for nothing (the CLI refuses it, the eval keeps the photo); one
    // that asks for a change, however it is read, does not.
    assert!(plain.asks_nothing());
    for s in [
        "make it warmer, if you can",
        "maak de foto warmer",
        "enhance",
    ] {
        assert!(!r.encode(s).unwrap().asks_nothing(), "{s}");
    }
}

#[test]
fn the_encoder_sees_what_was_read_in_the_training_words() {
    use retouch_instruct::generate::{training_words, Register};
    use retouch_model::encoder_text;
    let said = |r: &retouch_instruct::Reading| {
        let targets: Vec<_> = r.matched.targets.iter().map(|(t, _)| *t).collect();
        training_words(&targets, Register::Professional).unwrap()
    };
    // Held-out wording, another language, a word-for-word rewrite ("warmer make"), a refused
    // look: the network is shown what was read, as its training phrased it, never the words.
    for s in [
        "could it look more low-key",
        "더 따뜻하게 해줘",
        "rends-la plus sombre et plus chaude",
        "oscurece el cielo",
        "no sepia, just warmer",
        "brighter, not black and white",
        "wärmer, aber die Helligkeit beibehalten",
    ] {
        let r = retouch_instruct::Reading::new(s);
        assert!(!r.matched.targets.is_empty(), "{s}");
        assert_eq!(encoder_text(&r), said(&r), "{s}");
    }
    let low_key = encoder_text(&retouch_instruct::Reading::new(
        "could it look more low-key",
    ));
    assert!(!low_key.contains("low-key"), "{low_key}");
    let ko = retouch_instruct::Reading::new("더 따뜻하게 해줘");
    assert_eq!(ko.english, "warmer make");
    assert!(encoder_text(&ko).contains("warm"), "{}", encoder_text(&ko));
    let no_sepia = encoder_text(&retouch_instruct::Reading::new("no sepia, just warmer"));
    assert!(!no_sepia.contains("sepia"), "{no_sepia}");
    // The same reading is the same text, however it was written.
    assert_eq!(
        encoder_text(&retouch_instruct::Reading::new("make it warmer")),
        encoder_text(&retouch_instruct::Reading::new(
            "plus chaud s'il vous plaît"
        ))
    );
    // A named problem is said as training's restore sentences name it, beside the requests.
    let r = retouch_instruct::Reading::new("way too dark, and make it a bit warmer");
    let t = encoder_text(&r);
    assert!(
        t.starts_with(&said(&r)) && t.len() > said(&r).len() + 2,
        "{t}"
    );
    // What those words cannot say is given in the sentence's own words.
    for s in ["enhance", "make it look professional"] {
        assert_eq!(encoder_text(&retouch_instruct::Reading::new(s)), s);
    }
}
