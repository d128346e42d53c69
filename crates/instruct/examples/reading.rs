//! Prints the typed reading of each argument (or of stdin lines):
//! `cargo run -p retouch-instruct --example reading -- "rends-la plus chaude"`
fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let lines: Vec<String> = if args.is_empty() {
        std::io::stdin().lines().map_while(Result::ok).collect()
    } else {
        args
    };
    for l in lines {
        let r = retouch_instruct::Reading::new(&l);
        println!(
            "{l:50} -> {} | lang {:?} | en {:?} | unread {:?}",
            r.summary(),
            r.language.map(|l| l.code()),
            r.english,
            r.unread
        );
    }
}
