//! Archives and compressed streams: redact every member and re-pack them the same way.
//!
//! This module owns re-packing. An input that [`crate::input::archive::sniff`] recognises is taken
//! apart **in memory** (never extracted to disk: a member name such as `../../x` or `/etc/x` is
//! only a name, copied into the new archive as it was), each member is redacted like a file
//! under the scanner's display path (`outer.zip!dir/inner.csv`, nested `a.tar.gz!b.zip!c.csv`,
//! so rules scoped to a report's input and verification both see the same names), and the
//! container is written back in its own format:
//!
//! * **gzip / bzip2 / zstd** — the stream is decompressed, its content redacted, and compressed
//!   again in the same format (gzip keeps its header's file name, mtime and OS byte; bzip2 its
//!   block size; zstd is written at the crate's fastest level, the only one it implements; xz
//!   at preset 6, xz's default). A stream whose content needs no change is copied unchanged.
//! * **zip** — same member names (raw bytes), order, directory entries, compression method,
//!   modification time and permissions, and the archive comment. A member that was not changed
//!   (nothing to redact, binary, not parseable) is copied byte for byte, compressed data
//!   included; the receipt notes each one copied because it could not be redacted.
//! * **tar** (and so tar.gz / .tgz) — every header is copied as it was (name, mode, mtime,
//!   owner, GNU long-name and PAX records), only a rewritten member's size and checksum change.
//!
//! The scanner's caps ([`Limits`]) apply exactly as in `scan` — nesting depth, expansion ratio
//! per layer, total bytes expanded, members per input, overlapping zip entries — plus the
//! redaction size cap per member (members are decoded whole). Any cap hit, a corrupt layer or
//! an unsupported one fails the whole top-level input with the reason: a partial archive is
//! never written. Workbooks (xlsx/xlsb/ods) inside archives are not rewritten (copied
//! unchanged and noted; verification then reports what they still hold); a workbook that is
//! the input itself (possibly compressed) is not redacted, and its reason says "workbook", not
//! "archive" — to the user it is a spreadsheet, whatever the container sniffer sees. SQLite
//! databases inside archives are redacted like top-level ones ([`super::sqlite`]). Mail
//! (`.eml`, mbox) and PDF are not rewritten either: inside an archive it is copied unchanged and noted;
//! as the input itself (possibly compressed) it fails with the reason.

use std::io::{self, Cursor, Read, Write};
use std::rc::Rc;

use thiserror::Error;

use super::{Applied, Redacted, Redactor};
use crate::detect::Scratch;
use crate::formats::{document, mail, pdf, table};
use crate::input::archive::{self, Budget, Container, Counting, Guarded, Limits};

/// Why an archive (or compressed stream) was not written. Messages name members and caps,
/// never member contents.
#[derive(Debug, Error)]
pub enum ArchiveError {
    /// A cap of [`Limits`] (or the redaction size cap) was hit.
    #[error("{0}; archive not written")]
    Cap(String),
    /// A layer could not be read.
    #[error("{path}: corrupt {format}: {message}; archive not written")]
    Corrupt {
        /// Display path of the layer.
        path: String,
        /// Container format.
        format: &'static str,
        /// What failed.
        message: String,
    },
    /// A layer or member this build cannot rewrite.
    #[error("{path}: {message}; archive not written")]
    Unsupported {
        /// Display path of the layer.
        path: String,
        /// Why.
        message: String,
    },
    /// The input itself is a workbook (xlsx, ods, …): a zip to the container sniffer, but a
    /// spreadsheet to the user, so the message says so rather than "archive".
    #[error("{path}: {book} workbooks are not redacted; no copy written")]
    Workbook {
        /// Display path.
        path: String,
        /// Workbook format (`xlsx`, `ods`, …).
        book: &'static str,
    },
    /// The input itself is an office document (docx, pptx, odt, odp): read by the scanner, but
    /// not rewritten by `redact` (yet), and the message says so.
    #[error("{path}: {doc} documents are not rewritten by redact; no copy written")]
    Document {
        /// Display path.
        path: String,
        /// Document format (`docx`, `odt`, …).
        doc: &'static str,
    },
    /// The input itself is mail (an `.eml` message or an mbox, by content): read by the
    /// scanner, bodies decoded and attachments opened, but not rewritten by `redact` — a copy
    /// redacted as plain text would keep its encoded bodies and attachments as they were.
    #[error("{path}: {kind} messages are not rewritten by redact; no copy written")]
    Mail {
        /// Display path.
        path: String,
        /// Mail format (`email`, `mbox`, `Outlook msg`).
        kind: &'static str,
    },
    /// Writing the new archive failed.
    #[error("{path}: cannot re-pack {format}: {message}")]
    Write {
        /// Display path of the layer.
        path: String,
        /// Container format.
        format: &'static str,
        /// What failed.
        message: String,
    },
}

