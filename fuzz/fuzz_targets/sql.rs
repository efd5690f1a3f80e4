//! The SQL dump format (pg_dump COPY, mysqldump INSERT) on arbitrary decoded text, through a
//! small read buffer, and its sniffer.
#![no_main]

use libfuzzer_sys::fuzz_target;
use piiscan::formats::{Format, sql};
use piiscan_fuzz::{Touch, small_bufread};

fuzz_target!(|input: &[u8]| {
    let Some((&sel, data)) = input.split_first() else {
        return;
    };
    let mut r = small_bufread(data, 1 + sel as usize * 13);
    let mut sink = Touch::default();
    let _ = sql::Sql.scan(&mut r, &mut sink);
    let _ = sql::sniff(data);
});
