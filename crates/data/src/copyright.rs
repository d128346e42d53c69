//! Debian machine-readable copyright files (DEP-5): which licence covers which file.

/// One `Files:` stanza.
#[derive(Clone, Debug, PartialEq)]
pub struct Stanza {
    pub patterns: Vec<String>,
    pub copyright: String,
    pub license: String,
}

/// Parse the stanzas of a DEP-5 file (the header paragraph and stand-alone licence texts are
/// skipped).
pub fn parse(text: &str) -> Vec<Stanza> {
    let mut out = Vec::new();
    for para in text.split("\n\n") {
        let mut fields: Vec<(String, String)> = Vec::new();
        for line in para.lines() {
            if line.starts_with(' ') || line.starts_with('\t') {
                if let Some(last) = fields.last_mut() {
                    last.1.push('\n');
                    last.1.push_str(line.trim());
                }
            } else if let Some((k, v)) = line.split_once(':') {
                fields.push((k.trim().to_ascii_lowercase(), v.trim().to_string()));
            }
        }
        let get = |k: &str| fields.iter().find(|f| f.0 == k).map(|f| f.1.clone());
        if let (Some(files), Some(license)) = (get("files"), get("license")) {
            out.push(Stanza {
                patterns: files.split_whitespace().map(str::to_string).collect(),
                copyright: get("copyright")
                    .unwrap_or_default()
                    .lines()
                    .next()
                    .unwrap_or("")
                    .to_string(),
                license: license.lines().next().unwrap_or("").trim().to_string(),
            });
        }
    }
    out
}

/// DEP-5 glob: `*` matches any run of characters (also `/`), `?` one character.
pub fn glob_match(pattern: &str, path: &str) -> bool {
    let (p, s): (Vec<char>, Vec<char>) = (pattern.chars().collect(), path.chars().collect());
    let (mut pi, mut si, mut star, mut mark) = (0, 0, None, 0);
    while si < s.len() {
        if pi < p.len() && (p[pi] == '?' || p[pi] == s[si]) {
            pi += 1;
            si += 1;
        } else if pi < p.len() && p[pi] == '*' {
            star = Some(pi);
            mark = si;
            pi += 1;
        } else if let Some(st) = star {
            pi = st + 1;
            mark += 1;
            si = mark;
        } else {
            return false;
        }
    }
    while pi < p.len() && p[pi] == '*' {
        pi += 1;
    }
    pi == p.len()
}

/// The stanza covering `path` (the last matching stanza wins, as DEP-5 specifies).
pub fn lookup<'a>(stanzas: &'a [Stanza], path: &str) -> Option<&'a Stanza> {
    stanzas
        .iter()
        .rev()
        .find(|s| s.patterns.iter().any(|p| glob_match(p, path)))
}

#[cfg(test)]
mod tests {
    use super::*;

    const SAMPLE: &str = "Format: https://example/dep5\nUpstream-Name: x\n\nFiles: *\nCopyright: Somebody\nLicense: GPL-3+\n\nFiles: src/activities/erase/resource/*.webp\n       src/other/a.png\nCopyright: 2010 A Photographer\n           2011 Another\nLicense: CC-BY-SA-3.0\nComment: https://commons\n\nFiles: src/activities/erase/resource/bee.webp\nCopyright: Bee Person\nLicense: public-domain\n\nLicense: GPL-3+\n Long text\n";

    #[test]
    fn last_matching_stanza_wins() {
        let s = parse(SAMPLE);
        assert_eq!(s.len(), 3);
        assert_eq!(
            lookup(&s, "src/activities/erase/resource/bee.webp")
                .unwrap()
                .license,
            "public-domain"
        );
        let calf = lookup(&s, "src/activities/erase/resource/calf.webp").unwrap();
        assert_eq!(
            (calf.license.as_str(), calf.copyright.as_str()),
            ("CC-BY-SA-3.0", "2010 A Photographer")
        );
        assert_eq!(
            lookup(&s, "src/other/a.png").unwrap().license,
            "CC-BY-SA-3.0"
        );
        assert_eq!(lookup(&s, "README").unwrap().license, "GPL-3+");
    }

