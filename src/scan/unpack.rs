//! Containers in the scan: one input that is an archive or a compressed stream becomes the
//! inputs it holds, each scanned like a file (`Scanner::scan_text`) under a member path
//! (`outer.zip!dir/inner.csv`). Recursion depth, expansion and member counts are capped by
//! [`archive::Limits`]; every cap hit and every corrupt container is reported for its input.
//!
//! Table files that need random access are detected here too, before the container check and
//! the binary skip: SQLite databases (by their 16-byte header), xlsx/xlsm/xlsb/ods (a zip whose
//! members say it is a workbook) and xls (an OLE2 file that calamine opens as one). They are read
//! in place when the input is a file, else from a spooled anonymous temp file, by
//! [`crate::formats::table`]. Office documents (docx, pptx, odt, odp: a zip whose members say
//! so) are read as paragraphs and tables by [`crate::formats::document`], not as members.
//!
//! Mail is a container too (`mail_walk`): a message's headers and bodies are one input, its
//! attachments members (`note.eml!attachment/x.csv`); an mbox's messages are `inbox.mbox!N`.

use std::fs::File;
use std::io::{self, Read, Seek, SeekFrom};
use std::path::Path;
use std::rc::Rc;
use std::sync::Arc;

use crate::detect::Scratch;
use crate::formats::{CellSink, FormatError, FormatStats};
use crate::formats::{document, mail, parquet, pdf, table};
use crate::input::archive::{self, Budget, Container, Counting, Guarded, Limits};
use crate::scan::outcome::{InputReport, Status};

mod mail_walk;
mod pdf_walk;

/// What unpacking needs of the scanner (implemented by [`super::Scanner`]): a member's display
/// name, and scanning a member as text or as cells. A trait owned here so the container walk
/// does not depend on the scanner that drives it.
pub trait Members {
    /// The display path of a member named `name` (values in it masked).
    fn display_name(&self, name: &str, scratch: &mut Scratch) -> Arc<str>;
    /// Scans one text member (already known not to be a container). Panics propagate.
    fn scan_text(
        &self,
        path: Arc<str>,
        reader: &mut dyn Read,
        scratch: &mut Scratch,
    ) -> InputReport;
    /// Scans one member whose cells come from `produce` (a table file). Panics propagate.
    fn scan_cells(
        &self,
        path: Arc<str>,
        format: &str,
        bytes: u64,
        produce: &mut dyn FnMut(&mut dyn CellSink) -> Result<FormatStats, FormatError>,
        scratch: &mut Scratch,
    ) -> InputReport;
}

/// Where an input's bytes come from.
pub enum Source<'a> {
    /// A regular file: seekable, so a zip is read in place.
    File(&'a mut File),
    /// Any other stream (stdin, an archive member).
    Stream(&'a mut dyn Read),
}

impl Read for Source<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        match self {
            Source::File(f) => f.read(buf),
            Source::Stream(r) => r.read(buf),
        }
    }
}

/// Opens an input file read-only, without side effects on it and without blocking:
///
/// * `O_NOATIME` where permitted (it needs the file's owner or `CAP_FOWNER`; retried without it
///   on `EPERM`), so a scan does not move access times;
/// * `O_NONBLOCK`, so a file swapped for a FIFO after the walk saw a regular file cannot block
///   the open (reads of regular files ignore the flag);
/// * `O_NOFOLLOW` when `nofollow`, so a file swapped for a symlink is not followed.
///
/// Callers must still check that what was opened is a regular file (`File::metadata`).
pub fn open_input(path: &Path, nofollow: bool) -> io::Result<File> {
    use std::os::unix::fs::OpenOptionsExt;
    let base = sys::O_NONBLOCK | if nofollow { sys::O_NOFOLLOW } else { 0 };
    let open = |flags: i32| {
        std::fs::OpenOptions::new()
            .read(true)
            .custom_flags(flags)
            .open(path)
    };
    match open(base | sys::O_NOATIME) {
        Err(e) if sys::O_NOATIME != 0 && e.raw_os_error() == Some(sys::EPERM) => open(base),
        r => r,
    }
}

