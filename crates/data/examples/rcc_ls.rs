//! Lists (and with a folder argument, extracts) the files in a Qt resource archive:
//! `cargo run -p retouch-data --example rcc_ls -- FILE.rcc [OUTDIR]`
fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let path = args.get(1).ok_or("usage: rcc_ls FILE.rcc [OUTDIR]")?;
    for e in retouch_data::rcc::read(&std::fs::read(path)?)? {
        println!("{}\t{}", e.data.len(), e.path);
        if let Some(dir) = args.get(2) {
            let p = std::path::Path::new(dir).join(&e.path);
            std::fs::create_dir_all(p.parent().ok_or("path")?)?;
            std::fs::write(p, &e.data)?;
        }
    }
    Ok(())
}
