//! The one integration-test binary: each module tests one capability through the real `piiscan`
//! binary, on fixtures generated in temp dirs at test time.

mod accuracy;
mod archives;
mod columns;
mod common;
mod db;
mod documents;
mod exposure;
mod formats;
mod gcs;
mod hostile;
mod mail;
mod names;
mod parquet;
mod pdf;
mod redact;
mod s3;
mod scan_cli;
mod shard;
mod tables;
mod workflow;
