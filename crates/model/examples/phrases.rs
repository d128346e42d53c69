//! Writes `models/retouch/phrases.safetensors`: the sentence embeddings of the similarity
//! reader's phrases (`retouch_model::reading::phrases`), so `retouch edit` need not encode them
//! on first use. Rerun after changing the phrase list:
//!
//!     cargo run --release -p retouch-model --example phrases

use retouch_model::reading::Reader;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let text = retouch_text::TextEncoder::load(&retouch_text::default_dir())?;
    let reader = Reader::new(|p| text.encode(p).map(|e| e.pooled))?;
    let path = retouch_model::default_model_path().with_file_name("phrases.safetensors");
    retouch_io::write_atomic(&path, &reader.to_bytes(), true)?;
    println!("wrote {}", path.display());
    Ok(())
}