/// Open flags (the crate has no `libc` dependency; values from the Linux uapi headers).
#[cfg(all(
    target_os = "linux",
    any(target_arch = "x86_64", target_arch = "x86", target_arch = "riscv64")
))]
mod sys {
    pub const O_NONBLOCK: i32 = 0o4000;
    pub const O_NOFOLLOW: i32 = 0o400000;
    pub const O_NOATIME: i32 = 0o1000000;
    pub const EPERM: i32 = 1;
}
#[cfg(all(target_os = "linux", any(target_arch = "aarch64", target_arch = "arm")))]
mod sys {
    pub const O_NONBLOCK: i32 = 0o4000;
    pub const O_NOFOLLOW: i32 = 0o100000;
    pub const O_NOATIME: i32 = 0o1000000;
    pub const EPERM: i32 = 1;
}
#[cfg(not(all(
    target_os = "linux",
    any(
        target_arch = "x86_64",
        target_arch = "x86",
        target_arch = "riscv64",
        target_arch = "aarch64",
        target_arch = "arm"
    )
)))]
mod sys {
    // Unknown values: no extra flags (the caller's file-type check still applies).
    pub const O_NONBLOCK: i32 = 0;
    pub const O_NOFOLLOW: i32 = 0;
    pub const O_NOATIME: i32 = 0;
    pub const EPERM: i32 = 1;
}

fn error(path: Arc<str>, why: String) -> InputReport {
    InputReport::not_scanned(path, Status::Error(why))
}

fn read_head(src: &mut dyn Read, buf: &mut [u8]) -> io::Result<usize> {
    let mut n = 0;
    while n < buf.len() {
        match src.read(&mut buf[n..]) {
            Ok(0) => break,
            Ok(k) => n += k,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        }
    }
    Ok(n)
}

/// The unpacking of one top-level input: what every container level needs, held once instead of
/// passed to each function.
///
/// It borrows the scanner (members are scanned like files), the caps ([`Limits`]), and the
/// [`Budget`] that accounts expansion and member counts across *all* nesting levels of this one
/// input — so a cap hit deep inside ends the whole input, not just one level. It also holds the
/// detector's scratch space and the output: every member, cap hit and corrupt container
/// appends its report to `out`, in scan order. Make one per top-level input (a fresh `Budget`
/// each), as `Scanner::scan_source` does.
pub struct Unpack<'a> {
    scanner: &'a dyn Members,
    limits: &'a Limits,
    budget: &'a Budget,
    scratch: &'a mut Scratch,
    out: &'a mut Vec<InputReport>,
}

impl<'a> Unpack<'a> {
    pub fn new(
        scanner: &'a dyn Members,
        limits: &'a Limits,
        budget: &'a Budget,
        scratch: &'a mut Scratch,
        out: &'a mut Vec<InputReport>,
    ) -> Self {
        Unpack {
            scanner,
            limits,
            budget,
            scratch,
            out,
        }
    }

    /// The display path of member `name` of the archive at `path`: the name masked where it
    /// holds a value (`Scanner::display_name`); `path` already is.
    fn member_path(&mut self, path: &str, name: &str) -> Arc<str> {
        let name = self.scanner.display_name(name, self.scratch);
        Arc::from(format!("{path}!{name}").as_str())
    }

