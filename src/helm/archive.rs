//! `.tgz` subcharts (`charts/x-1.0.0.tgz`): a gzip-compressed tar archive read in memory, within
//! budgets against decompression bombs and hostile entries: at most `max_bytes` unpacked and
//! `max_entries` entries; absolute paths and `..` components reject the archive (as Helm does);
//! links, devices and FIFOs are skipped, never created or followed; files larger than
//! `max_file` are skipped.

use std::io::Read;

/// The files of a chart archive, paths relative to the chart (its top folder dropped).
pub fn read_tgz(
    data: &[u8],
    max_bytes: u64,
    max_entries: usize,
    max_file: u64,
) -> Result<Vec<(String, Vec<u8>)>, String> {
    let mut tar = Vec::new();
    flate2::read::MultiGzDecoder::new(data)
        .take(max_bytes.saturating_add(1))
        .read_to_end(&mut tar)
        .map_err(|e| format!("not a gzip archive: {e}"))?;
    if tar.len() as u64 > max_bytes {
        return Err(format!(
            "archive larger than {} MiB unpacked",
            max_bytes >> 20
        ));
    }
    let mut out = Vec::new();
    let mut at = 0usize;
    let mut entries = 0usize;
    let mut long_name: Option<String> = None;
    while let Some(h) = tar.get(at..at + 512) {
        if h.iter().all(|&b| b == 0) {
            break;
        }
        entries += 1;
        if entries > max_entries {
            return Err(format!("archive has more than {max_entries} entries"));
        }
        if !checksum_ok(h) {
            return Err(format!("not a tar archive (bad header at byte {at})"));
        }
        let size = octal(&h[124..136]).ok_or("tar entry size not readable")?;
        let body_start = at + 512;
        let body_end = usize::try_from(size)
            .ok()
            .and_then(|s| body_start.checked_add(s))
            .filter(|&e| e <= tar.len())
            .ok_or("tar entry runs past the end of the archive")?;
        let body = &tar[body_start..body_end];
        at = body_start + (body_end - body_start).div_ceil(512) * 512;
        let name = match long_name.take() {
            Some(n) => n,
            None => header_name(h),
        };
        match h[156] {
            // GNU long name, pax header: the next entry's name.
            b'L' => long_name = Some(cstr(body)),
            b'x' => long_name = pax_path(body),
            b'0' | 0 | b'7' => {
                let path = clean(&name)?;
                // Drop the archive's top folder (`mychart/templates/a.yaml`).
                let Some((_, rel)) = path.split_once('/') else {
                    continue;
                };
                if !rel.is_empty() && size <= max_file {
                    out.push((rel.to_string(), body.to_vec()));
                }
            }
            _ => {
                // Directories, links, devices, FIFOs, global pax headers: nothing to read, but
                // the path must still be inside the archive.
                clean(&name)?;
            }
        }
    }
    Ok(out)
}

fn cstr(b: &[u8]) -> String {
    let end = b.iter().position(|&c| c == 0).unwrap_or(b.len());
    String::from_utf8_lossy(&b[..end]).into_owned()
}

fn header_name(h: &[u8]) -> String {
    let name = cstr(&h[0..100]);
    let prefix = if &h[257..262] == b"ustar" {
        cstr(&h[345..500])
    } else {
        String::new()
    };
    if prefix.is_empty() {
        name
    } else {
        format!("{prefix}/{name}")
    }
}

/// A pax header's `path` record (`"<len> path=<value>\n"`).
fn pax_path(body: &[u8]) -> Option<String> {
    let text = String::from_utf8_lossy(body);
    text.lines()
        .filter_map(|l| l.split_once(' ').map(|(_, kv)| kv))
        .find_map(|kv| kv.strip_prefix("path=").map(str::to_string))
}

/// Octal numeric field (NUL or space terminated). Base-256 values (files of 8 GiB and more)
/// are refused.
fn octal(f: &[u8]) -> Option<u64> {
    if f.first().is_some_and(|&b| b & 0x80 != 0) {
        return None;
    }
    let s: String = f
        .iter()
        .map(|&b| b as char)
        .skip_while(|c| *c == ' ')
        .take_while(|c| c.is_digit(8))
        .collect();
    if s.is_empty() {
        return Some(0);
    }
    u64::from_str_radix(&s, 8).ok()
}

fn checksum_ok(h: &[u8]) -> bool {
    let want = octal(&h[148..156]);
    let sum: u64 = h
        .iter()
        .enumerate()
        .map(|(i, &b)| {
            if (148..156).contains(&i) {
                32
            } else {
                u64::from(b)
            }
        })
        .sum();
    want == Some(sum)
}

