//! Object storage in the scan: each `s3://bucket/prefix` argument is listed and its objects are
//! scanned like files, by a pool of scan threads, each object streamed through
//! `Scanner::scan_source` (so every format and archive is read as for files, and zips and table
//! files that need seeking are spooled within the usual caps).
//!
//! The same policy as the file walk, applied to keys: the *relative key* (the key below the
//! URL's prefix, or the object's name when the URL names one object) is what `--exclude`
//! globs and `.piiscanignore` objects (gitignore syntax, applying to keys below their own
//! "folder") match, and what `--shard` hashes — exactly as the path relative to the scan
//! argument is for files, so a bucket and a copy of it on disk shard alike. Ignore files are
//! found by a first listing pass, before any object is scanned: S3 lists in key order, where
//! `dir/.piiscanignore` need not come before `dir/a!b.csv`.
//!
//! Every failure is a report for its URL or object (exit 2) and the scan goes on: a missing
//! bucket, access denied, bad credentials, a connection that keeps dropping, an object deleted
//! between listing and reading.

use std::sync::Arc;

use crate::input::object::{self, ObjectUrl};
use crate::scan::collect::Collector;
use crate::scan::walk::{WalkError, WalkOptions};
use crate::scan::{InputReport, Scanner, Status};

/// The shard key of a URL-level report (a listing error): the URL itself, so exactly one
/// shard reports it.
fn url_error(url: &str, why: String, opts: &WalkOptions) -> Option<InputReport> {
    if opts.shard.is_some_and(|s| !s.owns(url)) {
        return None;
    }
    Some(InputReport::not_scanned(Arc::from(url), Status::Error(why)))
}

/// `--exclude` globs as a gitignore matcher over relative keys.
fn excludes(opts: &WalkOptions) -> Result<ignore::gitignore::Gitignore, WalkError> {
    let mut b = ignore::gitignore::GitignoreBuilder::new("");
    for g in &opts.excludes {
        b.add_line(None, g).map_err(|e| WalkError::BadGlob {
            glob: g.clone(),
            message: e.to_string(),
        })?;
    }
    b.build().map_err(|e| WalkError::BadGlob {
        glob: opts.excludes.join(" "),
        message: e.to_string(),
    })
}

/// The scan arguments split into paths (for [`crate::scan::walk::scan_paths`]) and
/// object-storage URLs (for [`scan_urls`]), each in the order given.
pub fn split(args: &[std::path::PathBuf]) -> (Vec<std::path::PathBuf>, Vec<String>) {
    let mut paths = Vec::new();
    let mut urls = Vec::new();
    for a in args {
        match a.to_str().filter(|s| object::is_url(s)) {
            Some(u) => urls.push(u.to_string()),
            None => paths.push(a.clone()),
        }
    }
    (paths, urls)
}

/// Scans every object under each URL in `urls`, handing each input's report to `collector`.
pub fn scan_urls(
    urls: &[String],
    opts: &WalkOptions,
    scanner: &Scanner,
    collector: &Collector,
) -> Result<(), WalkError> {
    let excludes = excludes(opts)?;
    for raw in urls {
        let url = match ObjectUrl::parse(raw) {
            Ok(u) => u,
            Err(e) => {
                if let Some(r) = url_error(raw, e.to_string(), opts) {
                    collector.add(r);
                }
                continue;
            }
        };
        if let Some(e) = object::unreadable(&url.scheme) {
            if let Some(r) = url_error(raw, e.to_string(), opts) {
                collector.add(r);
            }
            continue;
        }
        #[cfg(feature = "s3")]
        live::scan_url(&url, &excludes, opts, scanner, collector);
    }
    #[cfg(not(feature = "s3"))]
    let _ = (excludes, scanner);
    Ok(())
}

#[cfg(feature = "s3")]
mod live {
    use std::collections::HashMap;
    use std::io::Read;
    use std::sync::mpsc::{Receiver, sync_channel};
    use std::sync::{Arc, Mutex};

    use ignore::Match;
    use ignore::gitignore::{Gitignore, GitignoreBuilder};

    use super::url_error;
    use crate::detect::Scratch;
    use crate::input::object::{Bucket, Object, ObjectUrl};
    use crate::scan::collect::Collector;
    use crate::scan::unpack::Source;
    use crate::scan::walk::WalkOptions;
    use crate::scan::{InputReport, Scanner, Status};

