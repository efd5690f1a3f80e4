//! The decoder/sniffer on arbitrary bytes, read in fuzzer-chosen chunk sizes.
//! Invariants: never panics; the decoded text is the same however the input is chunked; UTF-8
//! input passes through byte for byte (less a BOM).
#![no_main]

use std::io::Read;

use libfuzzer_sys::fuzz_target;
use piiscan::input::decode::{Decoder, Sniffed, TextEncoding, decode_all};
use piiscan_fuzz::Chunked;

fuzz_target!(|input: &[u8]| {
    let chunked = Chunked::split(input);
    let data = chunked.data();
    let whole = decode_all(data).expect("in-memory reads cannot fail");
    match Decoder::sniff(chunked).expect("in-memory reads cannot fail") {
        Sniffed::Binary { why } => {
            assert!(whole.is_none(), "chunking changed the binary/text decision");
            assert!(!why.to_string().is_empty(), "a skip must say why");
        }
        Sniffed::Text(mut d) => {
            let enc = d.encoding();
            let mut out = Vec::new();
            d.read_to_end(&mut out)
                .expect("in-memory reads cannot fail");
            assert_eq!(
                Some(&out),
                whole.as_ref(),
                "chunking changed the decoded text"
            );
            assert_eq!(d.raw_bytes(), data.len() as u64);
            if enc == TextEncoding::Utf8 {
                let body = data.strip_prefix(&[0xEF, 0xBB, 0xBF]).unwrap_or(data);
                assert_eq!(out, body, "UTF-8 must pass through unchanged");
            }
        }
    }
});
