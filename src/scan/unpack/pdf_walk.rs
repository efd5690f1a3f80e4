//! PDF in the container walk: the file is read whole (up to [`pdf::PDF_CAP`]) and its pages'
//! text scanned as one input ([`crate::formats::pdf`]); a PDF with no text is skipped with the
//! reason, and without the `pdf` feature every PDF is skipped with that reason.

use std::io::Read;
use std::sync::Arc;

use super::Unpack;
#[cfg(feature = "pdf")]
use super::error;
use crate::formats::pdf;
use crate::scan::outcome::{InputReport, Status};

impl Unpack<'_> {
    /// Scans the PDF `src` (its first bytes already read into `head`).
    #[cfg(feature = "pdf")]
    pub(super) fn scan_pdf(&mut self, path: Arc<str>, src: impl Read, head: &[u8]) {
        let fail = |path: Arc<str>, why: String| {
            let mut r = error(path, why);
            r.format = Some("pdf".into());
            r
        };
        let mut raw = Vec::new();
        match head.chain(src).take(pdf::PDF_CAP + 1).read_to_end(&mut raw) {
            Err(e) => return self.out.push(fail(path, format!("read error: {e}"))),
            Ok(n) if n as u64 > pdf::PDF_CAP => {
                return self.out.push(fail(
                    path,
                    format!(
                        "PDF larger than {} bytes (PDF cap hit; not read)",
                        pdf::PDF_CAP
                    ),
                ));
            }
            Ok(_) => {}
        }
        let pages = match pdf::pages(&raw) {
            Ok(p) => p,
            Err(e) => return self.out.push(fail(path, e.to_string())),
        };
        if pdf::no_text(&pages) {
            let mut r =
                InputReport::not_scanned(path, Status::Skipped(pdf::no_text_reason(&raw).into()));
            r.format = Some("pdf".into());
            r.bytes = raw.len() as u64;
            self.out.push(r);
            return;
        }
        self.out.push(self.scanner.scan_cells(
            path,
            "pdf",
            raw.len() as u64,
            &mut |sink| pdf::emit(&pages, sink),
            self.scratch,
        ));
    }

    /// Without the `pdf` feature, a PDF is listed as skipped with the reason.
    #[cfg(not(feature = "pdf"))]
    pub(super) fn scan_pdf(&mut self, path: Arc<str>, _src: impl Read, _head: &[u8]) {
        let mut r = InputReport::not_scanned(path, Status::Skipped(pdf::NOT_COMPILED.into()));
        r.format = Some("pdf".into());
        self.out.push(r);
    }
}
