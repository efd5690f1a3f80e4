//! Decoding: raw bytes → text bytes the rest of the pipeline can search, streamed.
//!
//! [`Decoder::sniff`] reads the first block of an input and decides what it is:
//!
//! * a UTF-8 BOM, or text that is valid UTF-8 (or mostly so) — **passed through byte for byte**.
//!   Invalid UTF-8 sequences stay as they are, so every line/column (bytes) is exactly the
//!   input's. Every PII token piiscan matches is ASCII, so nothing is lost by not transcoding.
//! * a UTF-16 LE/BE BOM, or BOM-less UTF-16 recognised by its pattern of NUL bytes (Excel
//!   "Unicode text" exports) — transcoded to UTF-8 with `encoding_rs`; positions are then in the
//!   UTF-8 text.
//! * text that is not UTF-8 at all and has no valid multi-byte sequence (Latin-1 /
//!   Windows-1252 exports) — transcoded from Windows-1252.
//! * anything else with a NUL byte in the first block — **binary**: skipped with that reason.
//!
//! The decoder then implements [`BufRead`] over the decoded text with a fixed-size buffer, so
//! memory stays bounded whatever the input's size.

use std::io::{self, BufRead, Read};

use encoding_rs::{UTF_16BE, UTF_16LE, WINDOWS_1252};

/// Bytes inspected to decide encoding and binary-ness.
pub const SNIFF_LEN: usize = 64 * 1024;
/// Raw bytes read per refill.
const READ_LEN: usize = 256 * 1024;

/// The encoding an input was read with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TextEncoding {
    /// UTF-8 (or ASCII), passed through.
    Utf8,
    /// UTF-16 little-endian, transcoded.
    Utf16Le,
    /// UTF-16 big-endian, transcoded.
    Utf16Be,
    /// Windows-1252 / Latin-1, transcoded.
    Windows1252,
}

impl TextEncoding {
    /// Name used in reports.
    pub fn as_str(self) -> &'static str {
        match self {
            TextEncoding::Utf8 => "utf-8",
            TextEncoding::Utf16Le => "utf-16le",
            TextEncoding::Utf16Be => "utf-16be",
            TextEncoding::Windows1252 => "windows-1252",
        }
    }
}

/// What sniffing found.
pub enum Sniffed<R> {
    /// Text: read it through the decoder.
    Text(Decoder<R>),
    /// Binary content: skip, with the offset of the first NUL as evidence.
    Binary {
        /// Offset of the first NUL byte.
        nul_at: usize,
    },
}

/// A streaming decoder (see module docs). Implements [`BufRead`] over decoded text.
pub struct Decoder<R> {
    inner: R,
    encoding: TextEncoding,
    transcoder: Option<encoding_rs::Decoder>,
    /// Raw bytes not yet decoded (the sniffed block, then each refill).
    raw: Vec<u8>,
    raw_pos: usize,
    /// Decoded bytes.
    out: Vec<u8>,
    out_pos: usize,
    eof: bool,
    /// The transcoder has been flushed (`last = true`); encoding_rs forbids another call.
    flushed: bool,
    raw_total: u64,
}

impl<R: Read> Decoder<R> {
    /// Reads the first block of `inner` and decides how to decode it.
    pub fn sniff(mut inner: R) -> io::Result<Sniffed<R>> {
        let mut raw = vec![0u8; SNIFF_LEN];
        let mut n = 0;
        while n < raw.len() {
            match inner.read(&mut raw[n..]) {
                Ok(0) => break,
                Ok(k) => n += k,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            }
        }
        raw.truncate(n);
        let eof = n < SNIFF_LEN;
        let (encoding, skip) = match detect(&raw) {
            Detected::Text(enc, skip) => (enc, skip),
            Detected::Binary(nul_at) => return Ok(Sniffed::Binary { nul_at }),
        };
        let transcoder = match encoding {
            TextEncoding::Utf8 => None,
            TextEncoding::Utf16Le => Some(UTF_16LE.new_decoder_without_bom_handling()),
            TextEncoding::Utf16Be => Some(UTF_16BE.new_decoder_without_bom_handling()),
            TextEncoding::Windows1252 => Some(WINDOWS_1252.new_decoder_without_bom_handling()),
        };
        Ok(Sniffed::Text(Decoder {
            inner,
            encoding,
            transcoder,
            raw_total: n as u64,
            raw,
            raw_pos: skip,
            out: Vec::with_capacity(READ_LEN * 3),
            out_pos: 0,
            eof,
            flushed: false,
        }))
    }