/// A rewritten zip member: new bytes, the entry's options, its raw name.
type Rewritten = (Vec<u8>, zip::write::SimpleFileOptions, Vec<u8>);

/// State for one top-level input: caps accounting and what happened to its members.
struct Ctx<'a, 'r> {
    r: &'a Redactor<'r>,
    budget: Budget,
    scratch: &'a mut Scratch,
    applied: Applied,
    dropped: usize,
    notes: Vec<String>,
    type_errors: Vec<super::verify::TypeError>,
    generated: std::collections::BTreeSet<String>,
    /// The top-level input's display path (a compressed layer keeps it).
    top: String,
}

/// Why `raw` (the file at `rel`) is not rewritten, if it is mail ([`ArchiveError::Mail`]) or a
/// PDF ([`ArchiveError::Document`]).
pub fn not_rewritten(raw: &[u8], rel: &str) -> Option<ArchiveError> {
    let head = &raw[..raw.len().min(archive::SNIFF_LEN)];
    if pdf::sniff(head) {
        return Some(ArchiveError::Document {
            path: rel.to_string(),
            doc: "pdf",
        });
    }
    let outlook = head.starts_with(table::OLE2_MAGIC)
        && rel
            .rsplit('.')
            .next()
            .is_some_and(|e| e.eq_ignore_ascii_case("msg"));
    let kind = if outlook {
        Some("Outlook msg")
    } else {
        mail::sniff(rel, head).map(mail::Mail::name)
    };
    kind.map(|kind| ArchiveError::Mail {
        path: rel.to_string(),
        kind,
    })
}

/// Redacts the archive or compressed stream `raw` (the file at `rel`) into a new one of the same
/// format (see the module docs).
pub fn redact(
    r: &Redactor<'_>,
    raw: &[u8],
    rel: &str,
    scratch: &mut Scratch,
) -> Result<Redacted, ArchiveError> {
    let format = archive::sniff(&raw[..raw.len().min(archive::SNIFF_LEN)])
        .map_or("archive", Container::as_str);
    let mut cx = Ctx {
        r,
        budget: Budget::default(),
        scratch,
        applied: Applied::new(),
        dropped: 0,
        notes: Vec::new(),
        type_errors: Vec::new(),
        generated: Default::default(),
        top: rel.to_string(),
    };
    let bytes = cx.any(raw, rel, 0)?.unwrap_or_else(|| raw.to_vec());
    Ok(Redacted {
        bytes,
        format,
        encoding: None,
        applied: cx.applied,
        dropped_fields: cx.dropped,
        notes: cx.notes,
        type_errors: cx.type_errors,
        generated: cx.generated,
    })
}

fn write_err(path: &str, format: &'static str, e: impl std::fmt::Display) -> ArchiveError {
    ArchiveError::Write {
        path: path.to_string(),
        format,
        message: e.to_string(),
    }
}

impl Ctx<'_, '_> {
    fn limits(&self) -> Limits {
        self.r.limits
    }

