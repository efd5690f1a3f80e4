//! Email addresses: a practical RFC 5322 subset with the false positives of code and URLs removed.
//!
//! Not every `local@domain` is a mailbox. Message and body-part identifiers have the same shape
//! (RFC 5322 §3.6.4 `msg-id`, RFC 2045 `Content-ID`, RFC 2392 `cid:`/`mid:` URLs) and fill mail
//! archives: `Message-ID: <CAF=abc123@mail.gmail.com>`, `References: <…> <…>`. They name no
//! person, and reporting them would swamp the real addresses and link unrelated messages, so
//! [`email`] rejects them — by the header they sit in where the validator can see it, else by
//! their angle-bracketed, machine-made form (`message_reference`).

use super::{Candidate, Ctx, Verdict};

/// File extensions that follow `@2x`-style asset names and `name@version` package specs.
const NOT_TLDS: &[&str] = &[
    "png", "jpg", "jpeg", "gif", "svg", "webp", "ico", "js", "mjs", "ts", "css", "map", "json",
    "min", "tgz", "zip", "gz", "pdf", "txt", "html", "py", "rs", "go", "java", "lock",
];

/// Validator `email`.
///
/// Accepts `local@domain.tld` with a dot-atom local part (sub-addressing `+tag` allowed), LDH
/// domain labels (IDN in U-label or `xn--` form), and an alphabetic TLD of 2+ characters. Rejects
/// URL user-info (`scheme://user:pass@host`), asset names (`icon@2x.png`), package specs
/// (`foo@1.2.3`) and over-long parts. Normalised as lower-case.
pub fn email(c: &Candidate<'_>, _ctx: &Ctx) -> Verdict {
    let text = c.text.trim();
    let Some(at) = text.rfind('@') else {
        return Verdict::Invalid("no @");
    };
    let (local, domain) = (&text[..at], &text[at + 1..]);
    if local.is_empty() || local.len() > 64 || text.len() > 254 {
        return Verdict::Invalid("bad length");
    }
    if local.starts_with('.') || local.ends_with('.') || local.contains("..") {
        return Verdict::Invalid("dots in local part");
    }
    // `a..bc@example.com`: the regex cannot take the doubled dot, so it offers the tail
    // `bc@example.com`, which is nobody's address.
    if c.before.last() == Some(&b'.') {
        return Verdict::Invalid("tail of a local part with a doubled dot");
    }
    // An address literal (RFC 5321 §4.1.3): `user@[192.0.2.1]`, `user@[IPv6:2001:db8::1]`.
    if let Some(lit) = domain.strip_prefix('[').and_then(|d| d.strip_suffix(']')) {
        let ok = match lit.get(..5) {
            Some(p) if p.eq_ignore_ascii_case("ipv6:") => {
                lit[5..].parse::<std::net::Ipv6Addr>().is_ok()
            }
            _ => lit.parse::<std::net::Ipv4Addr>().is_ok(),
        };
        return if ok {
            Verdict::valid(format!("{}@{}", local.to_lowercase(), lit.to_lowercase()))
        } else {
            Verdict::Invalid("address literal is not an IP address")
        };
    }
    // URL user-info: the candidate follows `scheme://` on the same token.
    let before = String::from_utf8_lossy(c.before);
    let token_before = before
        .rsplit(|ch: char| ch.is_whitespace() || ch == '"' || ch == '\'' || ch == '<')
        .next()
        .unwrap_or("");
    if token_before.contains("://") {
        return Verdict::Invalid("URL user-info, not an address");
    }
    if let Some(why) = message_reference(c.before, local, c.after) {
        return Verdict::Invalid(why);
    }
    let labels: Vec<&str> = domain.split('.').collect();
    if labels.len() < 2 || labels.iter().any(|l| l.is_empty() || l.len() > 63) {
        return Verdict::Invalid("domain needs 2+ non-empty labels");
    }
    if labels
        .iter()
        .any(|l| l.starts_with('-') || l.ends_with('-'))
    {
        return Verdict::Invalid("label starts or ends with a hyphen");
    }
    let tld = labels[labels.len() - 1].to_lowercase();
    let tld_ok = tld.starts_with("xn--")
        || (tld.chars().count() >= 2 && tld.chars().all(char::is_alphabetic));
    if !tld_ok {
        return Verdict::Invalid("top-level domain is not alphabetic");
    }
    if NOT_TLDS.contains(&tld.as_str()) {
        return Verdict::Invalid("file extension, not a top-level domain");
    }
    let first = labels[0];
    if first.len() <= 3
        && first.ends_with('x')
        && first[..first.len() - 1].bytes().all(|b| b.is_ascii_digit())
    {
        return Verdict::Invalid("asset scale suffix");
    }
    Verdict::valid(format!(
        "{}@{}",
        local.to_lowercase(),
        domain.to_lowercase()
    ))
}

