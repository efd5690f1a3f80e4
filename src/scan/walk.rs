//! What to read: a parallel walk over the paths given (`ignore::WalkParallel`), scanning each
//! file on the walker's own threads and handing each finished input to a [`Collector`].
//!
//! Policy (see the README): everything is scanned by default — hidden and git-ignored files
//! included, because a sensitive export is often ignored *because* it is sensitive — except VCS
//! internals (`.git/`). `.piiscanignore` files (gitignore syntax) and `--exclude` globs opt out;
//! `--respect-gitignore` opts in to ignore rules. Symlinks are not followed unless asked, and
//! even then a link that resolves outside the scan roots is skipped. Every input not scanned is
//! still reported, with its reason: "clean" must never hide "not looked at".

use std::fs::File;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use ignore::overrides::OverrideBuilder;
use ignore::{DirEntry, ParallelVisitor, ParallelVisitorBuilder, WalkBuilder, WalkState};
use thiserror::Error;

use crate::detect::Scratch;
use crate::scan::collect::Collector;
use crate::scan::shard::Shard;
use crate::scan::unpack::Source;
use crate::scan::{InputReport, Scanner, Status};

/// How to walk.
#[derive(Debug, Clone, Default)]
pub struct WalkOptions {
    /// Worker threads (0 = all cores).
    pub threads: usize,
    /// Honour `.gitignore`, `.ignore`, git excludes.
    pub respect_gitignore: bool,
    /// Follow symlinks (never out of the scan roots).
    pub follow: bool,
    /// Globs to exclude (gitignore syntax, relative to each root).
    pub excludes: Vec<String>,
    /// Skip files larger than this many bytes.
    pub max_filesize: Option<u64>,
    /// Reuse unchanged files' results from this cache (`--cache`).
    pub cache: Option<Arc<crate::scan::cache::Cache>>,
    /// Live counters for a progress display, updated as each input finishes.
    pub progress: Option<Arc<Progress>>,
    /// Scan only the inputs of this shard (`--shard K/N`, see [`crate::scan::shard`]).
    pub shard: Option<Shard>,
}

/// Live counters a progress display reads while the walk runs.
#[derive(Debug, Default)]
pub struct Progress {
    /// Inputs finished (scanned, skipped or failed).
    pub inputs: std::sync::atomic::AtomicU64,
    /// Raw bytes read.
    pub bytes: std::sync::atomic::AtomicU64,
}

impl Progress {
    pub(crate) fn add(&self, reports: &[InputReport]) {
        use std::sync::atomic::Ordering::Relaxed;
        self.inputs.fetch_add(reports.len() as u64, Relaxed);
        self.bytes
            .fetch_add(reports.iter().map(|r| r.bytes).sum::<u64>(), Relaxed);
    }
}

/// The walk could not start.
#[derive(Debug, Error)]
pub enum WalkError {
    /// An `--exclude` glob did not parse.
    #[error("invalid --exclude glob {glob:?}: {message}")]
    BadGlob {
        /// The glob.
        glob: String,
        /// The parser's message.
        message: String,
    },
}

/// Scans every file under `paths` (`-` is stdin), handing each input's report to `collector`
/// as soon as it is done (so findings never pile up in the walk). Object-storage URLs are not
/// paths: [`crate::scan::bucket::scan_urls`] reads them (see [`crate::scan::bucket::split`]).
pub fn scan_paths(
    paths: &[PathBuf],
    opts: &WalkOptions,
    scanner: &Scanner,
    collector: &Collector,
) -> Result<(), WalkError> {
    let mut fs_paths = Vec::new();
    for p in paths {
        if p.as_os_str() == "-" {
            // stdin is shard 1's: the other shards do not read it.
            if opts.shard.is_some_and(|s| s.index != 1) {
                continue;
            }
            let mut stdin = std::io::stdin().lock();
            for r in scanner.scan_source(
                Arc::from("-"),
                Source::Stream(&mut stdin),
                &mut Scratch::default(),
            ) {
                collector.add(r);
            }
        } else {
            fs_paths.push(p.clone());
        }
    }
    let Some((first, rest)) = fs_paths.split_first() else {
        return Ok(());
    };
    let mut builder = WalkBuilder::new(first);
    for p in rest {
        builder.add(p);
    }
    let respect = opts.respect_gitignore;
    builder
        .hidden(false)
        .ignore(respect)
        .git_ignore(respect)
        .git_global(respect)
        .git_exclude(respect)
        .require_git(false)
        .parents(true)
        .follow_links(opts.follow)
        .add_custom_ignore_filename(".piiscanignore")
        .threads(opts.threads)
        .filter_entry(|e| e.file_name() != ".git");
    if !opts.excludes.is_empty() {
        let mut ob = OverrideBuilder::new(first);
        for g in &opts.excludes {
            ob.add(&format!("!{g}")).map_err(|e| WalkError::BadGlob {
                glob: g.clone(),
                message: e.to_string(),
            })?;
        }
        let ov = ob.build().map_err(|e| WalkError::BadGlob {
            glob: opts.excludes.join(" "),
            message: e.to_string(),
        })?;
        builder.overrides(ov);
    }
    let roots: Vec<PathBuf> = fs_paths
        .iter()
        .filter_map(|p| std::fs::canonicalize(p).ok())
        .collect();
    let shared = Shared {
        scanner,
        opts,
        roots,
        collector,
    };
    builder
        .build_parallel()
        .visit(&mut VisitorBuilder { shared: &shared });
    Ok(())
}

