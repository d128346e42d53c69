//! The typed reading on sentences written for these tests (none is in the lexicon files or
//! the generator's phrase lists): other languages, misspellings, negation and keep, generic
//! requests, named problems, slider syntax, and sentences with nothing to do.

use retouch_instruct::language::{detect, Language};
use retouch_instruct::{Aspect, Dir, Reading};

fn labels(r: &Reading) -> Vec<String> {
    let mut v: Vec<String> = r.requests.iter().map(|q| q.target.label()).collect();
    v.sort();
    v
}

/// Labels and fixes ("fix:contrast") of a reading.
fn items(r: &Reading) -> Vec<String> {
    let mut v = labels(r);
    v.extend(r.fixes.iter().map(|f| format!("fix:{}", f.aspect.name())));
    v
}

/// Each sentence is detected as its language and read as exactly those labels.
fn read_as(cases: &[(&str, Language, &[&str])]) {
    for &(text, lang, want) in cases {
        let r = Reading::new(text);
        assert_eq!(r.language, Some(lang), "{text}: {}", r.english);
        assert_eq!(labels(&r), want.to_vec(), "{text}: {}", r.english);
    }
}

/// Each sentence is read as exactly those labels and keeps exactly that aspect.
fn read_keeping(cases: &[(&str, &[&str], Aspect)]) {
    for &(text, want, kept) in cases {
        let r = Reading::new(text);
        assert_eq!(labels(&r), want.to_vec(), "{text}: {}", r.english);
        assert_eq!(r.keep, vec![kept], "{text}: {}", r.english);
    }
}

#[test]
fn other_languages_are_read_through_the_lexicon() {
    let cases: [(&str, Language, &[&str]); 9] = [
        (
            "rends la photo plus lumineuse",
            Language::French,
            &["brightness:up"],
        ),
        (
            "Mach es ein bisschen kühler",
            Language::German,
            &["temperature:down"],
        ),
        ("ponla más oscura", Language::Spanish, &["brightness:down"]),
        ("rendila più calda", Language::Italian, &["temperature:up"]),
        (
            "deixe a foto mais escura",
            Language::Portuguese,
            &["brightness:down"],
        ),
        (
            "сделай снимок светлее",
            Language::Russian,
            &["brightness:up"],
        ),
        ("把照片调亮", Language::Chinese, &["brightness:up"]),
        ("もっと暖かくして", Language::Japanese, &["temperature:up"]),
        (
            "más contraste por favor",
            Language::Spanish,
            &["contrast:up"],
        ),
    ];
    read_as(&cases);
    assert_eq!(detect("make it warmer"), Language::English);
    assert_eq!(detect("give it a slight magenta tint"), Language::English);
}

#[test]
fn nine_more_languages_are_read_through_their_lexicons() {
    // Sentences written for this test, in forms the tables do not list whole.
    let cases: [(&str, Language, &[&str]); 12] = [
        (
            "maak de foto iets warmer",
            Language::Dutch,
            &["temperature:up"],
        ),
        (
            "gör bilden mörkare",
            Language::Swedish,
            &["brightness:down"],
        ),
        (
            "zrób zdjęcie jaśniejsze",
            Language::Polish,
            &["brightness:up"],
        ),
        (
            "mniej nasycone kolory",
            Language::Polish,
            &["saturation:down"],
        ),
        ("udělej to teplejší", Language::Czech, &["temperature:up"]),
        ("daha soğuk yap", Language::Turkish, &["temperature:down"]),
        (
            "buat fotonya lebih gelap",
            Language::Indonesian,
            &["brightness:down"],
        ),
        ("làm ảnh sáng hơn", Language::Vietnamese, &["brightness:up"]),
        ("더 밝게 해줘", Language::Korean, &["brightness:up"]),
        ("색감을 더 따뜻하게", Language::Korean, &["temperature:up"]),
        ("κάνε την πιο φωτεινή", Language::Greek, &["brightness:up"]),
        ("πιο ψυχρά χρώματα", Language::Greek, &["temperature:down"]),
    ];
    read_as(&cases);
    // A one-word English typo that is also a word of some table stays English.
    assert_eq!(detect("mor contrst plz"), Language::English);
}

#[test]
fn nordic_finnish_romanian_and_hungarian_are_read_through_their_lexicons() {
    let cases: [(&str, Language, &[&str]); 10] = [
        (
            "gjør bildet mørkere",
            Language::Norwegian,
            &["brightness:down"],
        ),
        (
            "kaldere farger takk",
            Language::Norwegian,
            &["temperature:down"],
        ),
        ("gør billedet lysere", Language::Danish, &["brightness:up"]),
        ("mere mætning tak", Language::Danish, &["saturation:up"]),
        (
            "tee siitä lämpimämpi",
            Language::Finnish,
            &["temperature:up"],
        ),
        ("kuva tummemmaksi", Language::Finnish, &["brightness:down"]),
        ("fă-o mai rece", Language::Romanian, &["temperature:down"]),
        // Typed without its diacritics.
        ("fa-o mai luminoasa", Language::Romanian, &["brightness:up"]),
        ("legyen sötétebb", Language::Hungarian, &["brightness:down"]),
        (
            "több kontrasztot kérlek",
            Language::Hungarian,
            &["contrast:up"],
        ),
    ];
    read_as(&cases);
    for (text, aspect) in [
        ("lysere, men behold fargene", Aspect::Colour),
        ("varmere, men behold lysstyrken", Aspect::Brightness),
        ("kirkkaampi, mutta säilytä värit", Aspect::Colour),
        ("mai caldă, dar păstrează luminozitatea", Aspect::Brightness),
        ("világosabb, de a színek maradjanak", Aspect::Colour),
    ] {
        let r = Reading::new(text);
        assert_eq!(r.keep, vec![aspect], "{text}: {}", r.english);
        assert!(!labels(&r).is_empty(), "{text}: {}", r.english);
    }
    // Generic requests.
    for text in [
        "forbedre bildet",
        "gør det pænere",
        "paranna kuvaa",
        "fă poza mai frumoasă",
        "tedd szebbé a képet",
    ] {
        assert!(Reading::new(text).generic, "{text}");
    }
    // English words that begin like these tables' stems stay English.
    for text in [
        "make it nostalgic",
        "contrast",
        "vibrant colours",
        "more saturation please",
    ] {
        assert_eq!(detect(text), Language::English, "{text}");
    }
}