    /// The cap behind a read error, or the error as corruption of `format` at `path`.
    fn read_failed(&self, path: &str, format: &'static str, e: &io::Error) -> ArchiveError {
        match self.budget.cap_hit() {
            Some(cap) => ArchiveError::Cap(format!("{path}: {cap}")),
            None => ArchiveError::Corrupt {
                path: path.to_string(),
                format,
                message: e.to_string(),
            },
        }
    }

    /// Reads `src` whole, up to the redaction size cap.
    fn read_capped(
        &self,
        src: &mut dyn Read,
        path: &str,
        format: &'static str,
    ) -> Result<Vec<u8>, ArchiveError> {
        let max = self.r.max_filesize;
        let mut out = Vec::new();
        src.take(max.saturating_add(1))
            .read_to_end(&mut out)
            .map_err(|e| self.read_failed(path, format, &e))?;
        if out.len() as u64 > max {
            return Err(ArchiveError::Cap(format!(
                "{path}: larger than the redaction size cap ({max} bytes) once expanded"
            )));
        }
        Ok(out)
    }

    fn count_member(&self, path: &str) -> Result<(), ArchiveError> {
        self.budget.count_member(&self.limits()).map_err(|cap| {
            ArchiveError::Cap(format!(
                "{path}: {cap} (more than {} members)",
                self.limits().max_members
            ))
        })
    }

    /// Redacts `raw` found at `path` (a member or a decompressed layer) at nesting `depth`:
    /// `Some` new bytes, or `None` when they are to be kept unchanged.
    fn any(&mut self, raw: &[u8], path: &str, depth: u32) -> Result<Option<Vec<u8>>, ArchiveError> {
        let head = &raw[..raw.len().min(archive::SNIFF_LEN)];
        if head.starts_with(table::SQLITE_MAGIC) {
            return self.sqlite(raw, path);
        }
        let Some(kind) = archive::sniff(head) else {
            if pdf::sniff(head) {
                if path != self.top {
                    self.notes.push(format!(
                        "{path}: copied unchanged (pdf documents are not rewritten)"
                    ));
                    return Ok(None);
                }
                return Err(ArchiveError::Document {
                    path: path.to_string(),
                    doc: "pdf",
                });
            }
            if let Some(m) = mail::sniff(path, head) {
                if path != self.top {
                    self.notes.push(format!(
                        "{path}: copied unchanged ({} messages are not rewritten)",
                        m.name()
                    ));
                    return Ok(None);
                }
                return Err(ArchiveError::Mail {
                    path: path.to_string(),
                    kind: m.name(),
                });
            }
            return Ok(self.text(raw, path));
        };
        if depth >= self.limits().max_depth {
            return Err(ArchiveError::Cap(format!(
                "{path}: {} nested deeper than {} containers (depth cap hit)",
                kind.as_str(),
                self.limits().max_depth
            )));
        }
        match kind {
            Container::Zip => self.zip(raw, path, depth),
            Container::Tar => self.tar(raw, path, depth),
            _ => self.stream(kind, raw, path, depth),
        }
    }

    /// Adds one member's redaction counts to the archive's.
    fn count(&mut self, applied: Applied, dropped: usize) {
        for (kind, by) in applied {
            for (action, n) in by {
                *self
                    .applied
                    .entry(kind)
                    .or_default()
                    .entry(action)
                    .or_default() += n;
            }
        }
        self.dropped += dropped;
    }

    /// A text member, redacted like a file; `None` (and a note) if it cannot be.
    fn text(&mut self, raw: &[u8], path: &str) -> Option<Vec<u8>> {
        match self.r.redact_bytes(raw, path, self.scratch) {
            Ok(red) => {
                self.count(red.applied, red.dropped_fields);
                self.notes
                    .extend(red.notes.into_iter().map(|n| format!("{path}: {n}")));
                self.type_errors.extend(red.type_errors);
                self.generated.extend(red.generated);
                (red.bytes != raw).then_some(red.bytes)
            }
            Err(why) => {
                self.notes.push(format!("{path}: copied unchanged ({why})"));
                None
            }
        }
    }

