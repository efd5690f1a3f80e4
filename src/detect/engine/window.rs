//! Candidate bounds: where a digit cluster or an email address starts and ends in a cell, and
//! the span type the regex windows are cut with.

/// Position of the first ASCII digit at or after `from`. Eight bytes at a time: prose and
/// code are mostly letters, and a word with no digit byte is skipped in one step; in a word
/// with one, the exact per-byte mask gives its position without a second, bytewise look.
pub(super) fn next_digit(text: &[u8], from: usize) -> Option<usize> {
    pub(super) const ONES: u64 = 0x0101_0101_0101_0101;
    pub(super) const HIGH: u64 = 0x8080_8080_8080_8080;
    let mut i = from;
    while i + 8 <= text.len() {
        let mut w = [0u8; 8];
        w.copy_from_slice(&text[i..i + 8]);
        let x = u64::from_le_bytes(w);
        // Per byte of `y = x & 0x7f` (no carry can cross a byte: 0x7f + 0x50 < 0x100), the
        // high bit of `y + 0x50` says `y >= 0x30` and that of `y + 0x46` says `y >= 0x3a`; a
        // digit is the first and not the second, with its own high bit clear.
        let y = x & !HIGH;
        let mask = (y + 0x50 * ONES) & !(y + 0x46 * ONES) & !x & HIGH;
        if mask != 0 {
            return Some(i + (mask.trailing_zeros() / 8) as usize);
        }
        i += 8;
    }
    text.get(i..)?
        .iter()
        .position(u8::is_ascii_digit)
        .map(|p| p + i)
}

/// End (exclusive) and digit count of the digit cluster starting at `p`.
pub(super) fn cluster(text: &[u8], p: usize) -> (usize, usize) {
    let n = text.len();
    let (mut i, mut nd) = (p, 0);
    loop {
        while i < n && text[i].is_ascii_digit() {
            i += 1;
            nd += 1;
        }
        let joiner = |b: u8| matches!(b, b' ' | b'-' | b'.' | b'/' | b'(' | b')');
        if i + 1 < n && joiner(text[i]) && text[i + 1].is_ascii_digit() {
            i += 1;
        } else if i + 2 < n
            && joiner(text[i])
            && joiner(text[i + 1])
            && text[i + 2].is_ascii_digit()
        {
            i += 2;
        } else {
            return (i, nd);
        }
    }
}

pub(super) fn is_local_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b >= 0x80 || b"._%+-'".contains(&b)
}

pub(super) fn is_domain_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b >= 0x80 || b == b'.' || b == b'-'
}

/// A match span (the regex's whole match or its `value` group) over the searched haystack.
pub(super) struct Span<'h> {
    hay: &'h [u8],
    start: usize,
    end: usize,
}

impl<'h> Span<'h> {
    pub(super) fn new(hay: &'h [u8], start: usize, end: usize) -> Span<'h> {
        Span { hay, start, end }
    }
    pub(super) fn start(&self) -> usize {
        self.start
    }
    pub(super) fn end(&self) -> usize {
        self.end
    }
    pub(super) fn is_empty(&self) -> bool {
        self.start == self.end
    }
    pub(super) fn as_bytes(&self) -> &'h [u8] {
        &self.hay[self.start..self.end]
    }
}