    #[test]
    fn globs() {
        assert!(glob_match("a/*/c.png", "a/b/x/c.png"));
        assert!(glob_match("*.jpg", "dir/x.jpg"));
        assert!(!glob_match("*.jpg", "dir/x.png"));
        assert!(glob_match("f?sh.png", "fish.png"));
    }
}

/// The stanza for an installed file whose path in the copyright file may be relative to some
/// other root (a source tree, a version folder): tries every suffix of `path` against the
/// specific patterns, then the file name against the last component of each pattern, and only
/// then the catch-all patterns.
pub fn lookup_installed<'a>(stanzas: &'a [Stanza], path: &str) -> Option<&'a Stanza> {
    // Packages often ship images converted from the listed source (a .jpg listed, a .webp
    // installed): try the path with each image extension too.
    const IMAGE_EXT: [&str; 5] = ["jpg", "jpeg", "png", "webp", "svg"];
    if let Some((stem, ext)) = path.rsplit_once('.') {
        if IMAGE_EXT.contains(&ext.to_ascii_lowercase().as_str()) {
            for e in std::iter::once(ext).chain(IMAGE_EXT.iter().copied().filter(|e| *e != ext)) {
                if let Some(s) = lookup_specific(stanzas, &format!("{stem}.{e}")) {
                    return Some(s);
                }
            }
            return lookup(stanzas, path);
        }
    }
    lookup_specific(stanzas, path).or_else(|| lookup(stanzas, path))
}

/// Suffix, then file-name match against non-catch-all patterns.
fn lookup_specific<'a>(stanzas: &'a [Stanza], path: &str) -> Option<&'a Stanza> {
    let specific = |s: &&Stanza| s.patterns.iter().any(|p| p != "*");
    let parts: Vec<&str> = path.split('/').collect();
    for i in 0..parts.len() {
        let suffix = parts[i..].join("/");
        if let Some(s) = stanzas.iter().rev().filter(specific).find(|s| {
            s.patterns
                .iter()
                .any(|p| p != "*" && glob_match(p, &suffix))
        }) {
            return Some(s);
        }
    }
    let name = parts.last().copied().unwrap_or("");
    stanzas.iter().rev().find(|s| {
        s.patterns
            .iter()
            .any(|p| !p.contains('*') && p.rsplit('/').next() == Some(name))
    })
}

#[cfg(test)]
mod installed_tests {
    use super::*;

    #[test]
    fn finds_stanzas_by_suffix_name_or_catch_all() {
        let s = parse("Files: *\nCopyright: Intel\nLicense: Apache-2.0\n\nFiles: 16.04/Dune.jpg\nCopyright: Marco\nLicense: CC-BY-4.0\n\nFiles: src/activities/erase/resource/*\nCopyright: P\nLicense: CC0-1.0\n");
        assert_eq!(
            lookup_installed(&s, "usr/share/backgrounds/Dune.jpg")
                .unwrap()
                .license,
            "CC-BY-4.0"
        );
        assert_eq!(
            lookup_installed(&s, "gcompris/src/activities/erase/resource/bee.webp")
                .unwrap()
                .license,
            "CC0-1.0"
        );
        assert_eq!(
            lookup_installed(&s, "usr/share/doc/opencv-doc/examples/data/fruits.jpg")
                .unwrap()
                .license,
            "Apache-2.0"
        );
        let t = parse("Files: *\nCopyright: X\nLicense: GPL-3+\n\nFiles: src/a/fish1.jpg\nCopyright: F\nLicense: public-domain\n");
        assert_eq!(
            lookup_installed(&t, "gcompris/src/a/fish1.webp")
                .unwrap()
                .license,
            "public-domain"
        );
    }
}
