//! What the shipped model's text stage makes of sentences: the matcher's attributes and the
//! similarity readings of the clauses it cannot read, and the text the network's encoder sees.
//! `cargo run --release -p retouch-model --example read -- "warmer, like a sunny afternoon"`.

use retouch_model::{default_model_path, Retoucher};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let r = Retoucher::load(&default_model_path(), &retouch_text::default_dir())?;
    for sentence in std::env::args().skip(1) {
        let enc = r.encode(&sentence)?;
        println!("{sentence:?}: {:?}", enc.matched.labels());
        println!("    encoder text: {:?}", enc.text);
        for (t, _) in enc.pass_texts.iter().flatten() {
            println!("    pass text: {t:?}");
        }
        for (clause, reading) in &enc.readings {
            println!(
                "    {clause:?} -> {} (\"{}\", cosine {:.2})",
                reading.target.label(),
                reading.phrase,
                reading.similarity
            );
        }
    }
    Ok(())
}
