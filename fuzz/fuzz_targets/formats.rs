//! Format sniffing plus whichever format it picks (text, kv/email included), on arbitrary
//! decoded text with a fuzzer-chosen file extension.
#![no_main]

use libfuzzer_sys::fuzz_target;
use piiscan::formats;
use piiscan_fuzz::{Touch, small_bufread};

const NAMES: [&str; 8] = [
    "a.txt",
    "a.csv",
    "a.json",
    "a.ndjson",
    "a.sql",
    "a.log",
    "a.eml",
    "x.zip!d/a.tsv",
];

fuzz_target!(|input: &[u8]| {
    let Some((&sel, data)) = input.split_first() else {
        return;
    };
    let path = NAMES[(sel & 7) as usize];
    let head = &data[..data.len().min(64 * 1024)];
    let format = formats::sniff(path, head);
    let mut r = small_bufread(data, 1 + (sel >> 3) as usize * 29);
    let mut sink = Touch::default();
    let _ = format.scan(&mut r, &mut sink);
});