#[test]
fn inflected_forms_and_judgements_in_other_languages() {
    for (text, want) in [
        // Plurals and genders the tables do not list.
        ("colori un po' più caldi", "temperature:up"),
        ("fotos más oscuras", "brightness:down"),
        // Hyphenated verb-pronoun pairs.
        ("donne-lui un look cinéma", "style:cinematic:up"),
        // "too" before a noun is too much of it.
        ("troppo contrasto", "fix:contrast"),
        ("demasiado contraste", "fix:contrast"),
        // Saying what the photo is.
        ("les couleurs sont ternes", "fix:saturation"),
        ("as cores estão muito saturadas", "fix:saturation"),
    ] {
        let r = Reading::new(text);
        let got = items(&r);
        assert_eq!(got, vec![want.to_string()], "{text}: {}", r.english);
    }
    let dull = Reading::new("les couleurs sont ternes");
    assert_eq!(dull.fixes[0].hint, Some(Dir::Up));
}

#[test]
fn taking_a_colour_away_moves_away_from_it() {
    for (text, want) in [
        ("get rid of the yellow", "temperature:down"),
        ("quita el amarillo", "temperature:down"),
        ("убери синеву", "temperature:up"),
        ("enlève le jaune", "temperature:down"),
        ("nimm das Gelb raus", "temperature:down"),
        ("togli il giallo", "temperature:down"),
        ("去掉黄色", "temperature:down"),
        ("黄色を取り除いて", "temperature:down"),
        ("노란색 없애줘", "temperature:down"),
        ("the skin looks too red", "tint:down@skin"),
        ("make it redder", "tint:up"),
    ] {
        let r = Reading::new(text);
        assert_eq!(labels(&r), vec![want.to_string()], "{text}: {}", r.english);
    }
}

#[test]
fn phrasal_verbs_say_which_way() {
    for (text, want) in [
        ("bring down the highlights", "highlights:down"),
        ("knock back the contrast", "contrast:down"),
        ("back off the saturation", "saturation:down"),
        ("turn down the warmth", "temperature:down"),
        ("bring up the shadows", "shadows:up"),
        ("сделай потеплее", "temperature:up"),
        ("чуть потемнее", "brightness:down"),
    ] {
        let r = Reading::new(text);
        let got = labels(&r);
        assert_eq!(got.len(), 1, "{text}: {got:?} {}", r.english);
        assert!(got[0].starts_with(want), "{text}: {got:?} {}", r.english);
    }
}

#[test]
fn judgements_and_describing_words_keep_their_meaning() {
    for (text, want) in [
        // A bare adjective after a judgement is judged too.
        ("it looks muddy and a bit flat", &["fix:contrast"][..]),
        ("too dark and flat", &["fix:brightness", "fix:contrast"][..]),
        // ... but not after a request.
        (
            "make it darker and flat",
            &["brightness:down", "contrast:down"][..],
        ),
        // "more"/"less" belongs to the adjective, not to the noun it describes.
        ("make the colours more muted", &["saturation:down"][..]),
        ("less dull colours", &["saturation:up"][..]),
        ("warmer colours", &["temperature:up"][..]),
        // A comparative is read as its word, not as the nearest other word.
        (
            "darker and moodier",
            &["brightness:down", "style:low-key:up"][..],
        ),
        // "faded" said of the photo is a judgement; asked for, a look.
        ("the whole thing looks faded", &["blacks:down"][..]),
        ("make it faded", &["blacks:up"][..]),
        // Words that mean too much without "too".
        ("the colours are garish", &["fix:saturation"][..]),
        // A colour as a quantity is asked for, not judged.
        ("add a bit of magenta", &["tint:up"][..]),
    ] {
        let r = Reading::new(text);
        let got = items(&r);
        for w in want {
            assert!(
                got.iter().any(|g| g == w),
                "{text}: {got:?} ({})",
                r.english
            );
        }
        assert!(
            !got.iter()
                .any(|g| g == "saturation:up" && text.contains("moodier")),
            "{text}: {got:?}"
        );
    }
}

#[test]
fn praise_is_not_a_request() {
    for s in [
        "it looks great as it is",
        "love it, leave it",
        "perfect as is",
    ] {
        let r = Reading::new(s);
        assert!(r.is_empty() && !r.generic, "{s}: {}", r.summary());
    }
    assert!(Reading::new("make it look great").generic);
}

#[test]
fn restraint_makes_every_change_gentler() {
    let amount = |s: &str| {
        let r = Reading::new(s);
        assert_eq!(r.requests.len(), 1, "{s}: {}", r.summary());
        assert!(r.unread.is_empty(), "{s}: {:?}", r.unread);
        r.requests[0].amount
    };
    assert_eq!(amount("brighter"), 1.0);
    assert!(amount("brighter, but don't overdo it") < 0.5);
    assert!(amount("more contrast, nothing drastic") < 0.5);
    assert!(amount("a lot warmer but keep it natural") < 1.5);
    assert!(amount("a lot warmer but keep it natural") > 0.5);
    // A word of restraint that is also a recipe word keeps the request beside it.
    let r = Reading::new("gentle warmth");
    assert!(
        r.requests
            .iter()
            .any(|q| q.target.label() == "temperature:up"),
        "{}",
        r.summary()
    );
    // Restraint alone asks for what the photo needs.
    assert!(Reading::new("make it look natural").generic);
}