    /// A SQLite database member: redacted through a private temp dir.
    fn sqlite(&mut self, raw: &[u8], path: &str) -> Result<Option<Vec<u8>>, ArchiveError> {
        match super::sqlite::redact_bytes(self.r, raw, path, self.scratch) {
            Ok(red) => {
                self.count(red.applied, red.dropped_fields);
                self.notes
                    .extend(red.notes.into_iter().map(|n| format!("{path}: {n}")));
                Ok(Some(red.bytes))
            }
            Err(e) => Err(ArchiveError::Unsupported {
                path: path.to_string(),
                message: e.to_string(),
            }),
        }
    }

    /// gzip, bzip2, zstd, xz: decompress, redact the content, compress the same way.
    fn stream(
        &mut self,
        kind: Container,
        raw: &[u8],
        path: &str,
        depth: u32,
    ) -> Result<Option<Vec<u8>>, ArchiveError> {
        let name = kind.as_str();
        let (counted, count) = Counting::new(raw);
        let dec =
            archive::decompressor(kind, counted, archive::window_limit(depth)).map_err(|e| {
                ArchiveError::Corrupt {
                    path: path.to_string(),
                    format: name,
                    message: e.to_string(),
                }
            })?;
        let mut guarded = Guarded::new(dec, count, self.limits(), &self.budget);
        let inner = self.read_capped(&mut guarded, path, name)?;
        drop(guarded);
        // A compressed stream is transparent: its content keeps the display path.
        let Some(new) = self.any(&inner, path, depth + 1)? else {
            return Ok(None);
        };
        let out = match kind {
            Container::Gzip => {
                let mut b = flate2::GzBuilder::new();
                let mut header = flate2::read::GzDecoder::new(raw);
                // The header is parsed by the first read.
                let _ = header.read(&mut [0u8; 1]);
                if let Some(h) = header.header() {
                    b = b.mtime(h.mtime()).operating_system(h.operating_system());
                    if let Some(f) = h.filename() {
                        b = b.filename(f);
                    }
                }
                let mut e = b.write(Vec::new(), flate2::Compression::default());
                e.write_all(&new).map_err(|e| write_err(path, name, e))?;
                e.finish().map_err(|e| write_err(path, name, e))?
            }
            Container::Bzip2 => {
                // `BZh1`..`BZh9`: the block size, i.e. the level it was written with.
                let level = raw.get(3).map_or(9, |b| u32::from(b.saturating_sub(b'0')));
                let mut e = bzip2::write::BzEncoder::new(
                    Vec::new(),
                    bzip2::Compression::new(level.clamp(1, 9)),
                );
                e.write_all(&new).map_err(|e| write_err(path, name, e))?;
                e.finish().map_err(|e| write_err(path, name, e))?
            }
            Container::Xz => {
                // Preset 6 is xz's default (8 MiB dictionary: within the scanner's window caps).
                let mut e =
                    lzma_rust2::XzWriter::new(Vec::new(), lzma_rust2::XzOptions::with_preset(6))
                        .map_err(|e| write_err(path, name, e))?;
                e.write_all(&new).map_err(|e| write_err(path, name, e))?;
                e.finish().map_err(|e| write_err(path, name, e))?
            }
            Container::Zstd => ruzstd::encoding::compress_to_vec(
                &new[..],
                ruzstd::encoding::CompressionLevel::Fastest,
            ),
            _ => {
                return Err(ArchiveError::Unsupported {
                    path: path.to_string(),
                    // Unreachable: `any` sends archives to `zip` / `tar`.
                    message: format!("{name} is not a compressed stream"),
                });
            }
        };
        Ok(Some(out))
    }

