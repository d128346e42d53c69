//! Cosine similarity of single foreign words to English retouching words under
//! multilingual-e5-small (top four per word): the measurement behind not glossing unknown
//! languages word by word with the encoder — antonyms are nearly as close as the right word
//! ("chladnější": warmer 0.891, cooler 0.889).
//! `cargo run --release -p retouch-text --example word_similarity -- chladnější "tối hơn"`
use retouch_text::e5::{default_dir, E5Encoder, Prefix, FILE};
fn main() -> Result<(), Box<dyn std::error::Error>> {
    let enc = E5Encoder::load(&default_dir().join(FILE))?;
    let en = [
        "warmer",
        "cooler",
        "brighter",
        "darker",
        "more contrast",
        "less contrast",
        "more saturated",
        "less saturated",
        "black and white",
        "sharper",
        "shadows",
        "highlights",
        "sky",
        "colours",
        "a little",
        "remove",
        "blue",
        "yellow",
        "green",
        "photo",
        "please",
        "make",
        "more",
        "less",
        "light",
        "dark",
        "warm",
        "cold",
        "vivid",
        "dull",
    ];
    let fo: Vec<String> = std::env::args().skip(1).collect();
    let e_en = enc.embed_batch(&en, Prefix::Query)?;
    let fr: Vec<&str> = fo.iter().map(String::as_str).collect();
    let e_fo = enc.embed_batch(&fr, Prefix::Query)?;
    for (w, e) in fr.iter().zip(&e_fo) {
        let mut s: Vec<(f32, &str)> = en
            .iter()
            .zip(&e_en)
            .map(|(n, x)| {
                (
                    x.pooled
                        .iter()
                        .zip(&e.pooled)
                        .map(|(a, b)| a * b)
                        .sum::<f32>(),
                    *n,
                )
            })
            .collect();
        s.sort_by(|a, b| b.0.total_cmp(&a.0));
        println!("{w:14} {:?}", &s[..4]);
    }
    Ok(())
}