    /// Scans `src` as whatever it is — text, a compressed stream, or an archive — appending one
    /// report per input found to `out`. `depth` is the number of containers around `src` (0
    /// for a top-level input).
    pub fn scan_any(&mut self, path: Arc<str>, mut src: Source<'_>, depth: u32) {
        let mut head = [0u8; archive::SNIFF_LEN];
        let n = match read_head(&mut src, &mut head) {
            Ok(n) => n,
            Err(e) => {
                self.out.push(error(path, format!("read error: {e}")));
                return;
            }
        };
        if parquet::sniff(&head[..n]) {
            self.scan_parquet_file(path, src, &head[..n]);
            return;
        }
        if pdf::sniff(&head[..n]) {
            self.scan_pdf(path, src, &head[..n]);
            return;
        }
        if head[..n].starts_with(table::SQLITE_MAGIC) || head[..n].starts_with(table::OLE2_MAGIC) {
            self.scan_table_file(path, src, &head[..n], depth);
            return;
        }
        let Some(kind) = archive::sniff(&head[..n]) else {
            if let Some(kind) = mail::sniff(&path, &head[..n]) {
                self.scan_mail(path, kind, (&head[..n]).chain(src), depth);
                return;
            }
            let mut chained = (&head[..n]).chain(src);
            self.out
                .push(self.scanner.scan_text(path, &mut chained, self.scratch));
            return;
        };
        if depth >= self.limits.max_depth {
            self.out.push(error(
                path,
                format!(
                    "{} nested deeper than {} containers (depth cap hit; not opened)",
                    kind.as_str(),
                    self.limits.max_depth
                ),
            ));
            return;
        }
        match kind {
            Container::Zip => self.scan_zip(path, src, &head[..n], depth),
            Container::Tar => {
                let chained = (&head[..n]).chain(src);
                self.scan_tar(path, chained, depth);
            }
            _ => {
                let (counted, count) = Counting::new((&head[..n]).chain(src));
                match archive::decompressor(kind, counted, archive::window_limit(depth)) {
                    Ok(dec) => {
                        let mut guarded = Guarded::new(dec, count, *self.limits, self.budget);
                        self.scan_any(path, Source::Stream(&mut guarded), depth + 1);
                    }
                    Err(e) => self
                        .out
                        .push(error(path, format!("corrupt {}: {e}", kind.as_str()))),
                }
            }
        }
    }

    fn scan_tar(&mut self, path: Arc<str>, reader: impl Read, depth: u32) {
        let first = self.out.len();
        self.scan_tar_members(path.clone(), reader, depth);
        self.archive_itself(path, "tar", first);
    }

    /// An archive with no member to report (empty, only directories) is still one input: without
    /// this it would vanish from the report. Found by the `archive` fuzz target.
    fn archive_itself(&mut self, path: Arc<str>, format: &str, first: usize) {
        if self.out.len() == first {
            let mut r = InputReport::not_scanned(path, Status::Scanned);
            r.format = Some(format.to_string());
            self.out.push(r);
        }
    }

    fn scan_tar_members(&mut self, path: Arc<str>, reader: impl Read, depth: u32) {
        let (limits, budget) = (self.limits, self.budget);
        let mut ar = tar::Archive::new(reader);
        let entries = match ar.entries() {
            Ok(e) => e,
            Err(e) => {
                self.out.push(error(path, format!("corrupt tar: {e}")));
                return;
            }
        };
        for entry in entries {
            let mut entry = match entry {
                Ok(e) => e,
                Err(e) => {
                    self.out.push(error(
                        path.clone(),
                        format!("corrupt tar: {}", cap_or(budget, &e)),
                    ));
                    return;
                }
            };
            if budget.count_member(limits).is_err() {
                self.out.push(stopped(path, budget, limits));
                return;
            }
            let name = String::from_utf8_lossy(&entry.path_bytes()).into_owned();
            let member = self.member_path(&path, &name);
            use tar::EntryType as T;
            match entry.header().entry_type() {
                T::Regular | T::Continuous | T::GNUSparse => {
                    self.scan_any(member, Source::Stream(&mut entry), depth + 1);
                }
                T::Directory | T::XGlobalHeader | T::XHeader | T::GNULongName | T::GNULongLink => {}
                T::Symlink | T::Link => self.out.push(InputReport::not_scanned(
                    member,
                    Status::Skipped("archive member is a link (names only, never followed)".into()),
                )),
                other => self.out.push(InputReport::not_scanned(
                    member,
                    Status::Skipped(format!("archive member is not a regular file ({other:?})")),
                )),
            }
            if budget.exhausted().is_some() {
                self.out.push(stopped(path, budget, limits));
                return;
            }
        }
    }

