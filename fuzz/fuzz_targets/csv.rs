//! The CSV/TSV/PSV format on arbitrary decoded text, through a small read buffer. The first
//! byte picks the delimiter and the buffer size.
#![no_main]

use libfuzzer_sys::fuzz_target;
use piiscan::formats::{Format, csv};
use piiscan_fuzz::{Touch, small_bufread};

fuzz_target!(|input: &[u8]| {
    let Some((&sel, data)) = input.split_first() else {
        return;
    };
    let format: &dyn Format = match sel & 3 {
        0 => &csv::COMMA,
        1 => &csv::TAB,
        2 => &csv::SEMICOLON,
        _ => &csv::PIPE,
    };
    let mut r = small_bufread(data, 1 + (sel >> 2) as usize * 37);
    let mut sink = Touch::default();
    let _ = format.scan(&mut r, &mut sink);
    // The sniffer must not panic on any head either.
    let _ = csv::sniff(data);
});
