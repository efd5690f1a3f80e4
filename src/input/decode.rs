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
//! * anything else with a NUL byte in the first block is looked at more closely (`sniff_nul`),
//!   because one NUL does not make a file binary: a log truncated by `copytruncate` while its
//!   writer kept its offset starts with a run of NUL bytes (often longer than a block), and
//!   `find -print0` lists separate text with NULs. A leading NUL run is read past (counted, not
//!   stored). What follows is then:
//!   - **text**, when its non-NUL bytes are text (almost no control bytes or broken UTF-8) in
//!     long printable runs: read as text, the NUL bytes **passed through** as bytes no detector
//!     matches, so lines and columns stay exactly the input's and the pass stays linear;
//!   - **clearly binary** — a known file signature (ELF, PNG, …) or content far from text
//!     (the way `file` and ripgrep tell: control bytes that never occur in text, bytes that
//!     are not UTF-8): skipped with that reason;
//!   - otherwise **possibly text** (UTF-16 without a BOM that the check above could not confirm,
//!     text with a few control bytes): skipped too, but with a reason of its own, so a reviewer
//!     sees a file that may hold text was not read ([`NotText::Unclear`]).
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
    /// Not read as text: skip, with why.
    Binary {
        /// Clearly binary, or possibly text (see [`NotText`]).
        why: NotText,
    },
}

/// Why an input is not read as text. Its `Display` is the skip reason users see.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NotText {
    /// Clearly binary: a known file signature, or content far from text.
    Binary(String),
    /// Not clearly binary, yet not safely readable as text (BOM-less UTF-16 that could not be
    /// confirmed, text with control bytes among its NULs). Listed apart: it may hold text that
    /// was not read.
    Unclear(String),
}

impl NotText {
    /// Whether the input is clearly binary (nothing a text scan could read).
    pub fn is_clear(&self) -> bool {
        matches!(self, NotText::Binary(_))
    }
}

impl std::fmt::Display for NotText {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            NotText::Binary(why) => write!(f, "binary content ({why})"),
            NotText::Unclear(why) => write!(f, "possibly text, not scanned ({why})"),
        }
    }
}