    /// The encoding chosen.
    pub fn encoding(&self) -> TextEncoding {
        self.encoding
    }

    /// Raw bytes read from the input so far.
    pub fn raw_bytes(&self) -> u64 {
        self.raw_total
    }

    fn refill_raw(&mut self) -> io::Result<()> {
        if self.raw_pos < self.raw.len() || self.eof {
            return Ok(());
        }
        self.raw.resize(READ_LEN, 0);
        self.raw_pos = 0;
        loop {
            match self.inner.read(&mut self.raw) {
                Ok(0) => {
                    self.raw.clear();
                    self.eof = true;
                    return Ok(());
                }
                Ok(k) => {
                    self.raw.truncate(k);
                    self.raw_total += k as u64;
                    return Ok(());
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => {
                    self.raw.clear();
                    return Err(e);
                }
            }
        }
    }
}

impl<R: Read> Read for Decoder<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let avail = self.fill_buf()?;
        let n = avail.len().min(buf.len());
        buf[..n].copy_from_slice(&avail[..n]);
        self.consume(n);
        Ok(n)
    }
}

impl<R: Read> BufRead for Decoder<R> {
    fn fill_buf(&mut self) -> io::Result<&[u8]> {
        while self.out_pos >= self.out.len() {
            if self.flushed {
                return Ok(&[]);
            }
            self.out.clear();
            self.out_pos = 0;
            self.refill_raw()?;
            let last = self.eof;
            match &mut self.transcoder {
                None => {
                    // Pass-through: hand out the raw buffer's contents.
                    self.out.extend_from_slice(&self.raw[self.raw_pos..]);
                    self.raw_pos = self.raw.len();
                }
                Some(dec) => {
                    let input = &self.raw[self.raw_pos..];
                    let need = dec
                        .max_utf8_buffer_length(input.len())
                        .unwrap_or(input.len() * 3 + 16);
                    self.out.resize(need, 0);
                    let (_, read, written, _) = dec.decode_to_utf8(input, &mut self.out, last);
                    self.raw_pos += read;
                    self.out.truncate(written);
                    self.flushed = last && self.raw_pos >= self.raw.len();
                }
            }
            if self.out.is_empty() && self.eof && self.raw_pos >= self.raw.len() {
                return Ok(&[]);
            }
        }
        Ok(&self.out[self.out_pos..])
    }

    fn consume(&mut self, amt: usize) {
        self.out_pos = (self.out_pos + amt).min(self.out.len());
    }
}

enum Detected {
    Text(TextEncoding, usize),
    Binary(usize),
}

fn detect(raw: &[u8]) -> Detected {
    if raw.starts_with(&[0xEF, 0xBB, 0xBF]) {
        return Detected::Text(TextEncoding::Utf8, 3);
    }
    if raw.starts_with(&[0xFF, 0xFE]) {
        return Detected::Text(TextEncoding::Utf16Le, 2);
    }
    if raw.starts_with(&[0xFE, 0xFF]) {
        return Detected::Text(TextEncoding::Utf16Be, 2);
    }
    let Some(nul_at) = memchr::memchr(0, raw) else {
        return Detected::Text(utf8_or_legacy(raw), 0);
    };
    // BOM-less UTF-16: ASCII-heavy text has a NUL in every other byte, on one side.
    let sample = &raw[..raw.len().min(4096) & !1];
    if sample.len() >= 4 {
        let pairs = sample.len() / 2;
        let even_nul = sample.iter().step_by(2).filter(|&&b| b == 0).count();
        let odd_nul = sample
            .iter()
            .skip(1)
            .step_by(2)
            .filter(|&&b| b == 0)
            .count();
        if odd_nul * 10 >= pairs * 7 && even_nul * 20 <= pairs {
            return Detected::Text(TextEncoding::Utf16Le, 0);
        }
        if even_nul * 10 >= pairs * 7 && odd_nul * 20 <= pairs {
            return Detected::Text(TextEncoding::Utf16Be, 0);
        }
    }
    Detected::Binary(nul_at)
}