#[test]
fn vague_requests_and_their_misspellings_are_generic() {
    for s in ["imporve it", "it needs something", "this one needs work"] {
        let r = Reading::new(s);
        assert!(r.generic, "{s}: {}", r.summary());
    }
}

#[test]
fn misspellings_and_texting_are_corrected() {
    for (text, want) in [
        ("make it brigter", "brightness:up"),
        ("more contrst", "contrast:up"),
        ("warmerrr pls", "temperature:up"),
        ("less saturaton", "saturation:down"),
        ("lift the shaddows", "shadows:up"),
    ] {
        let r = Reading::new(text);
        assert_eq!(labels(&r), vec![want.to_string()], "{text}: {}", r.english);
        assert!(!r.corrections.is_empty(), "{text}");
    }
    // English words are never "corrected" into retouching words.
    let r = Reading::new("my dart board");
    assert!(
        r.corrections.is_empty() && r.is_empty(),
        "{:?}",
        r.corrections
    );
}

#[test]
fn negation_and_keep_are_constraints_not_requests() {
    let r = Reading::new("don't brighten it, only warm it up");
    assert_eq!(labels(&r), vec!["temperature:up"]);
    assert_eq!(r.keep, vec![Aspect::Brightness]);
    let r = Reading::new("lighter, but leave the colours alone");
    assert_eq!(labels(&r), vec!["brightness:up"]);
    assert_eq!(r.keep, vec![Aspect::Colour]);
    let r = Reading::new("more saturated while keeping the brightness");
    assert_eq!(r.keep, vec![Aspect::Brightness]);
    let r = Reading::new("hazla más cálida, pero sin cambiar el brillo");
    assert_eq!(labels(&r), vec!["temperature:up"]);
    assert_eq!(r.keep, vec![Aspect::Brightness]);
    // Keeping alone asks for no change.
    assert!(Reading::new("keep the colours").is_empty());
}

#[test]
fn generic_requests_and_named_problems_leave_the_amount_to_the_photo() {
    for text in [
        "enhance",
        "make this picture better",
        "fix it",
        "make it look like a pro edited it",
        "améliore la photo",
        "bitte verbessern",
    ] {
        let r = Reading::new(text);
        assert!(r.generic, "{text}: {}", r.english);
        assert!(r.requests.is_empty(), "{text}: {}", r.summary());
    }
    let r = Reading::new("it's way too dark");
    assert_eq!(r.fixes.len(), 1);
    assert_eq!(r.fixes[0].aspect, Aspect::Brightness);
    assert_eq!(r.fixes[0].hint, Some(Dir::Up));
    assert!(
        r.requests.is_empty(),
        "sized by the photo, not by the network"
    );
    let r = Reading::new("fix the white balance");
    assert_eq!(r.fixes[0].aspect, Aspect::WhiteBalance);
    // A request for a look is not generic.
    assert!(!Reading::new("make it pop").generic);
}

#[test]
fn slider_settings_become_sized_requests() {
    let r = Reading::new("exposure +0.5, contrast -30");
    assert_eq!(labels(&r), vec!["brightness:up", "contrast:down"]);
    let r = Reading::new("saturation +10");
    assert!(
        (r.requests[0].amount - 0.45).abs() < 1e-6,
        "slight: {}",
        r.summary()
    );
    let r = Reading::new("+2 stops");
    assert!(
        (r.requests[0].amount - 1.8).abs() < 1e-6,
        "strong: {}",
        r.summary()
    );
    let r = Reading::new("temperature -800K");
    assert_eq!(labels(&r), vec!["temperature:down"]);
}

#[test]
fn sentences_without_photometric_meaning_are_empty_and_say_why() {
    let r = Reading::new("my aunt took this");
    assert!(r.is_empty());
    assert_eq!(r.described, vec!["my aunt took this".to_string()]);
    let r = Reading::new("blah blah aunt");
    assert!(r.is_empty());
    assert!(r.unread.contains(&"aunt".to_string()), "{:?}", r.unread);
}

#[test]
fn a_sentence_that_presents_the_photo_asks_for_nothing_even_with_scene_words() {
    for s in [
        "this is my brother at the lake",
        "a picture of our house in the snow",
        "our road trip through the desert last autumn",
        "voici mon frère à la plage",
        "das ist unser Garten im Herbst",
        "ecco la mia casa sulla spiaggia",
        "este es mi abuelo en la nieve",
        "这是我们的花园",
    ] {
        let r = Reading::new(s);
        assert!(r.is_empty(), "{s}: {}", r.summary());
        assert!(!r.described.is_empty(), "{s}");
        assert!(
            r.unread_clauses().is_empty(),
            "{s}: not for the learned reader"
        );
    }
    // A request beside the description, or a scene asked for as a look, is still read.
    let r = Reading::new("this is my dog at the lake, make it warmer");
    assert_eq!(labels(&r), vec!["temperature:up"]);
    assert!(!Reading::new("make it look like a snowy morning").is_empty());
    assert!(!Reading::new("a snowy morning mood").is_empty());
    assert!(!Reading::new("my photo of the lake is too dark").is_empty());
    assert!(!Reading::new("make my sister's skin warmer").is_empty());
    assert!(!Reading::new("rends ma photo de plage plus chaude").is_empty());
}

#[test]
fn scene_words_carry_recipes() {
    let r = Reading::new("like a foggy harbour at dawn");
    let l = labels(&r);
    assert!(
        l.contains(&"contrast:down".to_string()) && l.contains(&"blacks:up".to_string()),
        "{l:?}"
    );
    let r = Reading::new("candle-lit dinner");
    assert!(labels(&r).contains(&"temperature:up".to_string()));
    assert!(retouch_instruct::concepts::parse(include_str!("../data/concepts.txt")).is_ok());
}

