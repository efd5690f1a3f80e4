//! Incremental re-scans (`--cache DIR`): reuse an input's results when neither the input nor the
//! ruleset changed since the cached run.
//!
//! An input is reused **without being read** when its size and modification time equal the
//! cached ones and that mtime is not "racy" (within [`RACY_NS`] of when the cache was written,
//! where a later write in the same clock tick could hide). When only the mtime differs (or is
//! racy) but the size is equal, the content is hashed (SHA-256) and reused if the hash matches.
//! Otherwise the input is scanned, hashing while it is read, and the new result is stored.
//!
//! The cache is valid for one *ruleset*: a hash of everything that changes what a scan reports
//! (pattern sources, settings, allowlists, the binary, a check of the fingerprint key), computed
//! by the caller with [`RulesetHasher`]. A different ruleset starts an empty cache.
//!
//! The cache file holds what a report holds — masked values, display names and keyed
//! fingerprints, never raw values (callers must not use a cache with `--reveal`) — and is
//! written atomically, mode 0600, in a directory created 0700. Entries are keyed by a keyed
//! digest of the input's real path, not the path: a file named after a person would otherwise
//! put that person in the cache file.

use std::collections::{BTreeMap, HashMap};
use std::fs::File;
use std::io::{self, Read, Seek};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use thiserror::Error;

use crate::detect::Scratch;
use crate::finding::{Finding, Fingerprinter};
use crate::report::write_atomic;
use crate::scan::unpack::Source;
use crate::scan::{InputReport, Scanner, Status};

/// Version of the cache file format. 2: entries keyed by a keyed digest of the real path
/// (version 1 wrote the path itself: a file named after a person put that person in the
/// cache file).
pub const VERSION: u32 = 2;
/// The cache file's name inside the cache directory.
pub const FILE_NAME: &str = "piiscan-cache.json";
/// An entry that no run scanned or reused for this long (30 days) is dropped when the cache is
/// saved. Until then an entry survives runs that did not look at it: another root, another
/// shard, or a scan of part of the tree sharing the cache directory.
pub const KEEP_UNSEEN_NS: i64 = 30 * 24 * 3600 * 1_000_000_000;

/// An mtime this close to the cache's write time is not trusted without hashing.
pub const RACY_NS: i64 = 2_000_000_000;

/// The cache could not be saved.
#[derive(Debug, Error)]
pub enum CacheError {
    /// Creating the directory or writing the file failed.
    #[error("{path}: {source}")]
    Io {
        /// The path.
        path: String,
        /// Why.
        source: io::Error,
    },
}

/// Builds the ruleset hash: feed it every labelled thing that changes what a scan reports.
#[derive(Debug, Default, Clone)]
pub struct RulesetHasher(Sha256);

impl RulesetHasher {
    /// An empty hasher.
    pub fn new() -> RulesetHasher {
        RulesetHasher::default()
    }

    /// Adds one labelled item (length-prefixed, so items cannot run into each other).
    pub fn add(&mut self, label: &str, bytes: &[u8]) -> &mut RulesetHasher {
        for part in [label.as_bytes(), bytes] {
            self.0.update((part.len() as u64).to_le_bytes());
            self.0.update(part);
        }
        self
    }

    /// The hex hash.
    pub fn finish(&self) -> String {
        hex::encode(self.0.clone().finalize())
    }
}

/// One file's cached result.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct Entry {
    size: u64,
    mtime_ns: i64,
    sha256: String,
    /// An object's ETag as listed (object storage only; files have none).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    etag: Option<String>,
    /// One per input found in the file (an archive has one per member).
    inputs: Vec<CachedInput>,
    /// When a run last scanned or reused this entry; 0 in files written before the field
    /// existed (read as the file's write time). Entries are keyed by a digest, so whether the
    /// file still exists cannot be asked: an entry no run has touched for [`KEEP_UNSEEN_NS`] is
    /// dropped instead.
    #[serde(default)]
    seen_ns: i64,
}

/// One input's cached result.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct CachedInput {
    /// The input's display path minus the file's (`""`, or `"!member.csv"` for a member).
    suffix: String,
    bytes: u64,
    format: Option<String>,
    encoding: Option<String>,
    records: u64,
    #[serde(default)]
    suppressed: u64,
    findings: Vec<Finding>,
    /// Fields classified by their values, so a reused input keeps its report summary.
    #[serde(default)]
    columns: Vec<crate::detect::columns::ColumnSummary>,
}