    fn scan_zip(&mut self, path: Arc<str>, src: Source<'_>, head: &[u8], depth: u32) {
        // Zip needs random access: use the file in place, or spool a stream to an anonymous temp
        // file (unlinked at creation, mode 0600, gone when dropped).
        let file = match src {
            Source::File(f) => f.seek(SeekFrom::Start(0)).and_then(|_| f.try_clone()),
            Source::Stream(r) => spool(head.chain(r), self.limits.max_spool),
        };
        match file {
            Ok(f) => {
                let first = self.out.len();
                self.scan_zip_file(path.clone(), f, depth);
                self.archive_itself(path, "zip", first);
            }
            Err(e) => self.out.push(error(
                path,
                format!("read error: {}", cap_or(self.budget, &e)),
            )),
        }
    }

    /// A SQLite database or an OLE2 file (xls if calamine opens it as one; anything else is
    /// scanned like any other input, i.e. skipped as binary).
    fn scan_table_file(&mut self, path: Arc<str>, src: Source<'_>, head: &[u8], depth: u32) {
        // SQLite opens databases by name (it resolves `/proc/self/fd/N`, which for an unlinked
        // file names nothing), so a database that is not a file on disk is spooled to a *named*
        // temp file (mode 0600, in a private 0700 temp dir, removed when dropped) instead of an
        // anonymous one.
        let is_sqlite = head.starts_with(table::SQLITE_MAGIC);
        let mut named = None;
        let file = match src {
            Source::File(f) => f.seek(SeekFrom::Start(0)).and_then(|_| f.try_clone()),
            Source::Stream(r) if is_sqlite => spool_named(head.chain(r), self.limits.max_spool)
                .and_then(|t| {
                    let f = t.file.reopen();
                    named = Some(t);
                    f
                }),
            Source::Stream(r) => spool(head.chain(r), self.limits.max_spool),
        };
        let mut file = match file {
            Ok(f) => f,
            Err(e) => {
                self.out.push(error(
                    path,
                    format!("read error: {}", cap_or(self.budget, &e)),
                ));
                return;
            }
        };
        let bytes = file.metadata().map_or(0, |m| m.len());
        if is_sqlite {
            let at = named.as_ref().map(|t| t.file.path());
            self.out.push(self.scanner.scan_cells(
                path,
                "sqlite",
                bytes,
                &mut |sink| table::scan_sqlite(&file, at, sink),
                self.scratch,
            ));
            return;
        }
        if self.try_msg(&path, &file, bytes, depth) {
            return;
        }
        if bytes > table::WORKBOOK_CAP {
            self.out.push(InputReport::not_scanned(
                path,
                Status::Skipped(format!(
                    "OLE2 file larger than {} bytes: not opened as an xls workbook (workbook cap)",
                    table::WORKBOOK_CAP
                )),
            ));
            return;
        }
        let opened = match file.try_clone() {
            Ok(f) => table::open_ole2(f),
            Err(e) => {
                self.out.push(error(path, format!("read error: {e}")));
                return;
            }
        };
        match opened {
            table::Ole2::Xls(mut book) => self.out.push(self.scanner.scan_cells(
                path,
                "xls",
                bytes,
                &mut |sink| table::scan_workbook("xls", &mut book, sink),
                self.scratch,
            )),
            table::Ole2::Unsound(why) => {
                let mut r = error(path, format!("not read as an xls workbook: {why}"));
                r.format = Some("xls".into());
                self.out.push(r);
            }
            table::Ole2::Encrypted => {
                let mut r = error(path, "password-protected xls workbook: not readable".into());
                r.format = Some("xls".into());
                self.out.push(r);
            }
            table::Ole2::Other => match file.seek(SeekFrom::Start(0)) {
                Ok(_) => self
                    .out
                    .push(self.scanner.scan_text(path, &mut file, self.scratch)),
                Err(e) => self.out.push(error(path, format!("read error: {e}"))),
            },
        }
    }

    /// A Parquet file (see [`crate::formats::parquet`]), read in place or from a spooled
    /// anonymous copy (random access: the footer is at the end).
    #[cfg(feature = "parquet")]
    fn scan_parquet_file(&mut self, path: Arc<str>, src: Source<'_>, head: &[u8]) {
        let file = match src {
            Source::File(f) => f.seek(SeekFrom::Start(0)).and_then(|_| f.try_clone()),
            Source::Stream(r) => spool(head.chain(r), self.limits.max_spool),
        };
        let file = match file {
            Ok(f) => f,
            Err(e) => {
                let mut r = error(path, format!("read error: {}", cap_or(self.budget, &e)));
                r.format = Some("parquet".into());
                self.out.push(r);
                return;
            }
        };
        let bytes = file.metadata().map_or(0, |m| m.len());
        let mut file = Some(file);
        self.out.push(self.scanner.scan_cells(
            path,
            "parquet",
            bytes,
            &mut |sink| match file.take() {
                Some(f) => parquet::scan(f, sink),
                None => Ok(Default::default()),
            },
            self.scratch,
        ));
    }

