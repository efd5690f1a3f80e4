//! What to read and how to decode it: containers and compression ([`archive`]), byte encodings
//! ([`decode`]), object storage ([`object`]: `s3://` URLs as byte streams), and the display path
//! of an input relative to a base directory.
//!
//! This stage imports nothing else of the crate: it turns raw bytes into text bytes and names,
//! and knows nothing of formats, detectors or findings.

use std::path::Path;

pub mod archive;
pub mod db;
pub mod decode;
pub mod object;

/// `display` (a path as reported: relative to the working directory, or absolute) relative to
/// `base`, if it lies under it. Both sides are made absolute against the working directory and
/// canonicalised as far as they exist, so `./a`, `a` and `/cwd/a` agree.
pub fn relative_to(base: &Path, display: &str) -> Option<String> {
    let cwd = std::env::current_dir().ok()?;
    let abs = |p: &Path| {
        let p = if p.is_absolute() {
            p.to_path_buf()
        } else {
            cwd.join(p)
        };
        std::fs::canonicalize(&p).unwrap_or(p)
    };
    let base = abs(base);
    let path = abs(Path::new(display));
    let rel = path.strip_prefix(&base).ok()?;
    Some(rel.to_string_lossy().into_owned())
}
