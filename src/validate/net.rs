//! IP addresses (v4 and v6), told apart from version strings and clock times.
//!
//! Only an address that can reach the internet can be a person's: private-use (RFC 1918, IPv6
//! unique local), loopback, link-local, multicast, documentation (RFC 5737, RFC 3849),
//! unspecified, "this network", reserved and broadcast addresses (and netmasks) name a machine on some local network,
//! or none, and fill configuration files, docs and test logs. They are not reported (the
//! validator rejects them with the range's name as the reason), so they neither bury the real
//! findings nor link everyone behind one office router into one person. Carrier-grade NAT's
//! shared space (100.64.0.0/10, RFC 6598) stays reported: an ISP assigns it to a subscriber.

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
            // `linux-2.6.35.5`, `perl-5.6.78.9`, `#h-17.13.4.1`: a name, a dash, a version.
            || matches!(c.before, [.., a, b'-'] if a.is_ascii_alphanumeric())
        {
            return Verdict::Invalid("part of a version string");
        }
        if text.split('.').any(|g| g.len() > 1 && g.starts_with('0')) {
            return Verdict::Invalid("leading zero in octet");
        }
        let Ok(ip) = text.parse::<Ipv4Addr>() else {
            return Verdict::Invalid("not a dotted quad");
        };
        // X.500 attribute types, certificate extensions and matching rules, and the SNMP arc:
        // object identifiers written in every certificate and crypto library.
        if [
            "2.5.4.", "2.5.29.", "2.5.13.", "2.5.6.", "1.3.6.1", "1.3.101.", "1.3.132.", "1.3.14.",
        ]
        .iter()
        .any(|arc| text.starts_with(arc))
        {
            return Verdict::Invalid("an object identifier (X.500 or SNMP arc)");
        }
        return match not_personal_v4(ip) {
            Some(why) => Verdict::Invalid(why),
            None if text.split('.').all(|g| g.len() == 1) => Verdict::weak(ip.to_string()),
            // `8.4.26.1`, `20.2.3.3`, `7.15.2.2`: how standards number their sections. A random
            // address has two of its last three octets below 10 one time in two hundred; such
            // an address needs context (`client`, `from`, an IP field) to count.
            None if ip.octets()[0] < 100
                && ip.octets()[1..].iter().filter(|&&o| o < 10).count() >= 2 =>
            {
                Verdict::weak(ip.to_string())
            }
            // `100.64.0.0`: a network written by its first address (a route, a range's start),
            // not a host's; needs context to count.
            None if ip.octets()[3] == 0 => Verdict::weak(ip.to_string()),
            // `[23.3.1.3]`: how standards number their sections. A bracketed address (a mail
            // `Received:` line) comes with its own context (`from`), so it still counts there.
            None if c.before.last() == Some(&b'[') && c.after.first() == Some(&b']') => {
                Verdict::weak(ip.to_string())
            }
            None => Verdict::valid(ip.to_string()),
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
        Ok(ip) => match not_personal_v6(ip) {
            Some(why) => Verdict::Invalid(why),
            None => Verdict::valid(ip.to_string()),
        },
        Err(_) => Verdict::Invalid("not an IPv6 address"),
    }
}

/// Why an IPv4 address cannot be a person's (see the module docs), if it cannot.
fn not_personal_v4(ip: Ipv4Addr) -> Option<&'static str> {
    let [a, b, c, _] = ip.octets();
    Some(match (a, b, c) {
        (0, ..) => "\"this network\" address (0.0.0.0/8), not a person's",
        (10, ..) | (172, 16..=31, _) | (192, 168, _) => {
            "private-use address (RFC 1918), not a person's"
        }
        (127, ..) => "loopback address, not a person's",
        (169, 254, _) => "link-local address, not a person's",
        (192, 0, 2) | (198, 51, 100) | (203, 0, 113) => {
            "documentation address (RFC 5737), not a person's"
        }
        (192, 0, 0) => "IETF protocol assignment (192.0.0.0/24), not a person's",
        (198, 18..=19, _) => "benchmarking address (RFC 2544), not a person's",
        (224..=239, ..) => "multicast address, not a person's",
        // Class E: never assigned; in practice the broadcast address and netmasks
        // (`255.255.255.0`).
        (240..=255, ..) => "reserved or broadcast address (240.0.0.0/4) or netmask, not a person's",
        _ => return None,
    })
}

