//! IP addresses (v4 and v6), told apart from version strings and clock times.

use std::net::{Ipv4Addr, Ipv6Addr};

use super::{Candidate, Ctx, Verdict};

/// Validator `ip_address`: dotted-quad IPv4 (no leading zeros, not followed by a fifth group,
/// not preceded by `v`), or IPv6 with at least two colons that `std` parses. Single-digit quads
/// (`1.2.3.4`) are weak: they are more often versions. Normalised in canonical form.
pub fn ip_address(c: &Candidate<'_>, _ctx: &Ctx) -> Verdict {
    let text = c.text.trim();
    if text.contains('.') && !text.contains(':') {
        if c.before
            .last()
            .is_some_and(|b| matches!(b, b'v' | b'V' | b'.'))
            || c.after.first() == Some(&b'.') && c.after.get(1).is_some_and(u8::is_ascii_digit)
            || c.after.first() == Some(&b'-')
                && c.after.get(1).is_some_and(u8::is_ascii_alphanumeric)
        {
            return Verdict::Invalid("part of a version string");
        }
        if text.split('.').any(|g| g.len() > 1 && g.starts_with('0')) {
            return Verdict::Invalid("leading zero in octet");
        }
        return match text.parse::<Ipv4Addr>() {
            Ok(ip) if text.split('.').all(|g| g.len() == 1) => Verdict::weak(ip.to_string()),
            Ok(ip) => Verdict::valid(ip.to_string()),
            Err(_) => Verdict::Invalid("not a dotted quad"),
        };
    }
    if text.matches(':').count() < 2 {
        return Verdict::Invalid("too few colons for IPv6");
    }
    // `rfc3966::phone_number`, `e164::Format`: a code path, not an address. Real addresses
    // written in text have at least two groups (`fe80::1`, `2001:db8::`).
    if c.after
        .first()
        .is_some_and(|&b| b.is_ascii_alphabetic() || b == b'_')
        || c.before
            .last()
            .is_some_and(|&b| b.is_ascii_alphanumeric() || b == b'_')
    {
        return Verdict::Invalid("part of an identifier or code path");
    }
    if text.split(':').filter(|g| !g.is_empty()).count() < 2 {
        return Verdict::Invalid("a single group is not an IPv6 address");
    }
    match text.parse::<Ipv6Addr>() {
        Ok(ip) if ip.is_unspecified() => Verdict::Invalid("unspecified address"),
        Ok(ip) => Verdict::valid(ip.to_string()),
        Err(_) => Verdict::Invalid("not an IPv6 address"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(text: &str, before: &str, after: &str) -> bool {
        let c = Candidate {
            text,
            before: before.as_bytes(),
            after: after.as_bytes(),
            weak_counts: true,
        };
        matches!(ip_address(&c, &Ctx::default()), Verdict::Valid { .. })
    }

    #[test]
    fn table() {
        for (text, before, after, want) in [
            ("203.0.113.7", "", "", true),
            ("198.51.100.23", "from ", " port", true),
            ("2001:db8::1", "", "", true),
            ("256.1.1.1", "", "", false),
            ("1.2.3.4", "v", "", false),
            ("1.2.3.4", "", ".5", false),
            ("10.4.2.1", "node ", "-rc", false),
            ("01.02.03.04", "", "", false),
            ("12:30:45", "", "", false),
            ("::", "", "", false),
            ("00:1a:2b:3c:4d:5e", "", "", false),
            ("3966::", "rfc", "phone_number", false),
            ("beef::", "", "", false),
            ("fe80::1", "", "", true),
        ] {
            assert_eq!(check(text, before, after), want, "{text}");
        }
    }
}