#[test]
fn sizes_said_after_the_noun_name_the_problem() {
    let fix = |text: &str| {
        let r = Reading::new(text);
        assert!(r.requests.is_empty(), "{text}: {}", r.summary());
        assert_eq!(r.fixes.len(), 1, "{text}: {}", r.summary());
        (r.fixes[0].aspect, r.fixes[0].hint)
    };
    assert_eq!(
        fix("the colours are too strong"),
        (Aspect::Saturation, Some(Dir::Down))
    );
    assert_eq!(
        fix("the saturation is way too high"),
        (Aspect::Saturation, Some(Dir::Down))
    );
    assert_eq!(
        fix("the contrast is too low"),
        (Aspect::Contrast, Some(Dir::Up))
    );
    assert!(Reading::new("the colours are too strong").unread.is_empty());
    // Washed-out blacks are lifted blacks: deepen them, leave the colours alone.
    let r = Reading::new("the blacks look washed out");
    assert_eq!(labels(&r), vec!["blacks:down"], "{}", r.summary());
    assert!(r.fixes.is_empty(), "{}", r.summary());
    // Asked, not complained about: unchanged.
    assert_eq!(
        labels(&Reading::new("make the colours stronger")),
        vec!["saturation:up"]
    );
}

#[test]
fn particles_reducing_verbs_and_verb_final_keeps() {
    let l = |t: &str| labels(&Reading::new(t));
    assert_eq!(l("bring the highlights down"), vec!["highlights:down"]);
    assert_eq!(l("turn the saturation up"), vec!["saturation:up"]);
    assert_eq!(l("reduce the orange"), vec!["temperature:down"]);
    assert_eq!(l("not as saturated"), vec!["saturation:down"]);
    // A cast is a problem once, not flipped twice by the verb.
    let r = Reading::new("reduce the blue cast");
    assert_eq!(r.fixes[0].aspect, Aspect::WhiteBalance);
    assert_eq!(r.fixes[0].hint, Some(Dir::Up));
    // A tint asked for with an amount is a request, not a cast.
    assert_eq!(l("slightly greener tint"), vec!["tint:down"]);
    // German puts the verb last: the brightness is kept, not raised.
    let r = Reading::new("wärmer, aber die Helligkeit beibehalten");
    assert_eq!(labels(&r), vec!["temperature:up"], "{}", r.summary());
    assert_eq!(r.keep, vec![Aspect::Brightness]);
    // Misspellings whose nearest words tie but mean the same edit are still read.
    assert_eq!(l("make it warmr"), vec!["temperature:up"]);
    assert_eq!(l("make it coller"), vec!["temperature:down"]);
}

#[test]
fn unread_clauses_are_what_the_rules_found_nothing_in_and_absorb_adds_the_learned_reading() {
    use retouch_instruct::attr::{Dir, Target};
    use retouch_instruct::reading::{Learned, Request};
    // Fully read: nothing for the learned reader.
    assert!(Reading::new("warmer, lift the shadows")
        .unread_clauses()
        .is_empty());
    assert!(Reading::new("keep the colours").unread_clauses().is_empty());
    // One unread clause beside a read one.
    let r = Reading::new("warmer, učini je svjetlijom");
    assert_eq!(r.unread_clauses(), vec!["učini je svjetlijom".to_string()]);
    // A sentence read as nothing at all is read whole.
    let mut r = Reading::new("učini je svjetlijom");
    assert_eq!(r.unread_clauses(), vec!["učini je svjetlijom".to_string()]);
    assert!(r.is_empty());
    r.absorb(Learned {
        text: "učini je svjetlijom".into(),
        requests: vec![Request {
            target: Target::new(retouch_instruct::Attr::Brightness, Dir::Up),
            amount: 1.0,
            confidence: 0.9,
        }],
        fixes: Vec::new(),
        keep: vec![Aspect::Colour],
        generic: false,
        nothing: 0.05,
    });
    assert_eq!(labels(&r), vec!["brightness:up"]);
    assert_eq!(r.keep, vec![Aspect::Colour]);
    assert!(r
        .matched
        .targets
        .iter()
        .any(|(t, _)| t.attr == retouch_instruct::Attr::Brightness));
    assert!(r.unread.is_empty(), "{:?}", r.unread);
    assert!(r.summary().contains("learned reader"));
    assert!(r.unread_clauses().is_empty());
    // A request for an attribute the rules already set is not doubled.
    let mut r = Reading::new("warmer");
    r.absorb(learned_request(
        "x",
        retouch_instruct::Attr::Temperature,
        Dir::Down,
    ));
    assert_eq!(labels(&r), vec!["temperature:up"]);
}

#[test]
fn the_reading_in_plain_words() {
    let cases = [
        (
            "make it warmer and lift the shadows",
            "warmer, lift the shadows",
        ),
        ("rends-la plus chaude", "warmer"),
        ("a touch of magenta", "more magenta ×0.45"),
        ("deep blacks", "deeper blacks"),
        ("darken the sky", "darker in the sky"),
        ("brighter but keep the colours", "brighter, keep the colour"),
        ("make it vintage", "the vintage look"),
        ("enhance", "the corrections this photo needs"),
        ("fix the white balance", "fix the white balance"),
        ("for my aunt", "nothing"),
    ];
    for (text, plain) in cases {
        let r = Reading::new(text);
        assert_eq!(r.plain(), plain, "{text}: {}", r.summary());
    }
    // An amount other than 1 is written as a factor.
    let r = Reading::new("much warmer");
    assert!(r.plain().starts_with("warmer ×"), "{}", r.summary());
}