/// A streaming decoder (see module docs). Implements [`BufRead`] over decoded text.
pub struct Decoder<R> {
    inner: R,
    encoding: TextEncoding,
    transcoder: Option<encoding_rs::Decoder>,
    /// NUL bytes of a leading run read past while sniffing, still to be handed out (before
    /// `raw`): counted rather than stored, so a long zero-filled head costs no memory.
    pending_nul: u64,
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

/// Zeros handed out for a leading NUL run (`Decoder::pending_nul`), without a buffer of its own.
static ZEROS: [u8; 64 * 1024] = [0; 64 * 1024];

/// Reads from `inner` into `buf` until it is full or the input ends; returns the bytes read.
fn read_full<R: Read>(inner: &mut R, buf: &mut [u8]) -> io::Result<usize> {
    let mut n = 0;
    while n < buf.len() {
        match inner.read(&mut buf[n..]) {
            Ok(0) => break,
            Ok(k) => n += k,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        }
    }
    Ok(n)
}

/// Reads from `inner` into `buf` until it holds `upto` bytes or the input ends; returns
/// whether it ended.
fn fill<R: Read>(inner: &mut R, buf: &mut Vec<u8>, upto: usize) -> io::Result<bool> {
    let had = buf.len();
    buf.resize(upto.max(had), 0);
    let want = buf.len() - had;
    match read_full(inner, &mut buf[had..]) {
        Ok(n) => {
            buf.truncate(had + n);
            Ok(n < want)
        }
        Err(e) => {
            buf.truncate(had);
            Err(e)
        }
    }
}

/// Where the first byte that is not NUL is, if any; 16 bytes at a time.
fn first_non_nul(b: &[u8]) -> Option<usize> {
    let mut i = 0;
    for c in b.chunks_exact(16) {
        let mut word = [0u8; 16];
        word.copy_from_slice(c);
        if u128::from_ne_bytes(word) != 0 {
            break;
        }
        i += 16;
    }
    b[i..].iter().position(|&x| x != 0).map(|p| i + p)
}

impl<R: Read> Decoder<R> {
    /// Reads the first block of `inner` and decides how to decode it.
    pub fn sniff(mut inner: R) -> io::Result<Sniffed<R>> {
        let mut raw = Vec::with_capacity(SNIFF_LEN);
        let mut eof = fill(&mut inner, &mut raw, SNIFF_LEN)?;
        let mut raw_total = raw.len() as u64;
        let mut pending_nul = 0;
        let (encoding, skip) = match detect(&raw) {
            Detected::Text(enc, skip) => (enc, skip),
            Detected::NotText(why) => return Ok(Sniffed::Binary { why }),
            Detected::Nul => {
                // Read past a leading NUL run, however long (counted, and read over the same
                // buffer), then look at a full block of what follows it.
                loop {
                    let z = first_non_nul(&raw).unwrap_or(raw.len());
                    if z < raw.len() || eof {
                        pending_nul += z as u64;
                        raw.drain(..z);
                        break;
                    }
                    pending_nul += raw.len() as u64;
                    let n = read_full(&mut inner, &mut raw)?;
                    raw_total += n as u64;
                    eof = n < raw.len();
                    raw.truncate(n);
                }
                if !eof {
                    let had = raw.len();
                    eof = fill(&mut inner, &mut raw, SNIFF_LEN)?;
                    raw_total += (raw.len() - had) as u64;
                }
                match sniff_nul(&raw, pending_nul, eof) {
                    Ok(enc) => (enc, 0),
                    Err(why) => return Ok(Sniffed::Binary { why }),
                }
            }
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
            pending_nul,
            raw_total,
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
        if self.pending_nul > 0 {
            // A leading NUL run comes first, and is the same bytes in every encoding chosen
            // after one (UTF-8 and Windows-1252 both map 0x00 to U+0000).
            let n = self.pending_nul.min(ZEROS.len() as u64) as usize;
            return Ok(&ZEROS[..n]);
        }
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
        if self.pending_nul > 0 {
            self.pending_nul = self.pending_nul.saturating_sub(amt as u64);
            return;
        }
        self.out_pos = (self.out_pos + amt).min(self.out.len());
    }
}

enum Detected {
    /// Text in this encoding, after skipping this many bytes (a BOM).
    Text(TextEncoding, usize),
    /// Not text.
    NotText(NotText),
    /// Holds NUL bytes but no known signature: look closer ([`sniff_nul`]).
    Nul,
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
    if memchr::memchr(0, raw).is_none() {
        return Detected::Text(utf8_or_legacy(raw), 0);
    }
    if let Some(what) = signature(raw) {
        return Detected::NotText(NotText::Binary(what.to_string()));
    }
    // BOM-less UTF-16: ASCII-heavy text has a NUL in every other byte, on one side.
    if let Some(enc) = utf16_by_nuls(raw) {
        return Detected::Text(enc, 0);
    }
    Detected::Nul
}

/// UTF-16 LE or BE when at least 70 % of the (up to 2048) code units of `raw` have a NUL on
/// one side and at most 5 % on the other.
fn utf16_by_nuls(raw: &[u8]) -> Option<TextEncoding> {
    let sample = &raw[..raw.len().min(4096) & !1];
    if sample.len() < 4 {
        return None;
    }
    let pairs = sample.len() / 2;
    let even_nul = sample.iter().step_by(2).filter(|&&b| b == 0).count();
    let odd_nul = sample
        .iter()
        .skip(1)
        .step_by(2)
        .filter(|&&b| b == 0)
        .count();
    if odd_nul * 10 >= pairs * 7 && even_nul * 20 <= pairs {
        return Some(TextEncoding::Utf16Le);
    }
    if even_nul * 10 >= pairs * 7 && odd_nul * 20 <= pairs {
        return Some(TextEncoding::Utf16Be);
    }
    None
}

/// File signatures ("magic numbers") of common binary formats, as (offset, bytes, name). Only
/// consulted for inputs holding a NUL byte, so a text file that
/// merely begins with `MZ` or `RIFF` stays text. Containers piiscan opens (zip, gzip, …) are
/// here for those it does not (nested too deep, corrupt).
const SIGNATURES: &[(usize, &[u8], &str)] = &[
    (0, b"!<arch>\n", "ar archive / static library"),
    (0, b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "OLE2 compound file"),
    (0, b"7z\xbc\xaf\x27\x1c", "7-Zip archive"),
    (0, b"BZh", "bzip2 data"),
    (1, b"CD001", "ISO 9660 image"),
    (0, b"dex\n", "Android DEX"),
    (0, b"\x7fELF", "ELF executable"),
    (0, b"fLaC", "FLAC audio"),
    (0, b"GIF8", "GIF image"),
    (0, b"\x1f\x8b", "gzip data"),
    (0, b"\x00\x00\x01\x00", "icon image"),
    (0, b"\xff\xd8\xff", "JPEG image"),
    (
        0,
        b"\xca\xfe\xba\xbe",
        "Java class / Mach-O universal binary",
    ),
    (0, b"\xcf\xfa\xed\xfe", "Mach-O executable"),
    (0, b"\xce\xfa\xed\xfe", "Mach-O executable"),
    (0, b"\xde\x12\x04\x95", "gettext catalog"),
    (0, b"\x95\x04\x12\xde", "gettext catalog"),
    (4, b"ftyp", "MP4 / QuickTime media"),
    (0, b"MZ", "DOS/Windows executable"),
    (0, b"OggS", "Ogg media"),
    (0, b"OTTO", "OpenType font"),
    (0, b"%PDF-", "PDF document"),
    (0, b"\x89PNG\r\n\x1a\n", "PNG image"),
    (0, b"QFI\xfb", "QEMU disk image"),
    (0, b"Rar!\x1a\x07", "RAR archive"),
    (0, b"RIFF", "RIFF media (WAV, AVI, WebP)"),
    (0, b"SQLite format 3\x00", "SQLite database"),
    (0, b"II*\x00", "TIFF image"),
    (0, b"MM\x00*", "TIFF image"),
    (0, b"\x00\x01\x00\x00\x00", "TrueType font"),
    (0, b"\x00asm", "WebAssembly module"),
    (0, b"wOF2", "WOFF2 font"),
    (0, b"wOFF", "WOFF font"),
    (0, b"\xfd7zXZ\x00", "xz data"),
    (0, b"PK\x03\x04", "zip archive"),
    (0, b"\x28\xb5\x2f\xfd", "zstd data"),
];

/// The name of the binary format whose signature `raw` starts with, if any.
fn signature(raw: &[u8]) -> Option<&'static str> {
    SIGNATURES
        .iter()
        .find(|(at, magic, _)| raw.get(*at..at + magic.len()) == Some(*magic))
        .map(|s| s.2)
}

/// Printable runs shorter than this do not count as text: UTF-16/32 read as bytes has runs of
/// one, machine code and compressed data rarely reach it, and a token worth finding (an email,
/// a phone number) is at least this long.
const MIN_RUN: usize = 8;

/// How the bytes of a block holding NULs are spread (see [`sniff_nul`]).
#[derive(Debug, Default, PartialEq, Eq)]
struct NulStats {
    /// Bytes that are not NUL.
    other: usize,
    /// C0 control bytes that never occur in text (`file`'s table: all but BEL, BS, TAB, LF,
    /// VT, FF, CR and ESC) and DEL.
    control: usize,
    /// Bytes of invalid UTF-8 sequences (Windows-1252 letters, or binary).
    not_utf8: usize,
    /// Non-NUL bytes inside runs of at least [`MIN_RUN`] bytes that are neither NUL nor control.
    in_runs: usize,
}

impl NulStats {
    /// One pass over `block`.
    fn of(block: &[u8]) -> NulStats {
        let mut st = NulStats::default();
        let mut run = 0usize;
        let end_run = |run: &mut usize, st: &mut NulStats| {
            if *run >= MIN_RUN {
                st.in_runs += *run;
            }
            *run = 0;
        };
        for chunk in block.utf8_chunks() {
            for &b in chunk.valid().as_bytes() {
                match b {
                    0 => end_run(&mut run, &mut st),
                    0x01..=0x06 | 0x0E..=0x1A | 0x1C..=0x1F | 0x7F => {
                        st.other += 1;
                        st.control += 1;
                        end_run(&mut run, &mut st);
                    }
                    _ => {
                        st.other += 1;
                        run += 1;
                    }
                }
            }
            // Broken UTF-8 continues a run: in Windows-1252 text it is a letter.
            let bad = chunk.invalid().len();
            st.other += bad;
            st.not_utf8 += bad;
            run += bad;
        }
        end_run(&mut run, &mut st);
        st
    }
}

/// Whether the NUL bytes of `block` (its first byte at input offset `offset`) sit, 90 % of at
/// least 64 of them, on one side of 16-bit code units whose other byte is printable ASCII in
/// 80 % of them: UTF-16 text that [`utf16_by_nuls`] could not confirm (too many non-ASCII
/// characters), not a table of 16-bit numbers.
fn utf16_like(block: &[u8], offset: u64) -> bool {
    let printable =
        |b: Option<&u8>| b.is_some_and(|b| matches!(b, 0x20..=0x7e | 0x09 | 0x0a | 0x0d));
    // (NULs, NULs beside a printable byte) at even and at odd input offsets.
    let (mut even, mut odd) = ((0usize, 0usize), (0usize, 0usize));
    for i in memchr::memchr_iter(0, block) {
        if (offset + i as u64).is_multiple_of(2) {
            // Big-endian: the NUL is the high byte, its character follows.
            even.0 += 1;
            even.1 += usize::from(printable(block.get(i + 1)));
        } else {
            odd.0 += 1;
            odd.1 += usize::from(printable(i.checked_sub(1).and_then(|j| block.get(j))));
        }
    }
    let nuls = even.0 + odd.0;
    let one_side = |(n, text): (usize, usize)| n * 10 >= nuls * 9 && text * 5 >= n * 4;
    nuls >= 64 && (one_side(even) || one_side(odd))
}

/// Decides about a block holding NUL bytes and no known signature, after a leading NUL run of
/// `lead` bytes (already read past): `block` starts with the first other byte, and is the rest
/// of the input when `whole`. Text when its
/// non-NUL bytes are text (≤ 1 % control bytes, ≤ 10 % invalid UTF-8: Windows-1252 letters) and mostly in printable
/// runs; clearly binary when far from that (≥ 5 % control bytes or ≥ 15 % invalid UTF-8, the
/// range of executables, images and compressed data, measured) unless its NULs sit on one
/// side of the code units as UTF-16's do (possibly text); clearly binary too when it is the whole
/// input and has no printable run at all; possibly text otherwise.
fn sniff_nul(block: &[u8], lead: u64, whole: bool) -> Result<TextEncoding, NotText> {
    if block.is_empty() {
        // Nothing but NUL bytes: no text to miss; read through, it finds nothing.
        return Ok(TextEncoding::Utf8);
    }
    if lead > 0
        && let Some(what) = signature(block)
    {
        return Err(NotText::Binary(what.to_string()));
    }
    let st = NulStats::of(block);
    let n = st.other;
    if st.control * 100 <= n && st.not_utf8 * 10 <= n && st.in_runs * 4 >= n * 3 {
        return Ok(utf8_or_legacy(block));
    }
    if utf16_like(block, lead) {
        return Err(NotText::Unclear(
            "NUL bytes on alternate positions: UTF-16 without a byte-order mark?".into(),
        ));
    }
    if whole && st.in_runs == 0 {
        // All of the input is here and not one run of text is in it: nothing to read (the
        // members of binary containers look like this).
        return Err(NotText::Binary(format!(
            "NUL bytes and no run of {MIN_RUN} printable bytes"
        )));
    }
    let pct = |k: usize| (k * 100).div_ceil(n.max(1));
    if st.control * 20 >= n || st.not_utf8 * 100 >= n * 15 {
        return Err(NotText::Binary(format!(
            "NUL bytes, {}% control bytes, {}% not UTF-8",
            pct(st.control),
            pct(st.not_utf8)
        )));
    }
    Err(NotText::Unclear(format!(
        "NUL bytes in text-like content: {}% control bytes, {}% not UTF-8, {}% in printable runs",
        pct(st.control),
        pct(st.not_utf8),
        pct(st.in_runs)
    )))
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

    /// What sniffing decides, as a label: the encoding, or `binary: …` / `unclear: …`.
    fn verdict(raw: &[u8]) -> String {
        match Decoder::sniff(raw).unwrap() {
            Sniffed::Text(d) => d.encoding().as_str().to_string(),
            Sniffed::Binary {
                why: NotText::Binary(w),
            } => format!("binary: {w}"),
            Sniffed::Binary {
                why: NotText::Unclear(w),
            } => format!("unclear: {w}"),
        }
    }

    /// Deterministic bytes spread over all 256 values (xorshift): machine code and compressed
    /// data look like this to a byte counter.
    fn noise(n: usize, mut x: u64) -> Vec<u8> {
        (0..n)
            .map(|_| {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                (x >> 24) as u8
            })
            .collect()
    }

    fn log_lines(n: usize) -> Vec<u8> {
        (0..n)
            .flat_map(|i| {
                format!(
                    "2024-05-01T10:{:02}:00Z INFO login ok user=jane{i}@example.com\n",
                    i % 60
                )
                .into_bytes()
            })
            .collect()
    }

    #[test]
    fn nul_bytes_are_looked_at_not_taken_for_binary() {
        let log = log_lines(200);
        let deflated = {
            use std::io::Write;
            let mut e = flate2::write::DeflateEncoder::new(Vec::new(), flate2::Compression::best());
            e.write_all(
                &noise(20_000, 7)
                    .iter()
                    .map(|b| b % 64 + 32)
                    .collect::<Vec<u8>>(),
            )
            .unwrap();
            e.finish().unwrap()
        };
        assert!(
            deflated.contains(&0),
            "the compressed sample must hold a NUL"
        );
        let utf16_cyrillic: Vec<u8> = "Привет мир 123 "
            .repeat(300)
            .encode_utf16()
            .flat_map(u16::to_le_bytes)
            .collect();
        // Records split by ASCII record separators, NUL-terminated: text, but with 1.5 % of
        // bytes that never occur in text.
        let mut records = Vec::new();
        for i in 0..300 {
            records.extend_from_slice(
                format!("id={i:04}\x1ename=customer record {i}\x1enote=nothing here\x00\n")
                    .as_bytes(),
            );
        }
        let table: Vec<(&str, Vec<u8>, &str)> = vec![
            // copytruncate: a zero-filled head longer than a sniffed block, then the log.
            (
                "padded log",
                [vec![0; SNIFF_LEN * 3 + 5], log.clone()].concat(),
                "utf-8",
            ),
            (
                "NUL runs between lines",
                [&log[..4000], &[0; 9000], &log[4000..]].concat(),
                "utf-8",
            ),
            (
                "find -print0",
                b"./exports/customers-2024.csv\0./exports/bookings-2024.csv\0".repeat(50),
                "utf-8",
            ),
            ("only NUL bytes", vec![0; SNIFF_LEN + 1], "utf-8"),
            (
                "padded Windows-1252",
                [
                    &[0u8; 100][..],
                    &b"nom=J\xfcrgen Schmidt ville=Berlin pays=Allemagne\n".repeat(100),
                ]
                .concat(),
                "windows-1252",
            ),
            (
                "ELF",
                [&b"\x7fELF\x02\x01\x01\x00"[..], &noise(4000, 1)].concat(),
                "binary: ELF executable",
            ),
            (
                "PNG",
                [&b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"[..], &noise(4000, 2)].concat(),
                "binary: PNG image",
            ),
            (
                "ISO image after its zeroed system area",
                [&[0u8; 32768][..], b"\x01CD001\x01\x00", &noise(2000, 3)].concat(),
                "binary: ISO 9660 image",
            ),
            ("deflate stream", deflated, "binary: NUL bytes, "),
            (
                "unknown machine code",
                [noise(3000, 4), vec![0; 16], noise(3000, 5)].concat(),
                "binary: NUL bytes, ",
            ),
            (
                "a whole input with no run of text",
                b"\x00\x00\x00\x05abc\x00\x00\x02de\x00".to_vec(),
                "binary: NUL bytes and no run of 8",
            ),
            (
                "BOM-less UTF-16 the NUL check cannot confirm",
                utf16_cyrillic,
                "unclear: NUL bytes on alternate positions",
            ),
            (
                "a table of 16-bit numbers",
                (0u16..3000)
                    .flat_map(|i| (i.wrapping_mul(7919) % 1024).to_le_bytes())
                    .collect(),
                "binary: NUL bytes",
            ),
            (
                "record separators",
                records,
                "unclear: NUL bytes in text-like",
            ),
        ];
        for (name, raw, want) in &table {
            let got = verdict(raw);
            assert!(got.starts_with(want), "{name}: {got}");
        }
    }

    #[test]
    fn text_with_nul_bytes_passes_through_unchanged() {
        // Every byte, NULs included, comes out where it went in: lines and columns hold, and a
        // redacted copy keeps its padding.
        let log = log_lines(50);
        for raw in [
            [vec![0; SNIFF_LEN * 2 + 3], log.clone()].concat(),
            [&log[..100], &[0; 70_000], &log[100..]].concat(),
            vec![0; 300_000],
            Vec::new(),
        ] {
            assert_eq!(decode_all(&raw).unwrap().unwrap(), raw);
            let Sniffed::Text(mut d) = Decoder::sniff(&raw[..]).unwrap() else {
                panic!("not text")
            };
            std::io::copy(&mut d, &mut std::io::sink()).unwrap();
            assert_eq!(d.raw_bytes(), raw.len() as u64);
        }
    }

    #[test]
    fn skip_reasons_say_which_kind() {
        assert_eq!(
            NotText::Binary("ELF executable".into()).to_string(),
            "binary content (ELF executable)"
        );
        let unclear = NotText::Unclear("why".into());
        assert_eq!(unclear.to_string(), "possibly text, not scanned (why)");
        assert!(!unclear.is_clear() && NotText::Binary(String::new()).is_clear());
    }

    #[test]
    fn signatures_are_distinct() {
        for (i, a) in SIGNATURES.iter().enumerate() {
            assert!(!a.1.is_empty() && !a.2.is_empty());
            for b in &SIGNATURES[i + 1..] {
                assert!((a.0, a.1) != (b.0, b.1), "{} twice", a.2);
            }
        }
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