    /// zip: each member redacted, the rest copied raw (see the module docs).
    fn zip(&mut self, raw: &[u8], path: &str, depth: u32) -> Result<Option<Vec<u8>>, ArchiveError> {
        let corrupt = |e: zip::result::ZipError| ArchiveError::Corrupt {
            path: path.to_string(),
            format: "zip",
            message: e.to_string(),
        };
        let mut zip = zip::ZipArchive::new(Cursor::new(raw)).map_err(corrupt)?;
        match zip.has_overlapping_files() {
            Ok(false) => {}
            Ok(true) => {
                return Err(ArchiveError::Cap(format!(
                    "{path}: {}",
                    archive::OVERLAP_CAP
                )));
            }
            Err(e) => return Err(corrupt(e)),
        }
        if let Some(doc) = document::zip_document(&mut zip) {
            if path != self.top {
                self.notes.push(format!(
                    "{path}: copied unchanged ({} documents are not rewritten)",
                    doc.name()
                ));
                return Ok(None);
            }
            return Err(ArchiveError::Document {
                path: path.to_string(),
                doc: doc.name(),
            });
        }
        if let Some(book) = table::zip_book(&mut zip) {
            if path != self.top {
                // A workbook inside an archive is copied as it was (noted), like other members
                // that cannot be redacted; verification then reports what it holds.
                self.notes.push(format!(
                    "{path}: copied unchanged ({} workbooks are not redacted)",
                    book.name()
                ));
                return Ok(None);
            }
            return Err(ArchiveError::Workbook {
                path: path.to_string(),
                book: book.name(),
            });
        }
        if zip.len() as u64 > self.limits().max_members {
            return Err(ArchiveError::Cap(format!(
                "{path}: more than {} archive members (member cap hit)",
                self.limits().max_members
            )));
        }
        // Read and redact every member first: nothing is written unless all of them pass.
        let mut new: Vec<Option<Rewritten>> = Vec::with_capacity(zip.len());
        for i in 0..zip.len() {
            self.count_member(path)?;
            let mut entry = zip.by_index(i).map_err(|e| ArchiveError::Unsupported {
                path: format!("{path}!#{i}"),
                message: format!("unreadable zip member ({e})"),
            })?;
            if entry.is_dir() || entry.is_symlink() {
                new.push(None);
                continue;
            }
            let name = match entry.name() {
                Ok(n) => n.into_owned(),
                Err(_) => format!("#{i}"),
            };
            let member = format!("{path}!{name}");
            let options = entry.options();
            let name_raw = entry.name_raw().to_vec();
            // The entry decompresses itself; guard its output against its compressed size.
            let compressed = Rc::new(std::cell::Cell::new(entry.compressed_size()));
            let mut guarded = Guarded::new(&mut entry, compressed, self.limits(), &self.budget);
            let bytes = self.read_capped(&mut guarded, &member, "zip")?;
            drop(guarded);
            drop(entry);
            new.push(
                self.any(&bytes, &member, depth + 1)?
                    .map(|b| (b, options, name_raw)),
            );
        }
        if new.iter().all(Option::is_none) {
            return Ok(None);
        }
        let mut out = zip::ZipWriter::new(Cursor::new(Vec::new()));
        for (i, redone) in new.into_iter().enumerate() {
            match redone {
                Some((bytes, options, name_raw)) => {
                    out.start_file_with_options(options.name(&name_raw))
                        .map_err(|e| write_err(path, "zip", e))?;
                    out.write_all(&bytes)
                        .map_err(|e| write_err(path, "zip", e))?;
                }
                None => {
                    let entry = zip.by_index_raw(i).map_err(corrupt)?;
                    out.raw_copy_file(entry)
                        .map_err(|e| write_err(path, "zip", e))?;
                }
            }
        }
        if !zip.comment().is_empty() {
            out.set_raw_comment(zip.comment().into())
                .map_err(|e| write_err(path, "zip", e))?;
        }
        let cursor = out.finish().map_err(|e| write_err(path, "zip", e))?;
        Ok(Some(cursor.into_inner()))
    }