#[test]
fn a_region_chosen_apart_from_the_sentence_restricts_its_requests() {
    use retouch_finish::Region;
    let mut r = Reading::new("warmer and darken the sky");
    r.restrict_to(Region::Person);
    let mut got: Vec<String> = r.requests.iter().map(|q| q.target.label()).collect();
    got.sort();
    assert_eq!(got, vec!["brightness:down@sky", "temperature:up@person"]);
    assert!(r.matched.targets.iter().all(|(t, _)| t.region.is_some()));
    assert_eq!(r.plain(), "warmer in the person, darker in the sky");
}

#[test]
fn aspects_listed_after_a_keep_word_are_all_kept() {
    let r = Reading::new("more saturated, keep the brightness and the contrast");
    assert!(r.keep.contains(&Aspect::Brightness), "{}", r.summary());
    assert!(r.keep.contains(&Aspect::Contrast), "{}", r.summary());
    // A request after "and" is not kept.
    let r = Reading::new("keep the brightness and add contrast");
    assert_eq!(r.keep, vec![Aspect::Brightness]);
    assert!(
        labels(&r).contains(&"contrast:up".to_string()),
        "{}",
        r.summary()
    );
}

#[test]
fn refusals_corrections_and_restraint() {
    use retouch_instruct::Attr;
    // A refused look or change is kept off the photo; the request beside it stands.
    let r = Reading::new("I don't want it black and white, I want more colour");
    assert_eq!(labels(&r), vec!["saturation:up"], "{}", r.summary());
    assert!(r.matched.kept.contains(&Attr::Monochrome));
    let r = Reading::new("no black and white");
    assert!(r.is_empty(), "{}", r.summary());
    assert!(r.matched.kept.contains(&Attr::Monochrome));
    assert!(r.unread.is_empty(), "{:?}", r.unread);
    let r = Reading::new("not darker, brighter");
    assert_eq!(labels(&r), vec!["brightness:up"], "{}", r.summary());
    let r = Reading::new("neither darker nor brighter, just warmer");
    assert_eq!(labels(&r), vec!["temperature:up"], "{}", r.summary());
    assert!(r.unread_clauses().is_empty(), "{:?}", r.unread_clauses());
    // "not so X", "shouldn't be this X", "avoid X", "stop ... so X": the opposite of X.
    for (text, want) in [
        ("make it not so cold", "temperature:up"),
        ("not so bright please", "brightness:down"),
        ("it shouldn't be this dark", "brightness:up"),
        ("avoid the yellow look", "temperature:down"),
        ("stop making it so blue", "temperature:up"),
        ("the colours shouldn't be this loud", "saturation:down"),
        ("can you not make it so dark", "brightness:up"),
    ] {
        let r = Reading::new(text);
        assert_eq!(labels(&r), vec![want], "{text}: {}", r.summary());
        assert!(r.unread.is_empty(), "{text}: {:?}", r.unread);
    }
    // What the user dislikes is reduced; "no need to" is a constraint.
    for (text, want) in [
        ("i don't like the green", "tint:up"),
        ("i hate the yellow", "temperature:down"),
    ] {
        let r = Reading::new(text);
        assert_eq!(labels(&r), vec![want], "{text}: {}", r.summary());
        assert!(r.keep.is_empty(), "{text}: {}", r.summary());
    }
    let r = Reading::new("no need to change the contrast, just warmer");
    assert_eq!(labels(&r), vec!["temperature:up"], "{}", r.summary());
    assert_eq!(r.keep, vec![Aspect::Contrast]);
    // "not so" in the lexicon languages.
    for (text, want) in [
        ("pas si froide", "temperature:up"),
        ("nicht so hell", "brightness:down"),
        ("no tan fría", "temperature:up"),
        ("non così calda", "temperature:down"),
        ("não tão clara", "brightness:down"),
        ("не такая холодная", "temperature:up"),
        ("niet zo licht", "brightness:down"),
    ] {
        let r = Reading::new(text);
        assert_eq!(labels(&r), vec![want], "{text}: {}", r.english);
    }
    let r = Reading::new("pas plus sombre, plus chaude");
    assert_eq!(labels(&r), vec!["temperature:up"], "{}", r.english);
    assert_eq!(r.keep, vec![Aspect::Brightness]);
    // A lack said of the photo is a problem the photo sizes.
    let r = Reading::new("there's no contrast");
    assert_eq!(items(&r), vec!["fix:contrast"], "{}", r.summary());
    assert_eq!(r.fixes[0].hint, Some(Dir::Up));
    // Restraint: a little of it, not a constraint and not the opposite.
    let r = Reading::new("don't overdo the saturation, just a bit more");
    assert_eq!(labels(&r), vec!["saturation:up"], "{}", r.summary());
    assert!(r.keep.is_empty(), "{}", r.summary());
    assert!(r.requests[0].amount < 0.6, "{}", r.summary());
    let r = Reading::new("nothing too dramatic, just a bit brighter");
    assert_eq!(labels(&r), vec!["brightness:up"], "{}", r.summary());
    let r = Reading::new("brighter, but not too bright");
    assert_eq!(labels(&r), vec!["brightness:up"], "{}", r.summary());
    assert!(r.requests[0].amount < 0.6, "{}", r.summary());
    // A constraint clause is the rules' own: nothing in it goes to the learned reader.
    let r = Reading::new("more contrast without crushing the blacks");
    assert_eq!(labels(&r), vec!["contrast:up"], "{}", r.summary());
    assert!(r.matched.kept.contains(&Attr::Blacks));
    assert!(r.unread_clauses().is_empty(), "{:?}", r.unread_clauses());
    assert!(Reading::new("brighten without blowing out the highlights")
        .unread_clauses()
        .is_empty());
}

