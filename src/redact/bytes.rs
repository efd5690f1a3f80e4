//! Bytes in and out: decoding a whole input and encoding the redacted text back the way it
//! came (UTF-8 with or without BOM, UTF-16 LE/BE with BOM, Windows-1252), digests, and the
//! atomic write every copy goes through (temp file in the destination directory, then a
//! rename, with permission bits no looser than the source's).

use std::io::{self, Read, Write};
use std::path::Path;

use sha2::{Digest, Sha256};

use crate::input::decode::{Decoder, Sniffed, TextEncoding};

/// Hex SHA-256.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// Hex SHA-256 of a file, read in pieces (a file left out of the copy is never read whole).
pub fn sha256_file(path: &std::path::Path) -> io::Result<String> {
    let mut h = Sha256::new();
    let mut f = std::fs::File::open(path)?;
    io::copy(&mut f, &mut h)?;
    Ok(hex::encode(h.finalize()))
}

/// Decodes a whole input: text, encoding and whether it had a byte-order mark; `None` if binary.
pub fn decode_whole(raw: &[u8]) -> io::Result<Option<(Vec<u8>, TextEncoding, bool)>> {
    match Decoder::sniff(raw)? {
        Sniffed::Binary { .. } => Ok(None),
        Sniffed::Text(mut d) => {
            let enc = d.encoding();
            let mut out = Vec::with_capacity(raw.len());
            d.read_to_end(&mut out)?;
            let bom = match enc {
                TextEncoding::Utf8 => raw.starts_with(&[0xEF, 0xBB, 0xBF]),
                TextEncoding::Utf16Le => raw.starts_with(&[0xFF, 0xFE]),
                TextEncoding::Utf16Be => raw.starts_with(&[0xFE, 0xFF]),
                TextEncoding::Windows1252 => false,
            };
            Ok(Some((out, enc, bom)))
        }
    }
}

/// Encodes decoded text back into `enc` (see the module docs).
pub fn encode(text: &[u8], enc: TextEncoding, bom: bool) -> Result<Vec<u8>, String> {
    let as_str = || {
        std::str::from_utf8(text).map_err(|_| {
            format!(
                "redacted text is not valid UTF-8; cannot write it as {}",
                enc.as_str()
            )
        })
    };
    Ok(match enc {
        TextEncoding::Utf8 => {
            let mut v = Vec::with_capacity(text.len() + 3);
            if bom {
                v.extend_from_slice(&[0xEF, 0xBB, 0xBF]);
            }
            v.extend_from_slice(text);
            v
        }
        TextEncoding::Utf16Le | TextEncoding::Utf16Be => {
            let be = enc == TextEncoding::Utf16Be;
            let s = as_str()?;
            let mut v = Vec::with_capacity(s.len() * 2 + 2);
            if bom {
                v.extend_from_slice(if be { &[0xFE, 0xFF] } else { &[0xFF, 0xFE] });
            }
            for u in s.encode_utf16() {
                v.extend_from_slice(&if be { u.to_be_bytes() } else { u.to_le_bytes() });
            }
            v
        }
        TextEncoding::Windows1252 => {
            let (bytes, _, unmappable) = encoding_rs::WINDOWS_1252.encode(as_str()?);
            if unmappable {
                return Err("redacted text has characters Windows-1252 cannot hold".into());
            }
            bytes.into_owned()
        }
    })
}

#[cfg(unix)]
pub(super) fn file_mode(meta: &std::fs::Metadata) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    meta.permissions().mode() & 0o777
}

#[cfg(not(unix))]
pub(super) fn file_mode(_: &std::fs::Metadata) -> u32 {
    0o600
}

/// Writes `bytes` to `path` atomically (a temporary file in the same directory, renamed), with
/// permission bits `mode` (the source's, so the copy is never looser than it).
pub fn write_atomic_mode(path: &Path, bytes: &[u8], mode: u32) -> io::Result<()> {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    std::fs::create_dir_all(dir)?;
    let mut tmp = tempfile::Builder::new()
        .prefix(".piiscan-redact-")
        .suffix(".tmp")
        .tempfile_in(dir)?;
    tmp.write_all(bytes)?;
    tmp.as_file().sync_all()?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        tmp.as_file()
            .set_permissions(std::fs::Permissions::from_mode(mode))?;
    }
    #[cfg(not(unix))]
    let _ = mode;
    tmp.persist(path).map_err(|e| e.error)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encodings_round_trip() {
        let s = "name,x\nJürgen,1\r\n";
        for (enc, bom) in [
            (TextEncoding::Utf8, false),
            (TextEncoding::Utf8, true),
            (TextEncoding::Utf16Le, true),
            (TextEncoding::Utf16Be, true),
            (TextEncoding::Windows1252, false),
        ] {
            let raw = encode(s.as_bytes(), enc, bom).unwrap();
            let (text, e2, b2) = decode_whole(&raw).unwrap().unwrap();
            assert_eq!(
                (text.as_slice(), e2, b2),
                (s.as_bytes(), enc, bom),
                "{enc:?}"
            );
        }
    }
}