/// The entry path, `./` removed; absolute paths and `..` refuse the archive.
fn clean(name: &str) -> Result<String, String> {
    let n = name.replace('\\', "/");
    if n.starts_with('/') || n.as_bytes().get(1) == Some(&b':') {
        return Err(format!("archive holds an absolute path: {name:?}"));
    }
    let parts: Vec<&str> = n
        .split('/')
        .filter(|p| !p.is_empty() && *p != ".")
        .collect();
    if parts.contains(&"..") {
        return Err(format!("archive holds a path outside it: {name:?}"));
    }
    Ok(parts.join("/"))
}

/// Archives built in memory, for tests (unit and integration) that need a packed chart.
#[doc(hidden)]
pub mod pack {
    use std::io::Write;

    /// A tar entry (ustar header, `kind` the type flag: `b'0'` a file, `b'5'` a folder).
    pub fn entry(name: &str, kind: u8, data: &[u8]) -> Vec<u8> {
        let mut h = [0u8; 512];
        h[..name.len()].copy_from_slice(name.as_bytes());
        h[100..107].copy_from_slice(b"0000644");
        h[124..135].copy_from_slice(format!("{:011o}", data.len()).as_bytes());
        h[156] = kind;
        h[257..263].copy_from_slice(b"ustar\0");
        h[263..265].copy_from_slice(b"00");
        h[148..156].copy_from_slice(b"        ");
        let sum: u32 = h.iter().map(|&b| u32::from(b)).sum();
        h[148..155].copy_from_slice(format!("{sum:06o}\0").as_bytes());
        let mut out = h.to_vec();
        out.extend_from_slice(data);
        out.resize(out.len().div_ceil(512) * 512, 0);
        out
    }

    /// `tar` (entries) ended and gzipped.
    pub fn gz(tar: &[u8]) -> Vec<u8> {
        let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        // Writing to memory does not fail.
        let _ = e.write_all(tar);
        let _ = e.write_all(&[0u8; 1024]);
        e.finish().unwrap_or_default()
    }

    /// A `.tgz` of the files of folder `dir` (recursively) under the top folder `top`, as
    /// `helm package` lays a chart out.
    pub fn tgz_of_dir(dir: &std::path::Path, top: &str) -> std::io::Result<Vec<u8>> {
        let mut tar = Vec::new();
        let mut todo = vec![(dir.to_path_buf(), top.to_string())];
        while let Some((d, name)) = todo.pop() {
            let mut entries: Vec<_> = std::fs::read_dir(&d)?.flatten().collect();
            entries.sort_by_key(|e| e.file_name());
            for e in entries {
                let n = format!("{name}/{}", e.file_name().to_string_lossy());
                if e.file_type()?.is_dir() {
                    todo.push((e.path(), n));
                } else {
                    tar.extend(entry(&n, b'0', &std::fs::read(e.path())?));
                }
            }
        }
        Ok(gz(&tar))
    }
}

#[cfg(test)]
pub mod tests {
    use super::pack::{entry, gz};
    use super::*;

    #[test]
    fn reads_files_and_refuses_escapes_and_bombs() {
        let mut t = entry("c/Chart.yaml", b'0', b"name: c\n");
        t.extend(entry("c/templates", b'5', b""));
        t.extend(entry("c/link", b'2', b""));
        t.extend(entry("./c/templates/a.yaml", b'0', b"a: 1\n"));
        let files = read_tgz(&gz(&t), 1 << 20, 10, 1 << 20).unwrap();
        assert_eq!(
            files,
            [
                ("Chart.yaml".to_string(), b"name: c\n".to_vec()),
                ("templates/a.yaml".to_string(), b"a: 1\n".to_vec())
            ]
        );
        // Entry count, unpacked size, paths.
        assert!(
            read_tgz(&gz(&t), 1 << 20, 2, 1 << 20)
                .unwrap_err()
                .contains("more than 2 entries")
        );
        let big = gz(&entry("c/zeros", b'0', &vec![0u8; 4 << 20]));
        assert!(big.len() < 64 << 10);
        assert!(
            read_tgz(&big, 1 << 20, 10, 8 << 20)
                .unwrap_err()
                .contains("larger than 1 MiB")
        );
        for bad in ["/etc/passwd", "c/../../x", "c/templates/../../y"] {
            let e = read_tgz(&gz(&entry(bad, b'0', b"x")), 1 << 20, 10, 1 << 20).unwrap_err();
            assert!(e.contains("path"), "{bad}: {e}");
        }
        assert!(read_tgz(b"not gzip", 1 << 20, 10, 1 << 20).is_err());
        let mut corrupt = entry("c/a", b'0', b"x");
        corrupt[0] = b'd';
        assert!(
            read_tgz(&gz(&corrupt), 1 << 20, 10, 1 << 20)
                .unwrap_err()
                .contains("not a tar archive")
        );
    }
}
