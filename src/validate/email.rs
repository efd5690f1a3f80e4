//! Email addresses: a practical RFC 5322 subset with the false positives of code and URLs removed.

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
    // URL user-info: the candidate follows `scheme://` on the same token.
    let before = String::from_utf8_lossy(c.before);
    let token_before = before
        .rsplit(|ch: char| ch.is_whitespace() || ch == '"' || ch == '\'' || ch == '<')
        .next()
        .unwrap_or("");
    if token_before.contains("://") {
        return Verdict::Invalid("URL user-info, not an address");
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
        ] {
            assert_eq!(ok(text, before), want, "{text}");
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
