//! Placeholder and test values: valid in form, but nobody's — a `noreply@` sender, a card
//! number the payment networks publish for testing, the date a form or database writes when
//! none was given.
//!
//! They stay findings (a test card in a production table is worth a look), marked
//! [`crate::finding::Finding::placeholder`], so that exposure never links records through them:
//! one `noreply@shop.example` on every row would otherwise make every customer one person. The
//! lists are small, exact and documented here; a value shared less obviously (a switchboard
//! number, a team inbox) is caught by exposure from the data instead (a linking value seen
//! beside more distinct identifiers than one person has). Each function takes the validator's
//! *normalised* value (lower-case email, card digits, ISO date).

/// Local parts of no-reply sender addresses, compared lower-case without `.`, `-` and `_` and
/// without a `+tag`, so `no-reply`, `no_reply`, `NoReply+orders` and `do-not-reply` match.
/// Sorted (a test checks).
pub const NOREPLY_LOCAL_PARTS: &[&str] = &["donotreply", "mailerdaemon", "noreply", "noresponse"];

/// Card numbers published for testing payment integrations (Stripe
/// <https://docs.stripe.com/testing>, Braintree, Adyen and PayPal sandbox documentation); all
/// pass the Luhn check. Sorted (a test checks).
pub const TEST_CARDS: &[&str] = &[
    "2223003122003222",
    "3056930009020004",
    "30569309025904",
    "3566002020360505",
    "371449635398431",
    "378282246310005",
    "4000056655665556",
    "4012888888881881",
    "4111111111111111",
    "4242424242424242",
    "5105105105105100",
    "5555555555554444",
    "6011000990139424",
    "6011111111111117",
    "6200000000000005",
];

/// Dates written when no birth date was given: 1 January 1900 (SQL Server's and many forms'
/// zero date), 1901 (the first year some systems accept) and 1970 (the Unix epoch). Sorted.
pub const DEFAULT_BIRTH_DATES: &[&str] = &["1900-01-01", "1901-01-01", "1970-01-01"];

/// Whether a normalised email address is a no-reply sender (see [`NOREPLY_LOCAL_PARTS`]).
pub fn email(normalised: &str) -> bool {
    let Some((local, _)) = normalised.rsplit_once('@') else {
        return false;
    };
    let local = local.split_once('+').map_or(local, |(l, _)| l);
    if local.len() > 32 {
        return false;
    }
    let bare: String = local
        .chars()
        .filter(|c| !matches!(c, '.' | '-' | '_'))
        .flat_map(char::to_lowercase)
        .collect();
    NOREPLY_LOCAL_PARTS.binary_search(&bare.as_str()).is_ok()
}

/// Whether normalised card digits are a published test number (see [`TEST_CARDS`]).
pub fn credit_card(digits: &str) -> bool {
    TEST_CARDS.binary_search(&digits).is_ok()
}

/// Whether a normalised (ISO) date of birth is a default date (see [`DEFAULT_BIRTH_DATES`]).
pub fn date_of_birth(iso: &str) -> bool {
    DEFAULT_BIRTH_DATES.binary_search(&iso).is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::validate::checksum::luhn;

    #[test]
    fn lists_are_sorted_and_cards_pass_luhn() {
        for list in [NOREPLY_LOCAL_PARTS, TEST_CARDS, DEFAULT_BIRTH_DATES] {
            assert!(list.windows(2).all(|w| w[0] < w[1]), "{list:?}");
        }
        for c in TEST_CARDS {
            assert!(luhn(c), "{c}");
        }
    }

    #[test]
    fn table() {
        let emails = [
            ("noreply@shop.example", true),
            ("no-reply@shop.example", true),
            ("no_reply+orders@mail.shop.example", true),
            ("do-not-reply@bank.example", true),
            ("donotreply@bank.example", true),
            ("mailer-daemon@mx.example", true),
            ("noreplyjane@example.com", false),
            ("jane.noreply@example.com", false),
            ("reply@example.com", false),
            ("nobody", false),
        ];
        for (e, want) in emails {
            assert_eq!(email(e), want, "{e}");
        }
        assert!(credit_card("4111111111111111"));
        assert!(!credit_card("4111111111111129"));
        assert!(date_of_birth("1900-01-01") && date_of_birth("1970-01-01"));
        assert!(!date_of_birth("1970-01-02"));
    }
}