/// Header fields whose `<…@…>` values identify a message or a body part, never a mailbox
/// (lower case, with the colon).
const ID_HEADERS: &[&str] = &[
    "content-id:",
    "in-reply-to:",
    "message-id:",
    "original-message-id:",
    "references:",
    "resent-message-id:",
    "x-message-id:",
];

/// Header fields that hold mailboxes: an angle-bracketed value after one of them is an
/// address, whatever it looks like (lower case, with the colon).
const ADDRESS_HEADERS: &[&str] = &[
    "bcc:",
    "cc:",
    "delivered-to:",
    "disposition-notification-to:",
    "envelope-to:",
    "errors-to:",
    "from:",
    "resent-bcc:",
    "resent-cc:",
    "resent-from:",
    "resent-sender:",
    "resent-to:",
    "return-path:",
    "sender:",
    "to:",
    "x-original-to:",
];

fn ends_with_ci(s: &[u8], suffix: &str) -> bool {
    s.len() >= suffix.len() && s[s.len() - suffix.len()..].eq_ignore_ascii_case(suffix.as_bytes())
}

/// Whether `lead` ends with the header name `h` (with its colon) as a whole name: `In-Reply-To:`
/// does not end with `Reply-To:`, nor a cut-off `ply-To:` with `To:`.
fn ends_with_header(lead: &[u8], h: &str) -> bool {
    ends_with_ci(lead, h)
        && lead[..lead.len() - h.len()]
            .last()
            .is_none_or(|b| !(b.is_ascii_alphanumeric() || *b == b'-'))
}

/// Why the candidate (local part `local`, with `before` and `after` it on its line) is a message
/// or body-part identifier rather than an address, if it is one:
///
/// * it follows `cid:` or `mid:` (RFC 2392 URLs naming a body part or a message);
/// * it is the whole tail of a `<…>` token (`after` starts with `>`) and
///   - that token follows an identifier header (`Message-ID:`, `References:`, `In-Reply-To:`,
///     `Content-ID:` …), possibly after other `<…>` tokens of the same list; or
///   - it follows another `<…>` token with no comma between (a list of identifiers: mailbox
///     lists are comma-separated), where no address header can be seen; or
///   - it starts its (folded) line or follows an unrecognised header, and is machine-made: its token holds `=` or `$` before what the
///     address pattern matched (`<CAF=abc123@…>`), or its local part has 10+ digits, a 16+
///     character hex/UUID run, or 30+ characters.
///
/// After an address header (`From:`, `To:` …) or a display name it is always an address.
fn message_reference(before: &[u8], local: &str, after: &[u8]) -> Option<&'static str> {
    if ends_with_ci(before, "cid:") || ends_with_ci(before, "mid:") {
        return Some("cid:/mid: URL of a message or body part, not an address");
    }
    if after.first() != Some(&b'>') {
        return None;
    }
    let lt = before.iter().rposition(|&b| b == b'<')?;
    let inner = &before[lt + 1..];
    if inner
        .iter()
        .any(|b| b.is_ascii_whitespace() || matches!(b, b'>' | b'"' | b',' | b':'))
    {
        return None;
    }
    // What precedes the token, less any `<…>` tokens of the same list.
    let mut lead = before[..lt].trim_ascii_end();
    let juxtaposed = lead.last() == Some(&b'>');
    while lead.last() == Some(&b'>') {
        match lead.iter().rposition(|&b| b == b'<') {
            Some(p) => lead = lead[..p].trim_ascii_end(),
            None => break,
        }
    }
    if ID_HEADERS.iter().any(|h| ends_with_header(lead, h)) {
        return Some("Message-ID / References / Content-ID value, not an address");
    }
    if ADDRESS_HEADERS.iter().any(|h| ends_with_header(lead, h)) {
        return None;
    }
    // `<a@x> <b@y>` with no comma between: mailboxes are comma-separated, message identifiers
    // (`References`, `In-Reply-To`) are not.
    if juxtaposed {
        return Some("one of a list of message identifiers, not an address");
    }
    let unknown_header = lead.last() == Some(&b':') && !lead.contains(&b' ');
    if !(lead.is_empty() || unknown_header) {
        return None;
    }
    let odd_token = inner.iter().any(|b| matches!(b, b'=' | b'$'));
    if odd_token || machine_made(local) {
        return Some("message identifier (machine-made <…@…> token), not an address");
    }
    None
}