    /// The name of ignore files, as for the file walk.
    const IGNORE_FILE: &str = ".piiscanignore";
    /// An ignore object larger than this is an error, not read.
    const IGNORE_CAP: u64 = 1 << 20;

    /// One object to scan: the object and its relative key.
    struct Job {
        obj: Object,
    }

    /// What the scan threads share for one URL.
    struct Shared<'a> {
        bucket: &'a Bucket,
        opts: &'a WalkOptions,
        scanner: &'a Scanner,
        collector: &'a Collector,
    }

    /// `.piiscanignore` objects by the relative "folder" they sit in (`""` for the prefix).
    #[derive(Default)]
    struct Ignores(HashMap<String, Gitignore>);

    impl Ignores {
        /// Whether `rel` is ignored: the deepest ignore file with a verdict decides (a `!`
        /// line below re-includes what a file above excludes), as in the file walk.
        fn ignored(&self, rel: &str) -> bool {
            if self.0.is_empty() {
                return false;
            }
            let mut dir = rel;
            loop {
                dir = dir.rfind('/').map_or("", |i| &dir[..i]);
                if let Some(g) = self.0.get(dir) {
                    let below = match dir.is_empty() {
                        true => rel,
                        false => &rel[dir.len() + 1..],
                    };
                    match g.matched_path_or_any_parents(below, false) {
                        Match::Ignore(_) => return true,
                        Match::Whitelist(_) => return false,
                        Match::None => {}
                    }
                }
                if dir.is_empty() {
                    return false;
                }
            }
        }
    }

    pub(super) fn scan_url(
        url: &ObjectUrl,
        excludes: &Gitignore,
        opts: &WalkOptions,
        scanner: &Scanner,
        collector: &Collector,
    ) {
        let shown = url.to_string();
        let bucket = match Bucket::connect(url) {
            Ok(b) => b,
            Err(e) => {
                if let Some(r) = url_error(&shown, e.to_string(), opts) {
                    collector.add(r);
                }
                return;
            }
        };
        // Pass 1: the ignore files (a listing; only they are read).
        let mut ignores = Ignores::default();
        let mut listed = 0u64;
        for item in bucket.list() {
            let obj = match item {
                Ok(o) => o,
                Err(e) => {
                    if let Some(r) = url_error(&shown, e.to_string(), opts) {
                        collector.add(r);
                    }
                    return;
                }
            };
            listed += 1;
            let Some(rel) = url.relative(&obj.key) else {
                continue;
            };
            let (dir, name) = rel.rsplit_once('/').unwrap_or(("", rel));
            if name == IGNORE_FILE {
                match read_ignore(&bucket, &obj, dir) {
                    Ok(g) => {
                        ignores.0.insert(dir.to_string(), g);
                    }
                    Err(why) => {
                        let key = url.key_url(&obj.key);
                        if opts.shard.is_none_or(|s| s.owns(rel)) {
                            collector.add(InputReport::not_scanned(
                                Arc::from(key.as_str()),
                                Status::Error(format!("cannot read ignore file: {why}")),
                            ));
                        }
                    }
                }
            }
        }
        let shared = Shared {
            bucket: &bucket,
            opts,
            scanner,
            collector,
        };
        let threads = match opts.threads {
            0 => crate::scan::default_parallel_inputs(),
            n => n,
        };
        std::thread::scope(|sc| {
            let (tx, rx) = sync_channel::<Job>(threads * 4);
            let rx = Arc::new(Mutex::new(rx));
            for _ in 0..threads {
                let (rx, shared) = (rx.clone(), &shared);
                sc.spawn(move || worker(shared, &rx));
            }
            let send = |obj: Object, rel: &str| {
                if opts.shard.is_some_and(|s| !s.owns(rel)) {
                    return true;
                }
                if excludes.matched_path_or_any_parents(rel, false).is_ignore()
                    || ignores.ignored(rel)
                {
                    return true;
                }
                tx.send(Job { obj }).is_ok()
            };
            if listed == 0 && !url.prefix.is_empty() {
                // Nothing below `prefix/`: the URL may name one object.
                match bucket.head() {
                    Ok(Some(obj)) => {
                        let name = url.prefix.rsplit('/').next().unwrap_or(&url.prefix);
                        send(obj, name);
                    }
                    Ok(None) => {
                        if let Some(r) = url_error(
                            &shown,
                            "not found: no object with this key and none below it".into(),
                            opts,
                        ) {
                            collector.add(r);
                        }
                    }
                    Err(e) => {
                        if let Some(r) = url_error(&shown, e.to_string(), opts) {
                            collector.add(r);
                        }
                    }
                }
            } else {
                // Pass 2: every object, streamed to the scan threads as it is listed.
                for item in bucket.list() {
                    let obj = match item {
                        Ok(o) => o,
                        Err(e) => {
                            if let Some(r) = url_error(&shown, e.to_string(), opts) {
                                collector.add(r);
                            }
                            break;
                        }
                    };
                    // A "folder" marker (`dir/`, size 0) made by consoles: nothing to read.
                    if obj.key.ends_with('/') {
                        continue;
                    }
                    let Some(rel) = url.relative(&obj.key).map(str::to_string) else {
                        continue;
                    };
                    if !send(obj, &rel) {
                        break;
                    }
                }
            }
            drop(tx);
        });
    }

    fn worker(shared: &Shared<'_>, rx: &Mutex<Receiver<Job>>) {
        let mut scratch = Scratch::default();
        loop {
            let job = match rx.lock().unwrap_or_else(|p| p.into_inner()).recv() {
                Ok(j) => j,
                Err(_) => return,
            };
            let reports = scan_object(shared, &job.obj, &mut scratch);
            if let Some(p) = &shared.opts.progress {
                p.add(&reports);
            }
            for r in reports {
                shared.collector.add(r);
            }
        }
    }

    fn scan_object(shared: &Shared<'_>, obj: &Object, scratch: &mut Scratch) -> Vec<InputReport> {
        let url = shared.bucket.url().key_url(&obj.key);
        let display = shared.scanner.display_name(&url, scratch);
        if let Some(max) = shared.opts.max_filesize
            && obj.size > max
        {
            return vec![InputReport::not_scanned(
                display,
                Status::Skipped(format!(
                    "larger than --max-filesize ({} > {max} bytes)",
                    obj.size
                )),
            )];
        }
        match &shared.opts.cache {
            Some(cache) => cache.scan_object(
                &url,
                obj.etag.as_deref(),
                obj.size,
                display,
                || shared.bucket.open(obj),
                shared.scanner,
                scratch,
            ),
            None => {
                let mut reader = shared.bucket.open(obj);
                shared
                    .scanner
                    .scan_source(display, Source::Stream(&mut reader), scratch)
            }
        }
    }

    /// Reads and parses one `.piiscanignore` object (at most [`IGNORE_CAP`] bytes).
    fn read_ignore(bucket: &Bucket, obj: &Object, dir: &str) -> Result<Gitignore, String> {
        if obj.size > IGNORE_CAP {
            return Err(format!("larger than {IGNORE_CAP} bytes"));
        }
        let mut text = String::new();
        bucket
            .open(obj)
            .take(IGNORE_CAP)
            .read_to_string(&mut text)
            .map_err(|e| e.to_string())?;
        let mut b = GitignoreBuilder::new(dir);
        for line in text.lines() {
            b.add_line(None, line).map_err(|e| e.to_string())?;
        }
        b.build().map_err(|e| e.to_string())
    }

    #[cfg(test)]
    mod tests {
        use super::*;

        fn ignore(dir: &str, lines: &[&str]) -> Gitignore {
            let mut b = GitignoreBuilder::new(dir);
            for l in lines {
                b.add_line(None, l).unwrap();
            }
            b.build().unwrap()
        }

        #[test]
        fn ignore_files_apply_below_their_folder_deepest_first() {
            let mut ig = Ignores::default();
            ig.0.insert(String::new(), ignore("", &["*.log", "tmp/"]));
            ig.0.insert("keep".into(), ignore("keep", &["!*.log", "secret.csv"]));
            for (rel, want) in [
                ("a.log", true),
                ("a.csv", false),
                ("tmp/x.csv", true),
                ("deep/tmp/x.csv", true),
                ("keep/a.log", false),
                ("keep/secret.csv", true),
                ("secret.csv", false),
                ("other/keep/secret.csv", false),
            ] {
                assert_eq!(ig.ignored(rel), want, "{rel}");
            }
        }
    }
}