struct Shared<'s> {
    scanner: &'s Scanner,
    opts: &'s WalkOptions,
    roots: Vec<PathBuf>,
    collector: &'s Collector,
}

struct VisitorBuilder<'a, 's> {
    shared: &'a Shared<'s>,
}

impl<'a, 's: 'a> ParallelVisitorBuilder<'a> for VisitorBuilder<'a, 's> {
    fn build(&mut self) -> Box<dyn ParallelVisitor + 'a> {
        Box::new(Visitor {
            shared: self.shared,
            scratch: Scratch::default(),
        })
    }
}

/// Per-thread state: scratch buffers reused across inputs.
struct Visitor<'a, 's> {
    shared: &'a Shared<'s>,
    scratch: Scratch,
}

impl ParallelVisitor for Visitor<'_, '_> {
    fn visit(&mut self, entry: Result<DirEntry, ignore::Error>) -> WalkState {
        match entry {
            Ok(e) => match self.open_entry_of_shard(&e) {
                Opened::Dir => {}
                Opened::Other => return WalkState::Skip,
                Opened::NotScanned(r) => {
                    self.shared.collector.add(r);
                    // A directory reached through a link out of the root is not descended.
                    return WalkState::Skip;
                }
                Opened::File(mut file, display) => {
                    let reports = match &self.shared.opts.cache {
                        Some(cache) => cache.scan_file(
                            e.path(),
                            display,
                            file,
                            self.shared.scanner,
                            &mut self.scratch,
                        ),
                        None => self.shared.scanner.scan_source(
                            display,
                            Source::File(&mut file),
                            &mut self.scratch,
                        ),
                    };
                    if let Some(p) = &self.shared.opts.progress {
                        p.add(&reports);
                    }
                    for r in reports {
                        self.shared.collector.add(r);
                    }
                }
            },
            Err(err) => {
                if let Some(shard) = &self.shared.opts.shard
                    && !shard.owns_path(Path::new(&*walk_error_key(&err)), error_depth(&err))
                {
                    return WalkState::Continue;
                }
                let mut r = walk_error(err);
                r.path = self.shared.scanner.display_name(&r.path, &mut self.scratch);
                self.shared.collector.add(r)
            }
        }
        WalkState::Continue
    }
}

impl Visitor<'_, '_> {
    /// [`Self::open_entry`] for an entry of this shard (or any entry without `--shard`).
    /// Another shard's file is not even opened; another shard's directory is still descended
    /// (its files may be ours), but what it reports (a link out of the root) is not ours.
    fn open_entry_of_shard(&mut self, e: &DirEntry) -> Opened {
        let Some(shard) = &self.shared.opts.shard else {
            return self.open_entry(e);
        };
        if shard.owns_path(e.path(), e.depth()) {
            return self.open_entry(e);
        }
        if !e.file_type().is_some_and(|ft| ft.is_dir()) {
            return Opened::Other;
        }
        match self.open_entry(e) {
            Opened::NotScanned(_) => Opened::Other,
            opened => opened,
        }
    }

