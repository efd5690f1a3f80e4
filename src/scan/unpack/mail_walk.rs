//! Mail in the container walk: a message (`.eml`) or a mailbox (`.mbox`) is a container whose
//! text is one input and whose attachments are members.
//!
//! * `note.eml` — the message's headers and bodies ([`crate::formats::mail`]);
//!   `note.eml!attachment/passengers.csv` — an attachment, scanned like an archive member (a
//!   zip in it is opened, a message in it is a message again), under the same caps and depth.
//! * `inbox.mbox!3` — the third message of a mailbox (1-based); its attachments are
//!   `inbox.mbox!3/attachment/passengers.csv`.
//!
//! A message is read into memory up to [`mail::MESSAGE_CAP`]; a larger one is an error for that
//! message, and an mbox goes on with the next.

use std::fs::File;
use std::io::{BufReader, Cursor, Read, Seek, SeekFrom};
use std::sync::Arc;

use super::{Source, Unpack, error, stopped};
use crate::formats::mail::{self, Mail, Next};
use crate::formats::{Format, kv, msg, ole2};
use crate::scan::outcome::{InputReport, Status};

impl Unpack<'_> {
    /// Scans `src` (a message or a mailbox of kind `kind`) at container depth `depth`.
    pub(super) fn scan_mail(&mut self, path: Arc<str>, kind: Mail, src: impl Read, depth: u32) {
        if depth >= self.limits.max_depth {
            let mut r = error(
                path,
                format!(
                    "mail nested deeper than {} containers (depth cap hit; not opened)",
                    self.limits.max_depth
                ),
            );
            r.format = Some(kind.name().into());
            self.out.push(r);
            return;
        }
        match kind {
            Mail::Message => {
                let mut raw = Vec::new();
                let read = src.take(mail::MESSAGE_CAP + 1).read_to_end(&mut raw);
                match read {
                    Err(e) => self.out.push(error(path, format!("read error: {e}"))),
                    Ok(n) if n as u64 > mail::MESSAGE_CAP => self.out.push(too_large(path)),
                    Ok(_) => self.scan_message(path.clone(), &path, "!", &raw, depth),
                }
            }
            Mail::Mbox => {
                let first = self.out.len();
                let mut mbox = mail::Mbox::new(BufReader::new(src), mail::MESSAGE_CAP);
                let mut ordinal = 0u64;
                while let Some(next) = mbox.next_message() {
                    ordinal += 1;
                    let at: Arc<str> = Arc::from(format!("{path}!{ordinal}").as_str());
                    if self.budget.count_member(self.limits).is_err() {
                        self.out.push(stopped(path, self.budget, self.limits));
                        return;
                    }
                    match next {
                        Next::Message(raw) => self.scan_message(at.clone(), &at, "/", &raw, depth),
                        Next::TooLarge => self.out.push(too_large(at)),
                        Next::Failed(e) => {
                            self.out.push(error(at, format!("read error: {e}")));
                            return;
                        }
                    }
                }
                self.archive_itself(path, "mbox", first);
            }
        }
    }

    /// One message: its text as the input `path`, its attachments as members named
    /// `{base}{sep}attachment/{name}`.
    fn scan_message(&mut self, path: Arc<str>, base: &str, sep: &str, raw: &[u8], depth: u32) {
        let Some(parsed) = mail::parse(raw) else {
            let mut r = error(
                path,
                "malformed email: no header block (not read as a message)".into(),
            );
            r.format = Some("email".into());
            self.out.push(r);
            return;
        };
        self.out.push(self.scanner.scan_cells(
            path.clone(),
            "email",
            raw.len() as u64,
            &mut |sink| parsed.scan(sink),
            self.scratch,
        ));
        for att in parsed.attachments() {
            if self.budget.count_member(self.limits).is_err() {
                self.out.push(stopped(path, self.budget, self.limits));
                return;
            }
            let name = self
                .scanner
                .display_name(&format!("attachment/{}", att.name), self.scratch);
            let member: Arc<str> = Arc::from(format!("{base}{sep}{name}").as_str());
            let mut data = att.data;
            self.scan_any(member, Source::Stream(&mut data), depth + 1);
            if self.budget.exhausted().is_some() {
                self.out.push(stopped(path, self.budget, self.limits));
                return;
            }
        }
    }
}

impl Unpack<'_> {
    /// Reads the OLE2 file `file` as an Outlook message if it is one (true), with its
    /// attachments as members `{path}!attachment/{name}`; false leaves it to the xls check.
    pub(super) fn try_msg(&mut self, path: &Arc<str>, file: &File, bytes: u64, depth: u32) -> bool {
        // A file named `.msg` that is not a readable compound file is reported as a broken
        // Outlook message, not as a broken xls workbook.
        let named_msg = path
            .rsplit(['/', '!'])
            .next()
            .and_then(|n| n.rsplit_once('.'))
            .is_some_and(|(_, e)| e.eq_ignore_ascii_case("msg"));
        let broken = |this: &mut Self, why: &str| {
            if named_msg {
                let mut r = error(path.clone(), format!("unreadable Outlook msg: {why}"));
                r.format = Some("msg".into());
                this.out.push(r);
            }
            named_msg
        };
        let Ok(mut f) = file.try_clone() else {
            return false;
        };
        // Chains that loop would make the compound-file reader spin: refused as for xls (which
        // then reports why).
        if let Err(why) = ole2::chains_are_sound(&mut f, bytes) {
            return broken(self, &why.to_string());
        }
        if f.seek(SeekFrom::Start(0)).is_err() {
            return false;
        }
        let mut cf = match cfb::CompoundFile::open(BufReader::new(f)) {
            Ok(cf) => cf,
            Err(_) => return broken(self, "OLE2 container not readable"),
        };
        if !msg::is_msg(&cf) {
            return broken(self, "no Outlook message properties");
        }
        if depth >= self.limits.max_depth {
            let mut r = error(
                path.clone(),
                format!(
                    "mail nested deeper than {} containers (depth cap hit; not opened)",
                    self.limits.max_depth
                ),
            );
            r.format = Some("msg".into());
            self.out.push(r);
            return true;
        }
        let m = msg::read(&mut cf);
        self.out.push(self.scanner.scan_cells(
            path.clone(),
            "msg",
            bytes,
            &mut |sink| kv::EMAIL.scan(&mut Cursor::new(&m.text[..]), sink),
            self.scratch,
        ));
        for (name, data) in m.attachments {
            if self.budget.count_member(self.limits).is_err() {
                self.out
                    .push(stopped(path.clone(), self.budget, self.limits));
                return true;
            }
            let name = self
                .scanner
                .display_name(&format!("attachment/{name}"), self.scratch);
            let member: Arc<str> = Arc::from(format!("{path}!{name}").as_str());
            match data {
                Ok(d) => self.scan_any(member, Source::Stream(&mut &d[..]), depth + 1),
                Err(why) => self.out.push(error(member, why)),
            }
            if self.budget.exhausted().is_some() {
                self.out
                    .push(stopped(path.clone(), self.budget, self.limits));
                return true;
            }
        }
        true
    }
}

fn too_large(path: Arc<str>) -> InputReport {
    let mut r = InputReport::not_scanned(
        path,
        Status::Error(format!(
            "mail message larger than {} bytes (message cap hit; not read)",
            mail::MESSAGE_CAP
        )),
    );
    r.format = Some("email".into());
    r
}
