//! Reader for Qt binary resource files (`.rcc`, magic `qres`), where GCompris keeps its images.
//!
//! Layout (big-endian): magic, version, tree offset, data offset, names offset, and from
//! version 3 a flags word. Tree nodes are 14 bytes (+8 for a modification time from version 2):
//! name offset (u32), flags (u16), then for a directory child count (u32) and first child index
//! (u32), for a file country (u16), language (u16) and data offset (u32). A name is a u16
//! length, a u32 hash, then UTF-16BE. File data is a u32 size then bytes; flag 1 means zlib
//! behind a 4-byte uncompressed size, flag 4 means zstd (not supported here).

use crate::DataError;
use std::io::Read;

const COMPRESSED: u16 = 1;
const DIRECTORY: u16 = 2;
const COMPRESSED_ZSTD: u16 = 4;

/// One file in a resource archive.
#[derive(Clone, Debug, PartialEq)]
pub struct Entry {
    /// Path inside the archive, `/`-separated, without a leading slash.
    pub path: String,
    pub data: Vec<u8>,
}

struct Reader<'a> {
    b: &'a [u8],
}

impl Reader<'_> {
    fn u16(&self, at: usize) -> Result<u16, DataError> {
        let s = self.b.get(at..at + 2).ok_or_else(|| bad("truncated"))?;
        Ok(u16::from_be_bytes([s[0], s[1]]))
    }
    fn u32(&self, at: usize) -> Result<u32, DataError> {
        let s = self.b.get(at..at + 4).ok_or_else(|| bad("truncated"))?;
        Ok(u32::from_be_bytes([s[0], s[1], s[2], s[3]]))
    }
}

fn bad(msg: &str) -> DataError {
    DataError::Rcc(msg.to_string())
}

/// Every file in the archive.
pub fn read(bytes: &[u8]) -> Result<Vec<Entry>, DataError> {
    if bytes.get(0..4) != Some(b"qres") {
        return Err(bad("not a Qt resource file (no `qres` magic)"));
    }
    let r = Reader { b: bytes };
    let version = r.u32(4)?;
    if !(1..=3).contains(&version) {
        return Err(bad(&format!("unsupported version {version}")));
    }
    let (tree, data, names) = (r.u32(8)? as usize, r.u32(12)? as usize, r.u32(16)? as usize);
    let node_size = if version >= 2 { 22 } else { 14 };
    let name_of = |node: usize| -> Result<String, DataError> {
        let off = names + r.u32(tree + node * node_size)? as usize;
        let len = r.u16(off)? as usize;
        let start = off + 6;
        let raw = bytes
            .get(start..start + 2 * len)
            .ok_or_else(|| bad("name out of range"))?;
        let units: Vec<u16> = raw
            .chunks(2)
            .map(|c| u16::from_be_bytes([c[0], c[1]]))
            .collect();
        String::from_utf16(&units).map_err(|_| bad("name is not UTF-16"))
    };
    let mut out = Vec::new();
    // (node index, path prefix); the root is node 0, a directory with an empty name.
    let mut stack = vec![(0usize, String::new(), 0usize)];
    let total_nodes = (data.min(names).saturating_sub(tree)) / node_size;
    while let Some((node, prefix, depth)) = stack.pop() {
        if depth > 64 || node > total_nodes.max(1) * 4 + 1_000_000 {
            return Err(bad("tree too deep or corrupt"));
        }
        let base = tree + node * node_size;
        let flags = r.u16(base + 4)?;
        let name = if node == 0 {
            String::new()
        } else {
            name_of(node)?
        };
        let path = if prefix.is_empty() {
            name
        } else {
            format!("{prefix}/{name}")
        };
        if flags & DIRECTORY != 0 {
            let count = r.u32(base + 6)? as usize;
            let first = r.u32(base + 10)? as usize;
            if count > 1_000_000 {
                return Err(bad("implausible child count"));
            }
            for c in 0..count {
                stack.push((first + c, path.clone(), depth + 1));
            }
        } else {
            let off = data + r.u32(base + 10)? as usize;
            let size = r.u32(off)? as usize;
            let raw = bytes
                .get(off + 4..off + 4 + size)
                .ok_or_else(|| bad("data out of range"))?;
            let content = if flags & COMPRESSED_ZSTD != 0 {
                return Err(bad(&format!(
                    "{path}: zstd-compressed entries are not supported"
                )));
            } else if flags & COMPRESSED != 0 {
                let expect = raw.get(0..4).ok_or_else(|| bad("truncated"))?;
                let expect =
                    u32::from_be_bytes([expect[0], expect[1], expect[2], expect[3]]) as usize;
                let mut v = Vec::with_capacity(expect.min(1 << 28));
                flate2::read::ZlibDecoder::new(&raw[4..])
                    .read_to_end(&mut v)
                    .map_err(|e| bad(&format!("{path}: {e}")))?;
                v
            } else {
                raw.to_vec()
            };
            out.push(Entry {
                path,
                data: content,
            });
        }
    }
    out.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(out)
}