#[derive(Debug, Serialize, Deserialize)]
struct CacheFile {
    version: u32,
    ruleset: String,
    written_ns: i64,
    entries: BTreeMap<String, Entry>,
}

/// What the cache did in one run.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CacheStats {
    /// Inputs reused without reading them (size and mtime unchanged).
    pub reused: u64,
    /// Inputs reused after hashing their content (mtime changed, content did not).
    pub rehashed: u64,
    /// Inputs scanned (new, changed, or not cacheable).
    pub scanned: u64,
}

/// A cache for one ruleset, shared by the walk's threads.
#[derive(Debug)]
pub struct Cache {
    file: PathBuf,
    dir: PathBuf,
    ruleset: String,
    /// Keys entries: by a keyed digest of the real path, never the path (see [`VERSION`]).
    keyer: Fingerprinter,
    old: HashMap<String, Entry>,
    old_written_ns: i64,
    new: Mutex<BTreeMap<String, Entry>>,
    reused: AtomicU64,
    rehashed: AtomicU64,
    scanned: AtomicU64,
    /// Why the previous cache was not used, if it existed.
    pub invalidated: Option<String>,
}

fn mtime_ns(meta: &std::fs::Metadata) -> i64 {
    meta.modified()
        .ok()
        .and_then(|t| t.duration_since(UNIX_EPOCH).ok())
        .map_or(0, |d| i64::try_from(d.as_nanos()).unwrap_or(i64::MAX))
}

fn now_ns() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_nanos()).unwrap_or(i64::MAX))
}

/// SHA-256 of the whole file, leaving it rewound.
fn hash_file(file: &mut File) -> io::Result<String> {
    let mut hash = Sha256::new();
    let mut buf = vec![0u8; 1 << 16];
    loop {
        let n = match file.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        hash.update(&buf[..n]);
    }
    file.rewind()?;
    Ok(hex::encode(hash.finalize()))
}

/// What is cached of an input's reports (one per input found in it), paths relative to `display`.
fn cached_inputs(reports: &[InputReport], display: &str) -> Vec<CachedInput> {
    reports
        .iter()
        .map(|r| CachedInput {
            suffix: r.path.strip_prefix(display).unwrap_or(&r.path).to_string(),
            bytes: r.bytes,
            format: r.format.clone(),
            encoding: r.encoding.clone(),
            records: r.records,
            suppressed: r.suppressed,
            findings: r.findings.clone(),
            columns: r.columns.as_deref().cloned().unwrap_or_default(),
        })
        .collect()
}

impl Cache {
    /// Opens the cache in `dir` for `ruleset`, its entries keyed with `keyer` (the run's
    /// fingerprint key, which the ruleset checks). A missing, unreadable or foreign cache file
    /// (or one for another ruleset) gives an empty cache, with the reason in
    /// [`Cache::invalidated`].
    pub fn open(dir: &Path, ruleset: &str, keyer: &Fingerprinter) -> Cache {
        let file = dir.join(FILE_NAME);
        let mut invalidated = None;
        let mut old = HashMap::new();
        let mut old_written_ns = 0;
        match std::fs::read(&file) {
            Ok(bytes) => match serde_json::from_slice::<CacheFile>(&bytes) {
                Ok(c) if c.version == VERSION && c.ruleset == ruleset => {
                    old = c.entries.into_iter().collect();
                    old_written_ns = c.written_ns;
                }
                Ok(_) => invalidated = Some("the ruleset or piiscan changed".to_string()),
                Err(_) => invalidated = Some("the cache file is not readable".to_string()),
            },
            Err(e) if e.kind() == io::ErrorKind::NotFound => {}
            Err(e) => invalidated = Some(format!("cannot read the cache file: {e}")),
        }
        Cache {
            file,
            dir: dir.to_path_buf(),
            ruleset: ruleset.to_string(),
            keyer: keyer.clone(),
            old,
            old_written_ns,
            new: Mutex::new(BTreeMap::new()),
            reused: AtomicU64::new(0),
            rehashed: AtomicU64::new(0),
            scanned: AtomicU64::new(0),
            invalidated,
        }
    }

