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
fn the_encoder_sees_known_phrases_for_requests_read_from_another_language() {
    use retouch_model::encoder_text;
    // A word-for-word rewrite ("warmer make") is out of the network's training; the known
    // phrase of each request is what it sees, so a foreign sentence conditions it as the
    // English one does.
    let ko = retouch_instruct::Reading::new("더 따뜻하게 해줘");
    assert_eq!(ko.english, "warmer make");
    assert_eq!(encoder_text(&ko), "make it warmer");
    let fr = retouch_instruct::Reading::new("rends-la plus sombre et plus chaude");
    assert_eq!(encoder_text(&fr), "make it darker, make it warmer");
    // A region request keeps its region in words.
    let es = retouch_instruct::Reading::new("oscurece el cielo");
    assert_eq!(encoder_text(&es), "darker in the sky");
    // Kept aspects and fixes are given in the words they were read in, beside the phrases.
    let de = retouch_instruct::Reading::new("wärmer, aber die Helligkeit beibehalten");
    let t = encoder_text(&de);
    assert!(
        t.ends_with("make it warmer") && t.contains("brightness"),
        "{t}"
    );
    // English the rules read is given as written.
    let en = retouch_instruct::Reading::new("warmer, lift the shadows");
    assert_eq!(encoder_text(&en), "warmer, lift the shadows");
}

#[test]
fn the_encoder_does_not_see_what_a_sentence_rules_out() {
    use retouch_model::encoder_text;
    // "sepia" in the embedding desaturated the photo whatever the reading said.
    let r = retouch_instruct::Reading::new("no sepia, just warmer");
    let t = encoder_text(&r);
    assert!(t.contains("warmer") && !t.contains("sepia"), "{t}");
    let r = retouch_instruct::Reading::new("brighter, not black and white");
    let t = encoder_text(&r);
    assert!(t.contains("brighter") && !t.contains("black"), "{t}");
    // Kept aspects stay in words beside the requests.
    let r = retouch_instruct::Reading::new("not darker, just cooler, keep the contrast");
    let t = encoder_text(&r);
    assert!(
        t.contains("cooler") && t.contains("keep the contrast") && !t.contains("darker"),
        "{t}"
    );
}
