//! Outlook `.msg` messages: an OLE2 compound file (MS-OXMSG) whose streams are MAPI properties,
//! read with the `cfb` crate.
//!
//! The message is read as the headers a mail client shows and its plain-text body, rendered as
//! a small RFC 5322 text and then read like an `.eml` (the key/value format's email mode, so
//! `From`, `To`, `Cc`, `Subject` are fields and display names are in `From.name`):
//!
//! * `From` — sender name (`0C1A`) and SMTP address (`5D01`, else `0C1F`);
//! * `To` / `Cc` — each recipient (`__recip_version1.0_#…`: name `3001`, SMTP address `39FE`,
//!   else `3003`) by its type (`0C15`: 1 = To, 2 = Cc, 3 = Bcc), or the display lists (`0E04`,
//!   `0E03`) when there are no recipient storages;
//! * `Subject` (`0037`), then a blank line and the body: plain text (`1000`), else the HTML
//!   body (`1013`, binary or string) with its tags dropped, as an `.eml`'s `text/html` part.
//!
//! `line` is the line of that rendered text (a `.msg` has no lines of its own). String
//! properties are read in their Unicode form (`…001F`, UTF-16LE) or, failing that, their 8-bit
//! form (`…001E`, read as Windows-1252). Attachments (`__attach_version1.0_#…`: long file name
//! `3707`, else `3704`; data `37010102`) are returned to be scanned as inputs of their own; an
//! embedded message (`3701000D`, a storage) is listed by the caller as not read. Each stream
//! read is capped at [`super::mail::MESSAGE_CAP`].

use std::io::{Read, Seek};

use super::mail::MESSAGE_CAP;

/// What a `.msg` holds for the scan.
pub struct Msg {
    /// The rendered message text (headers, blank line, body).
    pub text: Vec<u8>,
    /// Attachments: name and data, or name and why they were not read.
    pub attachments: Vec<(String, Result<Vec<u8>, String>)>,
}

/// Whether the compound file `cf` is an Outlook message (it has the property stream every
/// `.msg` has, and a subject or body or recipient, which other OLE2 files do not).
pub fn is_msg<F: Read + Seek>(cf: &cfb::CompoundFile<F>) -> bool {
    cf.is_stream("/__properties_version1.0")
        && (cf.exists("/__substg1.0_0037001F")
            || cf.exists("/__substg1.0_0037001E")
            || cf.exists("/__substg1.0_1000001F")
            || cf.exists("/__substg1.0_1000001E")
            || cf.exists("/__substg1.0_10130102")
            || cf.exists("/__substg1.0_1013001F")
            || cf.exists("/__substg1.0_1013001E")
            || cf.exists("/__recip_version1.0_#00000000"))
}

/// Reads the message in `cf` (see the module docs). Errors never quote the message.
pub fn read<F: Read + Seek>(cf: &mut cfb::CompoundFile<F>) -> Msg {
    let mut text = String::new();
    let sender = string(cf, "", "0C1A");
    let address = string(cf, "", "5D01").or_else(|| string(cf, "", "0C1F"));
    if sender.is_some() || address.is_some() {
        text.push_str("From: ");
        mailbox(&mut text, sender.as_deref(), address.as_deref());
        text.push('\n');
    }
    let mut to = Vec::new();
    let mut cc = Vec::new();
    for storage in storages(cf, "__recip_version1.0_#") {
        let name = string(cf, &storage, "3001");
        let addr = string(cf, &storage, "39FE").or_else(|| string(cf, &storage, "3003"));
        let mut one = String::new();
        mailbox(&mut one, name.as_deref(), addr.as_deref());
        // PR_RECIPIENT_TYPE (0C15, a PT_LONG in the recipient's property stream): 2 = Cc,
        // 3 = Bcc; 1 (To) is the default.
        match recipient_type(cf, &storage) {
            2 | 3 => cc.push(one),
            _ => to.push(one),
        }
    }
    if to.is_empty() && cc.is_empty() {
        to.extend(string(cf, "", "0E04"));
        cc.extend(string(cf, "", "0E03"));
    }
    for (header, list) in [("To", &to), ("Cc", &cc)] {
        if !list.is_empty() {
            text.push_str(header);
            text.push_str(": ");
            text.push_str(&list.join(", "));
            text.push('\n');
        }
    }
    if let Some(s) = string(cf, "", "0037") {
        text.push_str("Subject: ");
        text.push_str(&one_line(&s));
        text.push('\n');
    }
    text.push('\n');
    if let Some(body) = string(cf, "", "1000").or_else(|| html_body(cf)) {
        text.push_str(&body.replace("\r\n", "\n"));
        text.push('\n');
    }
    let mut attachments = Vec::new();
    for (n, storage) in storages(cf, "__attach_version1.0_#")
        .into_iter()
        .enumerate()
    {
        let name = string(cf, &storage, "3707")
            .or_else(|| string(cf, &storage, "3704"))
            .filter(|s| !s.trim().is_empty())
            .unwrap_or_else(|| format!("part-{}", n + 1));
        let data = if cf.is_storage(format!("/{storage}/__substg1.0_3701000D")) {
            Err("embedded Outlook message: not read".to_string())
        } else {
            match bytes(cf, &format!("/{storage}/__substg1.0_37010102")) {
                Some(Ok(d)) => Ok(d),
                Some(Err(e)) => Err(e),
                None => Err("attachment has no data stream (a link or an OLE object)".into()),
            }
        };
        attachments.push((name, data));
    }
    Msg {
        text: text.into_bytes(),
        attachments,
    }
}