    fn open_entry(&mut self, e: &DirEntry) -> Opened {
        let path = e.path();
        // Shown masked where it holds a value; the file is opened by `path`.
        let display = self
            .shared
            .scanner
            .display_name(&display_path(path), &mut self.scratch);
        let Some(ft) = e.file_type() else {
            return Opened::Dir; // stdin entries are handled before the walk
        };
        if ft.is_symlink() {
            return Opened::NotScanned(InputReport::not_scanned(
                display,
                Status::Skipped("symlink not followed (use --follow)".into()),
            ));
        }
        if e.path_is_symlink() {
            // Followed: the target must stay inside a scan root.
            match std::fs::canonicalize(path) {
                Ok(target) if self.shared.roots.iter().any(|r| target.starts_with(r)) => {}
                Ok(_) => {
                    return Opened::NotScanned(InputReport::not_scanned(
                        display,
                        Status::Skipped("symlink points outside the scan root".into()),
                    ));
                }
                Err(err) => {
                    return Opened::NotScanned(InputReport::not_scanned(
                        display,
                        Status::Error(format!("cannot resolve symlink: {err}")),
                    ));
                }
            }
        }
        // Checked after the link check, so a followed link to a directory outside the root
        // is reported and not descended (`visit` returns `Skip`).
        if ft.is_dir() {
            return Opened::Dir;
        }
        if !ft.is_file() {
            return Opened::NotScanned(InputReport::not_scanned(
                display,
                Status::Skipped(format!("not a regular file ({})", special_kind(&ft))),
            ));
        }
        // Non-blocking, no atime update, no symlink swapped in since the walk (see open_input).
        let file = match crate::scan::unpack::open_input(path, !e.path_is_symlink()) {
            Ok(f) => f,
            Err(err) => {
                return Opened::NotScanned(InputReport::not_scanned(
                    display,
                    Status::Error(format!("cannot open: {err}")),
                ));
            }
        };
        // Check what was opened, not what the walk saw: it may have been swapped since.
        match file.metadata() {
            Ok(m) if m.is_file() => {}
            Ok(m) => {
                return Opened::NotScanned(InputReport::not_scanned(
                    display,
                    Status::Skipped(format!(
                        "changed to a {} during the scan; not read",
                        if m.is_dir() {
                            "directory"
                        } else {
                            special_kind(&m.file_type())
                        }
                    )),
                ));
            }
            Err(err) => {
                return Opened::NotScanned(InputReport::not_scanned(
                    display,
                    Status::Error(format!("cannot stat: {err}")),
                ));
            }
        }
        if let Some(max) = self.shared.opts.max_filesize {
            match file.metadata() {
                Ok(m) if m.len() > max => {
                    return Opened::NotScanned(InputReport::not_scanned(
                        display,
                        Status::Skipped(format!(
                            "larger than --max-filesize ({} > {max} bytes)",
                            m.len()
                        )),
                    ));
                }
                Ok(_) => {}
                Err(err) => {
                    return Opened::NotScanned(InputReport::not_scanned(
                        display,
                        Status::Error(format!("cannot stat: {err}")),
                    ));
                }
            }
        }
        Opened::File(file, display)
    }
}

/// What visiting one walk entry produced.
enum Opened {
    /// A directory: nothing to report.
    Dir,
    /// Not scanned (skipped by policy, or an error), with its report.
    NotScanned(InputReport),
    /// An opened regular file to scan.
    File(File, Arc<str>),
    /// Another shard's entry, not descended: nothing to report.
    Other,
}

fn special_kind(ft: &std::fs::FileType) -> &'static str {
    use std::os::unix::fs::FileTypeExt;
    if ft.is_fifo() {
        "fifo"
    } else if ft.is_socket() {
        "socket"
    } else if ft.is_block_device() || ft.is_char_device() {
        "device"
    } else {
        "special file"
    }
}

/// The path a walk error is about, if any.
fn path_of(err: &ignore::Error) -> Option<&Path> {
    match err {
        ignore::Error::WithPath { path, .. } => Some(path),
        ignore::Error::WithDepth { err, .. } | ignore::Error::WithLineNumber { err, .. } => {
            path_of(err)
        }
        ignore::Error::Loop { child, .. } => Some(child),
        _ => None,
    }
}

/// How deep below its root the path of a walk error is (0 when the error does not say: a
/// root itself).
fn error_depth(err: &ignore::Error) -> usize {
    match err {
        ignore::Error::WithDepth { depth, .. } => *depth,
        ignore::Error::WithPath { err, .. } | ignore::Error::WithLineNumber { err, .. } => {
            error_depth(err)
        }
        _ => 0,
    }
}

/// The path a walk error's shard is chosen by: its path, or `<walk>` (which every shard would
/// see; its key puts it in one shard only).
fn walk_error_key(err: &ignore::Error) -> String {
    path_of(err).map_or_else(|| "<walk>".to_string(), display_path)
}

fn walk_error(err: ignore::Error) -> InputReport {
    let path = path_of(&err).map_or_else(|| "<walk>".to_string(), display_path);
    let reason = match &err {
        ignore::Error::Loop { .. } => "symlink loop".to_string(),
        _ => strip_path(&err.to_string(), &path),
    };
    InputReport::not_scanned(Arc::from(path.as_str()), Status::Error(reason))
}

fn strip_path(msg: &str, path: &str) -> String {
    msg.replacen(&format!("{path}: "), "", 1)
}

/// The display form of a path: as reached from the path given, without a leading `./`.
pub fn display_path(p: &Path) -> String {
    let s = p.to_string_lossy();
    s.strip_prefix("./").unwrap_or(&s).to_string()
}
