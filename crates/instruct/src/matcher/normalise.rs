//! Normalisation of an instruction's text before matching: case, British spelling,
//! punctuation as its own token.

/// Lowercase, unify spelling and punctuation; words separated by single spaces, with
/// clause punctuation kept as its own token.
pub fn normalise(text: &str) -> String {
    let mut s = text.to_lowercase();
    for (a, b) in [
        ("colour", "color"),
        ("grey", "gray"),
        ("b&w", "black and white"),
        ("b/w", "black and white"),
        ("w/o", "without"),
        ("w/", "with"),
        ("&", " and "),
        ("high-key", "high key"),
        ("low-key", "low key"),
        ("over-exposed", "overexposed"),
        ("under-exposed", "underexposed"),
        ("'", " "),
        ("\u{2019}", " "),
        ("+", " + "),
    ] {
        s = s.replace(a, b);
    }
    // A hyphen inside a word joins words ("travel-magazine"); elsewhere it means "less".
    let chars: Vec<char> = s.chars().collect();
    let mut h = String::with_capacity(s.len());
    for (i, &ch) in chars.iter().enumerate() {
        if ch == '-' {
            let joined = i > 0
                && i + 1 < chars.len()
                && chars[i - 1].is_alphanumeric()
                && chars[i + 1].is_alphanumeric();
            h.push_str(if joined { " " } else { " - " });
        } else {
            h.push(ch);
        }
    }
    let s = h;
    let mut out = String::with_capacity(s.len());
    for ch in s.chars() {
        if ch.is_alphanumeric() || ch == ' ' || ch == '+' || ch == '-' {
            out.push(ch);
        } else if matches!(
            ch,
            ',' | ';' | '.' | '!' | '?' | ':' | '/' | '(' | ')' | '\n'
        ) {
            out.push_str(" , ");
        } else {
            out.push(' ');
        }
    }
    particles_forward(&out.split_whitespace().collect::<Vec<_>>()).join(" ")
}

/// What a phrasal verb's particle may be separated from it by: the photo or a pronoun.
const PHRASAL_OBJECTS: &[&[&str]] = &[
    &["it"],
    &["this"],
    &["that"],
    &["them"],
    &["everything"],
    &["things"],
    &["the", "photo"],
    &["the", "picture"],
    &["the", "image"],
    &["the", "pic"],
    &["the", "shot"],
    &["this", "photo"],
    &["this", "picture"],
    &["this", "image"],
    &["this", "pic"],
    &["this", "shot"],
    &["this", "one"],
    &["my", "photo"],
    &["my", "picture"],
    &["the", "whole", "thing"],
];

/// "touch it up", "tone this photo down": the particle moved next to its verb ("touch up
/// it"), so that the phrasal verb reads as one phrase whatever stands between.
fn particles_forward<'a>(tokens: &[&'a str]) -> Vec<&'a str> {
    let mut out: Vec<&'a str> = tokens.to_vec();
    let mut i = 1;
    while i < out.len() {
        let moved = PHRASAL_OBJECTS.iter().find_map(|obj| {
            let end = i + obj.len();
            let particle = *out.get(end)?;
            let fits = out[i..end] == **obj
                && matches!(particle, "up" | "down")
                && out[i - 1].chars().all(char::is_alphabetic);
            fits.then_some(end)
        });
        if let Some(end) = moved {
            let particle = out.remove(end);
            out.insert(i, particle);
        }
        i += 1;
    }
    out
}