/// Build a version-2 archive (used by tests and to document the format).
pub fn write_v2(files: &[(&str, &[u8], bool)]) -> Vec<u8> {
    // A flat archive: root directory with every file as a direct child.
    let mut names = Vec::new();
    let mut name_off = Vec::new();
    for (n, _, _) in files {
        name_off.push(names.len() as u32);
        let units: Vec<u16> = n.encode_utf16().collect();
        names.extend((units.len() as u16).to_be_bytes());
        names.extend(0u32.to_be_bytes());
        for u in units {
            names.extend(u.to_be_bytes());
        }
    }
    let mut data = Vec::new();
    let mut data_off = Vec::new();
    for (_, content, compress) in files {
        data_off.push(data.len() as u32);
        let payload = if *compress {
            let mut e = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
            std::io::Write::write_all(&mut e, content).expect("in-memory write");
            let z = e.finish().expect("in-memory write");
            let mut p = (content.len() as u32).to_be_bytes().to_vec();
            p.extend(z);
            p
        } else {
            content.to_vec()
        };
        data.extend((payload.len() as u32).to_be_bytes());
        data.extend(payload);
    }
    let mut tree = Vec::new();
    // root
    tree.extend(0u32.to_be_bytes());
    tree.extend(DIRECTORY.to_be_bytes());
    tree.extend((files.len() as u32).to_be_bytes());
    tree.extend(1u32.to_be_bytes());
    tree.extend(0u64.to_be_bytes());
    for (i, (_, _, compress)) in files.iter().enumerate() {
        tree.extend(name_off[i].to_be_bytes());
        tree.extend((if *compress { COMPRESSED } else { 0 }).to_be_bytes());
        tree.extend(0u16.to_be_bytes());
        tree.extend(0u16.to_be_bytes());
        tree.extend(data_off[i].to_be_bytes());
        tree.extend(0u64.to_be_bytes());
    }
    let header = 20u32;
    let tree_at = header;
    let data_at = tree_at + tree.len() as u32;
    let names_at = data_at + data.len() as u32;
    let mut out = b"qres".to_vec();
    for v in [2u32, tree_at, data_at, names_at] {
        out.extend(v.to_be_bytes());
    }
    out.extend(tree);
    out.extend(data);
    out.extend(names);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_what_it_writes_compressed_or_not() {
        let a = b"plain bytes".to_vec();
        let b: Vec<u8> = (0..5000u32).map(|i| (i % 7) as u8).collect();
        let bytes = write_v2(&[("a.txt", &a, false), ("img.webp", &b, true)]);
        let entries = read(&bytes).unwrap();
        assert_eq!(
            entries,
            vec![
                Entry {
                    path: "a.txt".into(),
                    data: a
                },
                Entry {
                    path: "img.webp".into(),
                    data: b
                },
            ]
        );
    }

    #[test]
    fn rejects_garbage_and_truncation() {
        assert!(read(b"nope").is_err());
        let bytes = write_v2(&[("x", b"12345", true)]);
        for cut in [4, 10, 30, bytes.len() - 3] {
            assert!(read(&bytes[..cut]).is_err(), "cut {cut}");
        }
    }
}