#[test]
fn the_learned_reader_does_not_undo_a_kept_attribute() {
    use retouch_instruct::reading::Learned;
    use retouch_instruct::Attr;
    let mut r = Reading::new("more contrast without crushing the blacks");
    r.absorb(learned_request(
        "without crushing the blacks",
        Attr::Blacks,
        Dir::Down,
    ));
    assert_eq!(labels(&r), vec!["contrast:up"], "{}", r.summary());
    // ... nor fix it the other way.
    let mut r = Reading::new("why is it not bright");
    r.absorb(Learned {
        text: "why is it not bright".into(),
        requests: Vec::new(),
        fixes: vec![retouch_instruct::Fix {
            aspect: Aspect::Brightness,
            hint: Some(Dir::Down),
            attr: Some(Attr::Brightness),
        }],
        keep: Vec::new(),
        generic: false,
        nothing: 0.0,
    });
    assert!(
        r.fixes.iter().all(|f| f.hint != Some(Dir::Down)),
        "{}",
        r.summary()
    );
}

/// What the learned reader would give for one full-strength request in `text`.
fn learned_request(
    text: &str,
    attr: retouch_instruct::Attr,
    dir: Dir,
) -> retouch_instruct::reading::Learned {
    retouch_instruct::reading::Learned {
        text: text.into(),
        requests: vec![retouch_instruct::Request {
            target: retouch_instruct::Target::new(attr, dir),
            amount: dir.sign(),
            confidence: 0.9,
        }],
        fixes: Vec::new(),
        keep: Vec::new(),
        generic: false,
        nothing: 0.0,
    }
}

#[test]
fn phrasal_verbs_and_verdicts_on_the_whole_photo_are_generic() {
    for text in [
        "touch it up",
        "clean this photo up a little",
        "could you tidy it up",
        "smarten this one up",
        "it looks bad, help",
        "this picture is terrible",
        "do something with it",
    ] {
        let r = Reading::new(text);
        assert!(r.generic, "{text}: {}", r.english);
        assert!(r.requests.is_empty(), "{text}: {}", r.summary());
    }
    // A phrasal verb beside an explicit request keeps the request.
    let r = Reading::new("clean it up and make it warmer");
    assert!(r.generic, "{}", r.summary());
    assert_eq!(labels(&r), vec!["temperature:up"]);
    // The particle joins its verb across a pronoun, so "warm it up" stays a request.
    assert_eq!(labels(&Reading::new("warm it up")), vec!["temperature:up"]);
    assert_eq!(
        labels(&Reading::new("cool this photo down a bit")),
        vec!["temperature:down"]
    );
}

#[test]
fn a_verdict_on_named_aspects_fixes_each_of_them() {
    let r = Reading::new("fix the colours and the lighting");
    assert_eq!(items(&r), vec!["fix:colour", "fix:brightness"]);
    let r = Reading::new("improve the lighting");
    assert_eq!(items(&r), vec!["fix:brightness"]);
    assert!(
        r.learned.is_empty() && r.unread.is_empty(),
        "{:?}",
        r.unread
    );
    let r = Reading::new("the colours look weird");
    assert_eq!(items(&r), vec!["fix:colour"]);
    // "colour" inside "colour cast" names the cast, not the colour.
    let r = Reading::new("fix the colour cast");
    assert_eq!(r.fixes.len(), 1, "{}", r.summary());
    assert_eq!(r.fixes[0].aspect, Aspect::WhiteBalance);
}

#[test]
fn praise_of_an_aspect_keeps_it() {
    let r = Reading::new("the colours are perfect, just make it brighter");
    assert_eq!(labels(&r), vec!["brightness:up"]);
    assert_eq!(r.keep, vec![Aspect::Colour]);
    let r = Reading::new("nothing wrong with the colours, just brighter");
    assert_eq!(labels(&r), vec!["brightness:up"]);
    assert_eq!(r.keep, vec![Aspect::Colour]);
    let r = Reading::new("warmer please, the contrast is fine");
    assert_eq!(labels(&r), vec!["temperature:up"]);
    assert_eq!(r.keep, vec![Aspect::Contrast]);
    // Asking for it to look good is no praise.
    assert!(Reading::new("make the colours look good").keep.is_empty());
}

#[test]
fn a_kept_colour_beside_a_white_balance_request_keeps_its_saturation() {
    let r = Reading::new("cooler, but keep the colours");
    assert_eq!(labels(&r), vec!["temperature:down"]);
    assert_eq!(r.keep, vec![Aspect::Saturation]);
    let r = Reading::new("more saturation but keep the colours");
    assert_eq!(r.keep, vec![Aspect::WhiteBalance]);
    assert!(Reading::new("black and white, keep the colours")
        .keep
        .is_empty());
}

#[test]
fn keeping_is_read_in_the_ways_other_languages_say_it() {
    let cases: [(&str, &[&str], Aspect); 6] = [
        (
            "plus de contraste en gardant la luminosité",
            &["contrast:up"],
            Aspect::Brightness,
        ),
        (
            "più contrasto ma tieni la luminosità",
            &["contrast:up"],
            Aspect::Brightness,
        ),
        (
            "mehr Sättigung, die Helligkeit so lassen",
            &["saturation:up"],
            Aspect::Brightness,
        ),
        (
            "más brillo, el contraste tal cual",
            &["brightness:up"],
            Aspect::Contrast,
        ),
        (
            "lichter, het contrast zoals het is",
            &["brightness:up"],
            Aspect::Contrast,
        ),
        ("更亮一些，对比度别动", &["brightness:up"], Aspect::Contrast),
    ];
    for (text, want, kept) in cases {
        let r = Reading::new(text);
        assert_eq!(labels(&r), want.to_vec(), "{text}: {}", r.english);
        assert_eq!(r.keep, vec![kept], "{text}: {}", r.english);
    }
}