/// A local part no person chose: 10+ digits, a 16+ character run of hex digits and hyphens
/// holding 4+ digits (UUIDs, hashes), or 30+ characters.
fn machine_made(local: &str) -> bool {
    let digits = local.bytes().filter(u8::is_ascii_digit).count();
    let hex_run = local
        .split(|ch: char| !(ch.is_ascii_hexdigit() || ch == '-'))
        .any(|run| run.len() >= 16 && run.bytes().filter(u8::is_ascii_digit).count() >= 4);
    digits >= 10 || hex_run || local.len() >= 30
}

/// Validator `email_obfuscated`: an address written to dodge scrapers (`jane [at] example [dot]
/// com`, `jane(at)example.com`, `jane%40example.com`). The bare word `at` counts only together
/// with a spelled-out `dot`, so "look at example.com" is not an address. The de-obfuscated text
/// must pass [`email`]; normalised like it.
pub fn email_obfuscated(c: &Candidate<'_>, ctx: &Ctx) -> Verdict {
    let lower = c.text.trim().to_lowercase();
    if lower.contains('@') {
        return Verdict::Invalid("plain address: the email detector reports it");
    }
    let bracket_at = ["[at]", "(at)", "{at}", "%40"]
        .iter()
        .any(|a| lower.contains(a));
    let spelled_dot = ["[dot]", "(dot)", "{dot}", " dot "]
        .iter()
        .any(|d| lower.contains(d));
    if !bracket_at && !spelled_dot {
        return Verdict::Invalid("plain 'at' needs a spelled-out 'dot'");
    }
    let mut t = format!(" {lower} ");
    for (from, to) in [
        ("[at]", "@"),
        ("(at)", "@"),
        ("{at}", "@"),
        ("%40", "@"),
        (" at ", "@"),
        ("[dot]", "."),
        ("(dot)", "."),
        ("{dot}", "."),
        (" dot ", "."),
    ] {
        t = t.replace(from, to);
    }
    let t: String = t.chars().filter(|ch| !ch.is_whitespace()).collect();
    if t.matches('@').count() != 1 {
        return Verdict::Invalid("not exactly one at-sign");
    }
    email(&Candidate { text: &t, ..*c }, ctx)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(text: &str, before: &str) -> bool {
        let c = Candidate {
            text,
            before: before.as_bytes(),
            after: b"",
            weak_counts: true,
        };
        matches!(email(&c, &Ctx::default()), Verdict::Valid { .. })
    }

    #[test]
    fn table() {
        for (text, before, want) in [
            ("jane.doe@example.com", "", true),
            ("jane+news@example.co.uk", "", true),
            ("Jörg@bücher.example", "", true),
            ("x@xn--bcher-kva.example", "", true),
            ("jane@example.com", "mailto:", true),
            ("pass@db.example.com", "https://user:", false),
            ("icon@2x.png", "", false),
            ("lodash@4.17.21", "", false),
            ("a@b", "", false),
            (".a@example.com", "", false),
            ("a..b@example.com", "", false),
            ("a@-x.com", "", false),
            ("bc@outlook.com", "Reply to a..", false),
            ("user@[192.0.2.1]", "", true),
            ("user@[IPv6:2001:db8::1]", "", true),
            ("user@[999.1.1.1]", "", false),
        ] {
            assert_eq!(ok(text, before), want, "{text}");
        }
    }

    fn around(before: &str, text: &str, after: &str) -> bool {
        let c = Candidate {
            text,
            before: before.as_bytes(),
            after: after.as_bytes(),
            weak_counts: true,
        };
        matches!(email(&c, &Ctx::default()), Verdict::Valid { .. })
    }

    #[test]
    fn message_and_part_identifiers_are_not_addresses() {
        // (before, candidate, after, is an address)
        for (before, text, after, want) in [
            ("Message-ID: <CAF=", "abc123@mail.gmail.com", ">", false),
            ("Message-Id: <", "jane.smith@example.com", ">", false),
            ("In-Reply-To: <", "5f3a@mail.example.com", ">", false),
            ("References: <a1@x.example> <", "b2@y.example", ">", false),
            // The window cut the header off: two juxtaposed tokens are still a list of ids.
            (
                "ces: <a1b2@mail.example.com> <",
                "c3d4@mail.example.org",
                ">",
                false,
            ),
            ("ample.com> <", "c3d4@mail.example.org", ">", false),
            ("Content-ID: <", "part1.abc@host.example", ">", false),
            (
                "<img src=\"cid:",
                "part1.06090408@example.com",
                "\">",
                false,
            ),
            // A folded `References:` line: only <…> tokens, machine-made ids.
            (" <", "20240315093012.12345@mail.example.com", ">", false),
            (
                " <a@x.example> <",
                "5F2B3C4D-1E2F-4A5B-8C9D-0E1F2A3B4C5D@example.com",
                ">",
                false,
            ),
            // A header the table does not know, holding a gmail-style id.
            (
                "ply-To: <CAKx7g4=+Fo3b5k9QmW2nE=",
                "abc@mail.gmail.com",
                ">",
                false,
            ),
            // Addresses, angle-bracketed or not.
            ("From: Jane Smith <", "jane.smith@example.com", ">", true),
            ("To: <", "20240315093012@example.com", ">", true),
            ("Return-Path: <", "bounce-1234567890@example.com", ">", true),
            (" <", "jane.smith@example.com", ">", true),
            ("contact ", "jane.smith@example.com", "", true),
            (
                "Message-ID: see ",
                "jane.smith@example.com",
                " for help",
                true,
            ),
            ("<mailto:", "jane@example.com", ">", true),
            ("\"Smith, Jane\" <", "jane@example.com", ">", true),
            ("email=", "jane@example.com", "", true),
            ("Reply-To: <", "j.smith.1985@example.com", ">", true),
            ("To: <a@example.com> <", "bob@example.com", ">", true),
            ("To: <a@example.com>, <", "bob@example.com", ">", true),
        ] {
            assert_eq!(around(before, text, after), want, "{before}{text}{after}");
        }
    }

    #[test]
    fn obfuscated() {
        for (text, want) in [
            ("jane [at] example [dot] com", Some("jane@example.com")),
            ("jane(at)example.com", Some("jane@example.com")),
            ("jane%40example.com", Some("jane@example.com")),
            (
                "jane dot doe at example dot org",
                Some("jane.doe@example.org"),
            ),
            ("look at example.com", None),
            ("jane@example.com", None),
            ("a [at] b", None),
        ] {
            let got = match email_obfuscated(&Candidate::bare(text), &Ctx::default()) {
                Verdict::Valid { normalised, .. } => Some(normalised),
                Verdict::Invalid(_) => None,
            };
            assert_eq!(got.as_deref(), want, "{text}");
        }
    }
}