    /// tar: headers copied as they were, rewritten members get a new size and checksum.
    fn tar(&mut self, raw: &[u8], path: &str, depth: u32) -> Result<Option<Vec<u8>>, ArchiveError> {
        let corrupt = |e: io::Error| ArchiveError::Corrupt {
            path: path.to_string(),
            format: "tar",
            message: e.to_string(),
        };
        let mut ar = tar::Archive::new(raw);
        // Raw mode: GNU long-name and PAX records come as entries of their own, so they are
        // copied as they were (and the names they carry are read here for display paths).
        let entries = ar.entries().map_err(corrupt)?.raw(true);
        let mut items: Vec<(tar::Header, Vec<u8>, bool)> = Vec::new();
        let mut long_name: Option<String> = None;
        let mut changed = false;
        for entry in entries {
            let mut entry = entry.map_err(corrupt)?;
            let header = entry.header().clone();
            let typ = header.entry_type();
            let data = self.read_capped(&mut entry, path, "tar")?;
            use tar::EntryType as T;
            match typ {
                T::GNULongName => {
                    let end = data.iter().position(|&b| b == 0).unwrap_or(data.len());
                    long_name = Some(String::from_utf8_lossy(&data[..end]).into_owned());
                }
                T::XHeader => {
                    for rec in pax_records(&data) {
                        match rec {
                            ("path", v) => long_name = Some(v.to_string()),
                            ("size", _) => {
                                return Err(ArchiveError::Unsupported {
                                    path: path.to_string(),
                                    message: "tar member size set by a PAX record (not rewritten)"
                                        .into(),
                                });
                            }
                            _ => {}
                        }
                    }
                }
                T::Regular | T::Continuous => {
                    self.count_member(path)?;
                    let name = long_name.take().unwrap_or_else(|| {
                        String::from_utf8_lossy(&entry.path_bytes()).into_owned()
                    });
                    let member = format!("{path}!{name}");
                    if let Some(b) = self.any(&data, &member, depth + 1)? {
                        let mut h = header;
                        h.set_size(b.len() as u64);
                        h.set_cksum();
                        items.push((h, b, true));
                        changed = true;
                        continue;
                    }
                }
                T::GNUSparse => {
                    return Err(ArchiveError::Unsupported {
                        path: path.to_string(),
                        message: "GNU sparse tar members are not rewritten".into(),
                    });
                }
                T::GNULongLink | T::XGlobalHeader => {}
                _ => {
                    self.count_member(path)?;
                    long_name = None;
                }
            }
            items.push((header, data, false));
        }
        if !changed {
            return Ok(None);
        }
        let mut b = tar::Builder::new(Vec::new());
        for (h, data, _) in &items {
            b.append(h, &data[..])
                .map_err(|e| write_err(path, "tar", e))?;
        }
        b.into_inner()
            .map(Some)
            .map_err(|e| write_err(path, "tar", e))
    }
}

/// `(key, value)` of each `LEN key=value\n` record of a PAX extended header.
fn pax_records(data: &[u8]) -> Vec<(&str, &str)> {
    let mut out = Vec::new();
    let mut rest = data;
    while !rest.is_empty() {
        let Some(sp) = rest.iter().position(|&b| b == b' ') else {
            break;
        };
        let Some(len) = std::str::from_utf8(&rest[..sp])
            .ok()
            .and_then(|s| s.parse::<usize>().ok())
        else {
            break;
        };
        if len <= sp || len > rest.len() {
            break;
        }
        let rec = &rest[sp + 1..len];
        let rec = rec.strip_suffix(b"\n").unwrap_or(rec);
        if let Ok(rec) = std::str::from_utf8(rec)
            && let Some((k, v)) = rec.split_once('=')
        {
            out.push((k, v));
        }
        rest = &rest[len..];
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pax_records_parse() {
        let data = b"29 path=a/very/long/name.csv\n12 size=100\n";
        assert_eq!(
            pax_records(data),
            [("path", "a/very/long/name.csv"), ("size", "100")]
        );
        assert!(pax_records(b"99 path=x\n").is_empty());
        assert!(pax_records(b"zz").is_empty());
    }
}