    /// What the cache did so far.
    pub fn stats(&self) -> CacheStats {
        CacheStats {
            reused: self.reused.load(Ordering::Relaxed),
            rehashed: self.rehashed.load(Ordering::Relaxed),
            scanned: self.scanned.load(Ordering::Relaxed),
        }
    }

    fn reuse(
        &self,
        key: String,
        entry: &Entry,
        display: &Arc<str>,
        mtime: i64,
    ) -> Vec<InputReport> {
        let out = entry
            .inputs
            .iter()
            .map(|c| {
                let path: Arc<str> = Arc::from(format!("{display}{}", c.suffix).as_str());
                let mut r = InputReport::not_scanned(path.clone(), Status::Scanned);
                r.bytes = c.bytes;
                r.format = c.format.clone();
                r.encoding = c.encoding.clone();
                r.records = c.records;
                r.suppressed = c.suppressed;
                r.columns = (!c.columns.is_empty()).then(|| Box::new(c.columns.clone()));
                r.findings = c
                    .findings
                    .iter()
                    .map(|f| Finding {
                        path: path.clone(),
                        ..f.clone()
                    })
                    .collect();
                r
            })
            .collect();
        let mut e = entry.clone();
        e.mtime_ns = mtime;
        self.store(key, e);
        out
    }

    fn store(&self, key: String, mut e: Entry) {
        e.seen_ns = now_ns();
        self.new
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(key, e);
    }

    /// Scans the regular file `file` at `path` (reported as `display`), reusing the cached result
    /// when it is still valid. Returns one report per input found in the file.
    pub fn scan_file(
        &self,
        path: &Path,
        display: Arc<str>,
        mut file: File,
        scanner: &Scanner,
        scratch: &mut Scratch,
    ) -> Vec<InputReport> {
        let real = std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
        let key = self.keyer.digest("input-path", &real.to_string_lossy());
        let (size, mtime) = match file.metadata() {
            Ok(m) => (m.len(), mtime_ns(&m)),
            Err(_) => {
                self.scanned.fetch_add(1, Ordering::Relaxed);
                return scanner.scan_source(display, Source::File(&mut file), scratch);
            }
        };
        let mut sha256 = None;
        if let Some(e) = self.old.get(&key)
            && e.size == size
        {
            let racy = e.mtime_ns >= self.old_written_ns.saturating_sub(RACY_NS);
            if e.mtime_ns == mtime && !racy {
                self.reused.fetch_add(1, Ordering::Relaxed);
                return self.reuse(key, e, &display, mtime);
            }
            sha256 = hash_file(&mut file).ok();
            if sha256.as_deref() == Some(e.sha256.as_str()) {
                self.rehashed.fetch_add(1, Ordering::Relaxed);
                return self.reuse(key, e, &display, mtime);
            }
        }
        self.scanned.fetch_add(1, Ordering::Relaxed);
        // Hash first (a fast sequential read the scan then finds in the page cache): the
        // scanner reads through its own layers (decompression, archive members) and may stop early.
        if sha256.is_none() {
            sha256 = hash_file(&mut file).ok();
        }
        let reports = scanner.scan_source(display.clone(), Source::File(&mut file), scratch);
        let cacheable = !reports.is_empty()
            && reports.iter().all(|r| r.status == Status::Scanned)
            && sha256.is_some();
        if let (true, Some(sha256)) = (cacheable, sha256) {
            let inputs = cached_inputs(&reports, &display);
            self.store(
                key,
                Entry {
                    size,
                    mtime_ns: mtime,
                    sha256,
                    etag: None,
                    inputs,
                    seen_ns: 0,
                },
            );
        }
        reports
    }