    /// Without the `parquet` feature, a Parquet file is listed as skipped with the reason: never
    /// passed over in silence, never mistaken for "clean".
    #[cfg(not(feature = "parquet"))]
    fn scan_parquet_file(&mut self, path: Arc<str>, _src: Source<'_>, _head: &[u8]) {
        let mut r = InputReport::not_scanned(path, Status::Skipped(parquet::NOT_COMPILED.into()));
        r.format = Some("parquet".into());
        self.out.push(r);
    }

    /// A zip that is a document (docx, pptx, odt, odp): scanned as paragraphs and tables, not as
    /// members. Its parts' declared size is capped as a workbook's is.
    fn scan_zip_document(
        &mut self,
        path: Arc<str>,
        kind: document::Document,
        mut zip: zip::ZipArchive<File>,
        file: io::Result<File>,
    ) {
        let declared = table::zip_declared_size(&mut zip);
        if declared > table::WORKBOOK_CAP {
            let mut r = error(
                path,
                format!(
                    "{} document declares more than {} bytes uncompressed (document cap hit)",
                    kind.name(),
                    table::WORKBOOK_CAP
                ),
            );
            r.format = Some(kind.name().into());
            self.out.push(r);
            return;
        }
        let bytes = file
            .ok()
            .and_then(|f| f.metadata().ok())
            .map_or(0, |m| m.len());
        self.out.push(self.scanner.scan_cells(
            path,
            kind.name(),
            bytes,
            &mut |sink| document::scan(kind, &mut zip, sink),
            self.scratch,
        ));
    }

    /// A zip that is a workbook: scanned as sheets, not as members.
    fn scan_zip_book(
        &mut self,
        path: Arc<str>,
        kind: table::ZipBook,
        declared: u64,
        file: io::Result<File>,
    ) {
        let fail = |path: Arc<str>, why: String| {
            let mut r = error(path, why);
            r.format = Some(kind.name().into());
            r
        };
        if declared > table::WORKBOOK_CAP {
            self.out.push(fail(
                path,
                format!(
                    "{} workbook declares more than {} bytes uncompressed (workbook cap hit)",
                    kind.name(),
                    table::WORKBOOK_CAP
                ),
            ));
            return;
        }
        let file = match file {
            Ok(f) => f,
            Err(e) => {
                self.out.push(fail(path, format!("read error: {e}")));
                return;
            }
        };
        let bytes = file.metadata().map_or(0, |m| m.len());
        match table::open_zip_book(kind, file) {
            Ok(mut book) => self.out.push(self.scanner.scan_cells(
                path,
                kind.name(),
                bytes,
                &mut |sink| table::scan_workbook(kind.name(), &mut book, sink),
                self.scratch,
            )),
            Err(e) => self.out.push(fail(path, e.to_string())),
        }
    }