#[test]
fn tonal_ranges_said_after_their_comparative_and_contrast_named_with_black_and_white() {
    let cases: [(&str, &[&str]); 6] = [
        ("make the blacks blacker", &["blacks:down"]),
        ("make the whites whiter", &["highlights:up"]),
        ("the highlights are blown", &["highlights:down"]),
        (
            "high contrast black and white",
            &["contrast:up", "monochrome:up"],
        ),
        ("b&w, low contrast", &["contrast:down", "monochrome:up"]),
        ("a bit more teal", &["temperature:down"]),
    ];
    for (text, want) in cases {
        let r = Reading::new(text);
        assert_eq!(labels(&r), want.to_vec(), "{text}: {}", r.english);
    }
}

#[test]
fn too_typed_as_to_and_size_words_between_a_noun_and_its_direction() {
    let cases: [(&str, &[&str]); 4] = [
        ("its to bright", &["fix:brightness"]),
        ("2 dark", &["fix:brightness"]),
        ("way to yellow", &["fix:white-balance"]),
        ("contrast a bit lower", &["contrast:down"]),
    ];
    for (text, want) in cases {
        let r = Reading::new(text);
        assert_eq!(items(&r), want.to_vec(), "{text}: {}", r.english);
    }
    // "to" before a judgement is "too" only where "too" could stand.
    assert_eq!(
        labels(&Reading::new("i want to warm it")),
        vec!["temperature:up"]
    );
    assert_eq!(Reading::new("its to bright").fixes[0].hint, Some(Dir::Down));
    assert_eq!(Reading::new("to dark").fixes[0].hint, Some(Dir::Up));
    assert_eq!(Reading::new("To dark!").fixes[0].hint, Some(Dir::Up));
    // Chinese "lower a bit" after the noun.
    assert_eq!(labels(&Reading::new("对比度低一点")), vec!["contrast:down"]);
}

#[test]
fn an_aspect_named_before_its_keep_verb_is_kept_not_asked_for() {
    let cases: [(&str, &str, Aspect); 4] = [
        (
            "もっと暖かく、明るさは変えずに",
            "temperature:up",
            Aspect::Brightness,
        ),
        (
            "mais fria, brilho igual",
            "temperature:down",
            Aspect::Brightness,
        ),
        (
            "più contrasto, i colori lasciali così",
            "contrast:up",
            Aspect::Colour,
        ),
        (
            "varmare men behåll ljusstyrkan",
            "temperature:up",
            Aspect::Brightness,
        ),
    ];
    for (text, want, kept) in cases {
        let r = Reading::new(text);
        assert_eq!(labels(&r), vec![want], "{text}: {}", r.english);
        assert_eq!(r.keep, vec![kept], "{text}: {}", r.english);
    }
    // A keep word with an aspect after it keeps that one, not the one asked for before it.
    let r = Reading::new("increase the contrast without touching the colours");
    assert_eq!(labels(&r), vec!["contrast:up"]);
    assert_eq!(r.keep, vec![Aspect::Colour]);
}

#[test]
fn a_scene_taken_away_runs_its_recipe_the_other_way() {
    for text in [
        "remove the haze",
        "less fog please",
        "it's too hazy",
        "dehaze",
    ] {
        let r = Reading::new(text);
        let l = labels(&r);
        assert!(l.contains(&"contrast:up".to_string()), "{text}: {l:?}");
        assert!(l.contains(&"blacks:down".to_string()), "{text}: {l:?}");
    }
    let l = labels(&Reading::new("make it hazy"));
    assert!(l.contains(&"contrast:down".to_string()), "{l:?}");
    assert_eq!(
        labels(&Reading::new("undo the orange")),
        vec!["temperature:down"]
    );
    assert_eq!(
        items(&Reading::new("the colors look fake")),
        vec!["fix:colour"]
    );
    assert!(Reading::new("make it look expensive").generic);
}

/// Arabic and Hindi are told by their scripts and read through their tables: Arabic's
/// conjunction, article and pronoun written onto a word, an Arabic adjective without a verb as
/// what the photo is, Hindi's verb-final order and "और" as "more".
#[test]
fn arabic_and_hindi_are_read_through_their_tables() {
    let cases: [(&str, Language, &[&str]); 10] = [
        ("اجعل الصورة أدفأ", Language::Arabic, &["temperature:up"]),
        ("قلل التشبع", Language::Arabic, &["saturation:down"]),
        (
            "أغمق الخلفية",
            Language::Arabic,
            &["brightness:down@background"],
        ),
        ("اجعلها بالأبيض والأسود", Language::Arabic, &["monochrome:up"]),
        ("والسطوع أقل", Language::Arabic, &["brightness:down"]),
        ("इसे थोड़ा गर्म करो", Language::Hindi, &["temperature:up"]),
        (
            "फोटो को और चमकदार बनाओ",
            Language::Hindi,
            &["brightness:up"],
        ),
        ("कंट्रास्ट कम करो", Language::Hindi, &["contrast:down"]),
        (
            "आसमान को और नीला करो",
            Language::Hindi,
            &["temperature:down@sky"],
        ),
        ("इसे विंटेज लुक दो", Language::Hindi, &["style:vintage:up"]),
    ];
    read_as(&cases);
    for text in ["الألوان باهتة", "रंग फीके हैं"] {
        assert_eq!(items(&Reading::new(text)), vec!["fix:saturation"], "{text}");
    }
    for text in ["الصورة مظلمة جدا", "फोटो बहुत अंधेरी है"]
    {
        assert_eq!(items(&Reading::new(text)), vec!["fix:brightness"], "{text}");
    }
    for text in ["حسن الصورة", "फोटो को बेहतर बनाओ", "फोटो ठीक कर दो"]
    {
        assert!(Reading::new(text).generic, "{text}");
    }
    read_keeping(&[
        (
            "اجعلها أفتح لكن لا تغير الألوان",
            &["brightness:up"],
            Aspect::Colour,
        ),
        (
            "أفتح بس خلي الألوان زي ما هي",
            &["brightness:up"],
            Aspect::Colour,
        ),
        (
            "चमक बढ़ाओ पर रंग वैसे ही रखो",
            &["brightness:up"],
            Aspect::Colour,
        ),
    ]);
}