/// The HTML body (PR_HTML, `1013`) as text, tags dropped as for an `.eml`'s `text/html` part:
/// read when there is no plain body (Outlook writes HTML-only messages). Usually binary
/// (`10130102`: bytes in the message's code page, read as UTF-8 when they are valid UTF-8, else
/// as Windows-1252), sometimes a string property.
fn html_body<F: Read + Seek>(cf: &mut cfb::CompoundFile<F>) -> Option<String> {
    let html = match bytes(cf, "/__substg1.0_10130102") {
        Some(Ok(b)) => match String::from_utf8(b) {
            Ok(s) => s,
            Err(e) => encoding_rs::WINDOWS_1252
                .decode(e.as_bytes())
                .0
                .into_owned(),
        },
        _ => string(cf, "", "1013")?,
    };
    let html = html.trim_end_matches('\0');
    Some(mail_parser::decoders::html::html_to_text(html))
}

/// `Name <address>`, quoting a name that holds a comma.
fn mailbox(out: &mut String, name: Option<&str>, address: Option<&str>) {
    if let Some(n) = name.map(one_line).filter(|n| !n.is_empty()) {
        if n.contains([',', '<', '"']) {
            out.push('"');
            out.push_str(&n.replace('"', "'"));
            out.push('"');
        } else {
            out.push_str(&n);
        }
        if address.is_some() {
            out.push(' ');
        }
    }
    if let Some(a) = address {
        out.push('<');
        out.push_str(&one_line(a));
        out.push('>');
    }
}

fn one_line(s: &str) -> String {
    s.replace(['\r', '\n'], " ")
}

/// Names of the top-level storages starting with `prefix`, in order.
fn storages<F: Read + Seek>(cf: &cfb::CompoundFile<F>, prefix: &str) -> Vec<String> {
    let mut out: Vec<String> = cf
        .read_root_storage()
        .filter(|e| e.is_storage() && e.name().starts_with(prefix))
        .map(|e| e.name().to_string())
        .collect();
    out.sort();
    out
}

/// String property `tag` (4 hex digits) of `storage` ("" for the message itself).
fn string<F: Read + Seek>(
    cf: &mut cfb::CompoundFile<F>,
    storage: &str,
    tag: &str,
) -> Option<String> {
    let at = |ty: &str| match storage {
        "" => format!("/__substg1.0_{tag}{ty}"),
        _ => format!("/{storage}/__substg1.0_{tag}{ty}"),
    };
    if let Some(Ok(b)) = bytes(cf, &at("001F")) {
        let units: Vec<u16> = b
            .chunks_exact(2)
            .map(|c| u16::from_le_bytes([c[0], c[1]]))
            .collect();
        let s = String::from_utf16_lossy(&units);
        return Some(s.trim_end_matches('\0').to_string());
    }
    if let Some(Ok(b)) = bytes(cf, &at("001E")) {
        let (s, _, _) = encoding_rs::WINDOWS_1252.decode(&b);
        return Some(s.trim_end_matches('\0').to_string());
    }
    None
}

/// The bytes of stream `path`: `None` if there is none, `Err` if it is over the cap or
/// unreadable.
fn bytes<F: Read + Seek>(
    cf: &mut cfb::CompoundFile<F>,
    path: &str,
) -> Option<Result<Vec<u8>, String>> {
    if !cf.is_stream(path) {
        return None;
    }
    let mut s = match cf.open_stream(path) {
        Ok(s) => s,
        Err(e) => return Some(Err(format!("unreadable stream: {e}"))),
    };
    if s.len() > MESSAGE_CAP {
        return Some(Err(format!(
            "larger than {MESSAGE_CAP} bytes (message cap hit; not read)"
        )));
    }
    let mut out = Vec::new();
    Some(
        s.read_to_end(&mut out)
            .map(|_| out)
            .map_err(|e| format!("unreadable stream: {e}")),
    )
}

/// PR_RECIPIENT_TYPE of a recipient storage, from its property stream (8-byte header, then
/// 16-byte entries: tag, flags, value); 1 (To) when absent.
fn recipient_type<F: Read + Seek>(cf: &mut cfb::CompoundFile<F>, storage: &str) -> u32 {
    let Some(Ok(props)) = bytes(cf, &format!("/{storage}/__properties_version1.0")) else {
        return 1;
    };
    props
        .get(8..)
        .unwrap_or_default()
        .chunks_exact(16)
        .find(|e| e[0..4] == [0x03, 0x00, 0x15, 0x0C])
        .map_or(1, |e| u32::from_le_bytes([e[8], e[9], e[10], e[11]]))
}