/// UTF-8 unless the sample is invalid UTF-8 *and* has no valid multi-byte sequence at all (then
/// it is a single-byte legacy encoding, read as Windows-1252).
fn utf8_or_legacy(raw: &[u8]) -> TextEncoding {
    match std::str::from_utf8(raw) {
        Ok(_) => TextEncoding::Utf8,
        // A multi-byte sequence cut by the end of the sample is still UTF-8.
        Err(e) if e.error_len().is_none() => TextEncoding::Utf8,
        Err(_) => {
            let has_multibyte = raw
                .utf8_chunks()
                .any(|c| c.valid().bytes().any(|b| b >= 0x80));
            if has_multibyte {
                TextEncoding::Utf8
            } else {
                TextEncoding::Windows1252
            }
        }
    }
}

/// Fully decodes a small in-memory input (tests, pattern examples).
pub fn decode_all(raw: &[u8]) -> io::Result<Option<Vec<u8>>> {
    match Decoder::sniff(raw)? {
        Sniffed::Binary { .. } => Ok(None),
        Sniffed::Text(mut d) => {
            let mut out = Vec::new();
            d.read_to_end(&mut out)?;
            Ok(Some(out))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utf16(s: &str, be: bool, bom: bool) -> Vec<u8> {
        let mut v = Vec::new();
        if bom {
            v.extend_from_slice(if be { &[0xFE, 0xFF] } else { &[0xFF, 0xFE] });
        }
        for u in s.encode_utf16() {
            v.extend_from_slice(&if be { u.to_be_bytes() } else { u.to_le_bytes() });
        }
        v
    }

    #[test]
    fn decodes_each_encoding() {
        let text = "name,email\nJürgen,j@example.com\n";
        for (raw, enc) in [
            (text.as_bytes().to_vec(), TextEncoding::Utf8),
            (
                [&[0xEF, 0xBB, 0xBF][..], text.as_bytes()].concat(),
                TextEncoding::Utf8,
            ),
            (utf16(text, false, true), TextEncoding::Utf16Le),
            (utf16(text, true, true), TextEncoding::Utf16Be),
            (utf16(text, false, false), TextEncoding::Utf16Le),
            (utf16(text, true, false), TextEncoding::Utf16Be),
        ] {
            let Ok(Sniffed::Text(mut d)) = Decoder::sniff(&raw[..]) else {
                panic!("{enc:?} not text")
            };
            assert_eq!(d.encoding(), enc);
            let mut out = String::new();
            d.read_to_string(&mut out).unwrap();
            assert_eq!(out, text, "{enc:?}");
        }
    }

    #[test]
    fn latin1_is_transcoded_and_invalid_utf8_passes_through() {
        let latin1 = b"nom,email\nJ\xfcrgen,j@example.com\n";
        assert_eq!(
            decode_all(latin1).unwrap().unwrap(),
            "nom,email\nJürgen,j@example.com\n".as_bytes()
        );
        // Mostly UTF-8 with one broken byte: bytes kept as they are, positions unchanged.
        let mut mixed = "é ok\n\u{1F600} x".as_bytes().to_vec();
        mixed.extend_from_slice(b"\xff y\n\xffz");
        assert_eq!(decode_all(&mixed).unwrap().unwrap(), mixed);
    }

    #[test]
    fn nul_bytes_mean_binary() {
        let mut raw = b"\x7fELF\x02\x01\x01\x00\x00\x00".to_vec();
        raw.extend(std::iter::repeat_n(0x90u8, 100));
        assert!(matches!(
            Decoder::sniff(&raw[..]).unwrap(),
            Sniffed::Binary { nul_at: 7 }
        ));
    }

    #[test]
    fn streams_large_inputs_across_refills() {
        let text = "x".repeat(SNIFF_LEN * 3 + 17) + "\nend";
        let u16 = utf16(&text, false, true);
        assert_eq!(decode_all(&u16).unwrap().unwrap(), text.as_bytes());
        assert_eq!(
            decode_all(text.as_bytes()).unwrap().unwrap(),
            text.as_bytes()
        );
    }
}
