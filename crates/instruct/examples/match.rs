//! Prints what the matcher makes of each argument (or of stdin lines):
//! `cargo run -p retouch-instruct --example match -- "warmer, lift the shadows"`
fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let lines: Vec<String> = if args.is_empty() {
        std::io::stdin().lines().map_while(Result::ok).collect()
    } else {
        args
    };
    for l in lines {
        let m = retouch_instruct::match_instruction(&l);
        let kept: Vec<String> = m.kept.iter().map(|a| a.key()).collect();
        println!(
            "{l:60} -> {:?} kept {:?} content {:?} contra {:?}",
            m.labels(),
            kept,
            m.content_edits,
            m.contradictions
        );
    }
}