/// Less of a look or of a recipe is its opposite, never more of it: "less punchy" took the
/// punchy look, "less dramatic" and "it's too dramatic" added contrast, "not so moody" read
/// nothing; "tone it down" reads as calming the photo down.
#[test]
fn less_of_a_look_or_a_recipe_goes_the_other_way() {
    for (text, want) in [
        ("less punchy", &["contrast:down", "saturation:down"][..]),
        ("a bit less pop", &["contrast:down", "saturation:down"]),
        ("not so moody", &["brightness:up", "shadows:up"]),
        ("it's too moody", &["brightness:up", "shadows:up"]),
        ("reduce the vintage look", &["blacks:down", "saturation:up"]),
        ("less golden", &["temperature:down"]),
        ("less dramatic", &["contrast:down"]),
        ("not as dramatic", &["contrast:down"]),
        ("it's too dramatic", &["contrast:down"]),
        ("less summery", &["temperature:down", "vibrance:down"]),
        ("tone it down", &["contrast:down", "saturation:down"]),
        (
            "dial it back a little",
            &["contrast:down", "saturation:down"],
        ),
        ("tone down the colours", &["saturation:down"]),
    ] {
        let r = Reading::new(text);
        assert_eq!(labels(&r), want.to_vec(), "{text}: {}", r.english);
    }
    // More of them, and restraint, as before.
    assert_eq!(
        labels(&Reading::new("make it pop")),
        vec!["style:punchy:up"]
    );
    assert_eq!(labels(&Reading::new("more dramatic")), vec!["contrast:up"]);
    assert!(labels(&Reading::new("no sepia")).is_empty());
}

/// What is kept, said the way French and German say it, and an aspect named before "without"
/// that is asked for, not kept.
#[test]
fn kept_aspects_said_as_french_and_german_say_them() {
    read_keeping(&[
        (
            "un peu plus de contraste, les couleurs doivent rester pareilles",
            &["contrast:up"][..],
            Aspect::Colour,
        ),
        (
            "plus de peps mais laisse les couleurs telles quelles",
            &["style:punchy:up"],
            Aspect::Colour,
        ),
        (
            "baisse la saturation sans assombrir",
            &["saturation:down"],
            Aspect::Brightness,
        ),
        (
            "mehr Kontrast, die Farben sollen gleich bleiben",
            &["contrast:up"],
            Aspect::Colour,
        ),
        (
            "heller machen, die Farben aber nicht anfassen",
            &["brightness:up"],
            Aspect::Colour,
        ),
        (
            "heller, der Kontrast jedoch bleibt",
            &["brightness:up"],
            Aspect::Contrast,
        ),
        (
            "reduce saturation without darkening",
            &["saturation:down"],
            Aspect::Brightness,
        ),
        (
            "brighter, but the contrast stays",
            &["brightness:up"],
            Aspect::Contrast,
        ),
    ]);
    let r = Reading::new("der Himmel blauer, der Rest bleibt wie er ist");
    assert_eq!(labels(&r), vec!["temperature:down@sky"], "{}", r.english);
}

/// Hebrew is told by its script and read through its table, prefixes split off its words.
#[test]
fn hebrew_is_read_through_its_table() {
    let cases: [(&str, Language, &[&str]); 5] = [
        (
            "תעשה את התמונה חמה יותר",
            Language::Hebrew,
            &["temperature:up"],
        ),
        ("תוריד את הרוויה", Language::Hebrew, &["saturation:down"]),
        (
            "והשמיים כחולים יותר",
            Language::Hebrew,
            &["temperature:down@sky"],
        ),
        (
            "תכהה את הרקע",
            Language::Hebrew,
            &["brightness:down@background"],
        ),
        ("מראה קולנועי", Language::Hebrew, &["style:cinematic:up"]),
    ];
    read_as(&cases);
    assert_eq!(
        items(&Reading::new("התמונה כהה מדי")),
        vec!["fix:brightness"]
    );
    assert_eq!(
        items(&Reading::new("הצבעים דהויים")),
        vec!["fix:saturation"]
    );
    assert!(Reading::new("תשפר את התמונה").generic);
    read_keeping(&[(
        "בהיר יותר אבל אל תשנה את הצבעים",
        &["brightness:up"],
        Aspect::Colour,
    )]);
}

/// "Must stay the same" said in Italian, Spanish, Dutch and Portuguese, and a Japanese keep
/// phrase before the request it leaves alone.
#[test]
fn staying_the_same_in_other_languages_is_kept() {
    read_keeping(&[
        (
            "un po' meno contrasto, la luminosità deve restare uguale",
            &["contrast:down"][..],
            Aspect::Brightness,
        ),
        (
            "un poco más cálida, el brillo tiene que quedar igual",
            &["temperature:up"],
            Aspect::Brightness,
        ),
        (
            "iets warmer, de helderheid moet hetzelfde blijven",
            &["temperature:up"],
            Aspect::Brightness,
        ),
        (
            "deixa mais quente, o brilho fica igual",
            &["temperature:up"],
            Aspect::Brightness,
        ),
        (
            "把照片调亮一点，但颜色不要变",
            &["brightness:up"],
            Aspect::Colour,
        ),
    ]);
    let r = Reading::new("色を変えずに少し暖かく");
    assert_eq!(labels(&r), vec!["temperature:up"], "{}", r.english);
    assert!(!r.keep.is_empty(), "{}", r.english);
}