    fn scan_zip_file(&mut self, path: Arc<str>, file: File, depth: u32) {
        let (limits, budget) = (self.limits, self.budget);
        let book_file = file.try_clone();
        let mut zip = match zip::ZipArchive::new(file) {
            Ok(z) => z,
            Err(e) => {
                self.out.push(error(path, format!("corrupt zip: {e}")));
                return;
            }
        };
        // Fifield-style bombs: many entries whose compressed data is one shared or overlapping
        // kernel. Refused before anything is expanded (checking reads each local header once).
        match zip.has_overlapping_files() {
            Ok(false) => {}
            Ok(true) => {
                self.out.push(error(path, archive::OVERLAP_CAP.to_string()));
                return;
            }
            Err(e) => {
                self.out.push(error(path, format!("corrupt zip: {e}")));
                return;
            }
        }
        if let Some(kind) = table::zip_book(&mut zip) {
            let declared = table::zip_declared_size(&mut zip);
            self.scan_zip_book(path, kind, declared, book_file);
            return;
        }
        if let Some(kind) = document::zip_document(&mut zip) {
            self.scan_zip_document(path, kind, zip, book_file);
            return;
        }
        if zip.len() as u64 > limits.max_members {
            self.out.push(error(
                path.clone(),
                format!(
                    "more than {} archive members (member cap hit)",
                    limits.max_members
                ),
            ));
            return;
        }
        for i in 0..zip.len() {
            if budget.count_member(limits).is_err() {
                self.out.push(stopped(path, budget, limits));
                return;
            }
            let mut entry = match zip.by_index(i) {
                Ok(e) => e,
                Err(e) => {
                    self.out.push(error(
                        Arc::from(format!("{path}!#{i}").as_str()),
                        format!("unreadable zip member: {e}"),
                    ));
                    continue;
                }
            };
            let name = match entry.name() {
                Ok(n) => n.into_owned(),
                Err(_) => format!("#{i}"),
            };
            let member = self.member_path(&path, &name);
            if entry.is_dir() {
                continue;
            }
            if entry.is_symlink() {
                self.out.push(InputReport::not_scanned(
                    member,
                    Status::Skipped("archive member is a link (names only, never followed)".into()),
                ));
                continue;
            }
            // The entry decompresses itself; guard its output against its compressed size.
            let compressed = Rc::new(std::cell::Cell::new(entry.compressed_size()));
            let mut guarded = Guarded::new(&mut entry, compressed, *limits, budget);
            self.scan_any(member, Source::Stream(&mut guarded), depth + 1);
            if budget.exhausted().is_some() {
                self.out.push(stopped(path, budget, limits));
                return;
            }
        }
    }
}

/// The report for an archive whose remaining members were not opened because a budget-wide
/// cap ([`archive::TOTAL_CAP`], [`archive::MEMBER_CAP`]) ended its top-level input.
fn stopped(path: Arc<str>, budget: &Budget, limits: &Limits) -> InputReport {
    let why = match budget.exhausted() {
        Some(archive::MEMBER_CAP) => format!(
            "{} (more than {} members); remaining members not scanned",
            archive::MEMBER_CAP,
            limits.max_members
        ),
        Some(cap) => format!("{cap}; remaining members not scanned"),
        None => "remaining members not scanned".to_string(),
    };
    error(path, why)
}

/// The cap message if a cap caused `e`, else `e` itself.
fn cap_or(budget: &Budget, e: &io::Error) -> String {
    budget
        .cap_hit()
        .map_or_else(|| e.to_string(), str::to_string)
}

/// Like [`spool`], into a named temp file (mode 0600) in a private temp dir (mode 0700); both
/// are removed when dropped (the file first: fields drop in declaration order).
fn spool_named(mut r: impl Read, max: u64) -> io::Result<NamedSpool> {
    let dir = tempfile::tempdir()?;
    let mut tmp = tempfile::NamedTempFile::new_in(dir.path())?;
    let n = io::copy(&mut (&mut r).take(max + 1), tmp.as_file_mut())?;
    if n > max {
        return Err(io::Error::other(format!(
            "spooled input (table file) larger than {max} bytes (spool cap hit)"
        )));
    }
    Ok(NamedSpool {
        file: tmp,
        _dir: dir,
    })
}

/// A spooled copy with a name, see [`spool_named`].
struct NamedSpool {
    file: tempfile::NamedTempFile,
    _dir: tempfile::TempDir,
}

/// Copies `r` into an anonymous temp file (at most `max` bytes) and rewinds it.
fn spool(mut r: impl Read, max: u64) -> io::Result<File> {
    let mut tmp = tempfile::tempfile()?;
    let n = io::copy(&mut (&mut r).take(max + 1), &mut tmp)?;
    if n > max {
        return Err(io::Error::other(format!(
            "spooled input (nested zip or table file) larger than {max} bytes (spool cap hit)"
        )));
    }
    tmp.seek(SeekFrom::Start(0))?;
    Ok(tmp)
}