/// Why an IPv6 address cannot be a person's (see the module docs), if it cannot. An
/// IPv4-mapped address (`::ffff:10.0.0.1`) is judged as its IPv4 address.
fn not_personal_v6(ip: Ipv6Addr) -> Option<&'static str> {
    if let Some(v4) = ip.to_ipv4_mapped() {
        return not_personal_v4(v4);
    }
    let s = ip.segments();
    Some(if ip.is_unspecified() {
        "unspecified address"
    } else if ip.is_loopback() {
        "loopback address, not a person's"
    } else if s[0] & 0xffc0 == 0xfe80 && !(s[5] & 0x00ff == 0x00ff && s[6] & 0xff00 == 0xfe00) {
        // A link-local address is nobody's on the internet, unless its interface id is the
        // device's MAC address (modified EUI-64, `…ff:fe…`): then it names one machine, and so
        // often one person, wherever it goes.
        "link-local address, not a person's"
    } else if s[0] & 0xfe00 == 0xfc00 {
        "unique local (private) address, not a person's"
    } else if s[0] & 0xff00 == 0xff00 {
        "multicast address, not a person's"
    } else if s[0] == 0x2001 && s[1] == 0x0db8 {
        "documentation address (RFC 3849), not a person's"
    } else {
        return None;
    })
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
            ("100.64.12.7", "", "", true),
            ("8.8.4.4", "from ", " port", true),
            ("2606:4700:4700::1111", "", "", true),
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
            ("fe80::1", "", "", false),
            ("2a02:1205:34c1::8d00", "", "", true),
            ("2600:1f18:0:0:0:0:7a3:c1", "", "", true),
            // Versions after a name and a dash, and section numbers in brackets (weak).
            ("2.6.35.5", "From linux-", "/arch", false),
            ("5.6.78.9", "-Dprefix=/usr/local/perl-", "", false),
            ("17.13.4.1", "forms.html#h-", "", false),
            ("23.3.1.3", "// [", "] map operations", true),
            ("8.8.4.4", "DNS - ", "", true),
            ("2.5.29.23", "s!(\"", "\")", false),
            ("1.3.6.1", "oid ", "", false),
        ] {
            assert_eq!(check(text, before, after), want, "{text}");
        }
    }

    #[test]
    fn section_numbers_are_weak() {
        let weak = |text: &str, before: &[u8], after: &[u8]| {
            let c = Candidate {
                text,
                before,
                after,
                weak_counts: true,
            };
            match ip_address(&c, &Ctx::default()) {
                Verdict::Valid { weak, .. } => weak,
                v => panic!("{text}: {v:?}"),
            }
        };
        assert!(weak("23.3.1.3", b"// [", b"] map"));
        assert!(weak("8.4.26.1", b"/* ", b" */"));
        assert!(weak("20.2.3.3", b"// ", b" bool_set"));
        assert!(!weak("100.64.12.7", b"", b""));
        assert!(weak("100.64.0.0", b"", b"/10"));
        assert!(!weak("81.2.69.160", b"", b""));
        assert!(weak("81.2.69.160", b"from x ([", b"])"));
        assert!(!weak("81.2.69.160", b"[", b""));
    }

    #[test]
    fn ranges_that_are_no_persons_address() {
        // (address, rejected)
        for (text, rejected) in [
            ("10.1.2.3", true),
            ("172.16.0.1", true),
            ("172.31.255.254", true),
            ("172.32.0.1", false),
            ("172.15.0.1", false),
            ("192.168.1.20", true),
            ("192.169.1.20", false),
            ("127.0.0.1", true),
            ("169.254.10.1", true),
            ("224.0.0.251", true),
            ("239.255.255.250", true),
            ("240.0.0.1", true),
            ("255.255.255.0", true),
            ("223.255.255.1", false),
            ("192.0.2.44", true),
            ("192.0.3.44", false),
            ("192.0.0.170", true),
            ("198.18.0.1", true),
            ("198.20.0.1", false),
            ("198.51.100.23", true),
            ("203.0.113.7", true),
            ("203.0.114.7", false),
            ("0.0.0.0", true),
            ("255.255.255.255", true),
            ("100.64.0.1", false),
            ("8.8.8.8", false),
            ("::1", true),
            ("fe80::1ff:fe23:4567:890a", true),
            // Link-local with a MAC-derived (EUI-64) interface id: one device.
            ("fe80::204:61ff:fe9d:f156", false),
            ("fd12:3456:789a::1", true),
            ("fc00::1", true),
            ("ff02::fb", true),
            ("2001:db8::17", true),
            ("2001:db9::17", false),
            ("::ffff:192.168.1.1", true),
            ("::ffff:8.8.8.8", false),
            ("2a00:1450:4001:80b::200e", false),
        ] {
            let v = ip_address(&Candidate::bare(text), &Ctx::default());
            assert_eq!(matches!(v, Verdict::Invalid(_)), rejected, "{text}: {v:?}");
        }
    }
}