    /// Scans the object at `url` (listed with `etag` and `size`, reported as `display`), reusing
    /// the cached result when the ETag and size are unchanged; `open` starts reading it, only
    /// when it must be scanned. An object without an ETag is always scanned.
    #[allow(clippy::too_many_arguments)]
    pub fn scan_object<R: Read>(
        &self,
        url: &str,
        etag: Option<&str>,
        size: u64,
        display: Arc<str>,
        open: impl FnOnce() -> R,
        scanner: &Scanner,
        scratch: &mut Scratch,
    ) -> Vec<InputReport> {
        let key = self.keyer.digest("object-url", url);
        if let (Some(e), Some(etag)) = (self.old.get(&key), etag)
            && e.size == size
            && e.etag.as_deref() == Some(etag)
        {
            self.reused.fetch_add(1, Ordering::Relaxed);
            return self.reuse(key, e, &display, 0);
        }
        self.scanned.fetch_add(1, Ordering::Relaxed);
        let mut reader = open();
        let reports = scanner.scan_source(display.clone(), Source::Stream(&mut reader), scratch);
        let cacheable = etag.is_some()
            && !reports.is_empty()
            && reports.iter().all(|r| r.status == Status::Scanned);
        if cacheable {
            let inputs = cached_inputs(&reports, &display);
            self.store(
                key,
                Entry {
                    size,
                    mtime_ns: 0,
                    sha256: String::new(),
                    etag: etag.map(str::to_string),
                    inputs,
                    seen_ns: 0,
                },
            );
        }
        reports
    }

    /// Writes the cache: this run's entries, plus earlier entries this run did not touch that
    /// some run has seen within [`KEEP_UNSEEN_NS`].
    pub fn save(self) -> Result<(), CacheError> {
        self.save_at(now_ns())
    }

    fn save_at(self, now: i64) -> Result<(), CacheError> {
        let io_err = |path: &Path, source| CacheError::Io {
            path: path.display().to_string(),
            source,
        };
        let mut entries = self.new.into_inner().unwrap_or_else(|p| p.into_inner());
        for (k, mut e) in self.old {
            if e.seen_ns == 0 {
                e.seen_ns = self.old_written_ns;
            }
            if now.saturating_sub(e.seen_ns) < KEEP_UNSEEN_NS {
                entries.entry(k).or_insert(e);
            }
        }
        let cf = CacheFile {
            version: VERSION,
            ruleset: self.ruleset,
            written_ns: now,
            entries,
        };
        {
            use std::os::unix::fs::DirBuilderExt;
            std::fs::DirBuilder::new()
                .recursive(true)
                .mode(0o700)
                .create(&self.dir)
                .map_err(|e| io_err(&self.dir, e))?;
        }
        let bytes = serde_json::to_vec(&cf).unwrap_or_default();
        write_atomic(&self.file, &bytes).map_err(|e| io_err(&self.file, e))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const DAY: i64 = 24 * 3600 * 1_000_000_000;

    fn entry(seen_ns: i64) -> Entry {
        Entry {
            size: 1,
            mtime_ns: 1,
            sha256: String::new(),
            etag: None,
            inputs: Vec::new(),
            seen_ns,
        }
    }

    fn keys(dir: &Path) -> Vec<String> {
        let c = Cache::open(dir, "r", &Fingerprinter::new(b"cache-test-key-0123"));
        let mut k: Vec<String> = c.old.keys().cloned().collect();
        k.sort();
        k
    }

    /// Entries a run did not touch (another root or shard) survive its save; an entry no run
    /// has seen for 30 days is dropped; an entry from before `seen_ns` counts from the file's
    /// write time.
    #[test]
    fn untouched_entries_are_kept_until_unseen_for_thirty_days() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let keyer = Fingerprinter::new(b"cache-test-key-0123");
        let now = now_ns();
        let c = Cache::open(dir.path(), "r", &keyer);
        c.store("a".into(), entry(0));
        c.save_at(now).unwrap_or_else(|e| panic!("{e}"));
        // A later run that touches only "b" keeps "a".
        let c = Cache::open(dir.path(), "r", &keyer);
        c.store("b".into(), entry(0));
        c.save_at(now + DAY).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(keys(dir.path()), ["a", "b"]);
        // A legacy entry (seen_ns 0) is as old as the file that holds it.
        let mut c = Cache::open(dir.path(), "r", &keyer);
        c.old.insert("legacy".into(), entry(0));
        c.old_written_ns = now - 29 * DAY;
        c.save_at(now + DAY).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(keys(dir.path()), ["a", "b"], "legacy entry 30 days unseen");
        // Thirty-one days after both were last seen, a run that touches neither drops both.
        let c = Cache::open(dir.path(), "r", &keyer);
        c.save_at(now + 31 * DAY).unwrap_or_else(|e| panic!("{e}"));
        assert!(keys(dir.path()).is_empty());
    }
}
