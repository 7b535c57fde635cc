//! Field similarities in [0, 1] (spec 4.4). Names compare by token-sort
//! ratio: the normalised words are sorted before the comparison, so word
//! order ("Smith, John" / "John Smith") does not matter.

use rapidfuzz::fuzz;

use super::normalize::{NormEmail, NormName};

/// Token-sort similarity of two normalised names.
pub fn name(a: &NormName, b: &NormName) -> f64 {
    ratio(&a.sorted, &b.sorted)
}

/// Equal → 1; same non-public domain → 0.5 + 0.5 × local-part similarity;
/// otherwise the similarity of the whole addresses.
#[cfg(test)]
pub fn email(a: &NormEmail, b: &NormEmail) -> f64 {
    email_or_ignored(a, b, None).unwrap_or(0.0)
}

/// As [`email`], but `None` (not compared) when the addresses fall in the
/// last case and score below `ignore_below`.
pub fn email_or_ignored(a: &NormEmail, b: &NormEmail, ignore_below: Option<f64>) -> Option<f64> {
    if a.address == b.address {
        Some(1.0)
    } else if a.domain() == b.domain() && !a.public_domain {
        Some(0.5 + 0.5 * ratio(a.local(), b.local()))
    } else {
        let s = ratio(&a.address, &b.address);
        match ignore_below {
            Some(min) if s < min => None,
            _ => Some(s),
        }
    }
}

/// Digit strings of two phone numbers: equal → 1; one a suffix of the other
/// with the shorter at least 8 digits long → 0.95 (a national form against
/// the international one); same last 7 digits → 0.90; else 0.
pub fn phone(a: &str, b: &str) -> f64 {
    let (short, long) = if a.len() <= b.len() { (a, b) } else { (b, a) };
    if a == b {
        1.0
    } else if short.len() >= 8 && long.ends_with(short) {
        0.95
    } else if last7(a) == last7(b) {
        0.90
    } else {
        0.0
    }
}

/// The best similarity between any number of one record and any of the
/// other; `None` when either has none.
pub fn phones(a: &[String], b: &[String]) -> Option<f64> {
    let mut best: Option<f64> = None;
    for x in a {
        for y in b {
            let s = phone(x, y);
            best = Some(best.map_or(s, |b: f64| b.max(s)));
        }
    }
    best
}

/// Identifiers compare exactly.
pub fn exact(a: &str, b: &str) -> f64 {
    if a == b { 1.0 } else { 0.0 }
}

/// The last seven digits (the whole number when shorter, which
/// normalisation excludes).
pub fn last7(digits: &str) -> &str {
    &digits[digits.len().saturating_sub(7)..]
}

/// Indel-based ratio of two strings in [0, 1]; two empty strings are equal.
///
/// Normalised names and addresses are nearly always ASCII, where a byte is
/// a character: comparing bytes gives the same ratio without decoding
/// UTF-8 (the scorer's hot spot; see BENCHMARKS.md).
fn ratio(a: &str, b: &str) -> f64 {
    if a == b {
        return 1.0;
    }
    if a.is_ascii() && b.is_ascii() {
        fuzz::ratio(a.bytes(), b.bytes())
    } else {
        fuzz::ratio(a.chars(), b.chars())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::automations::find_duplicates::config::DedupConfig;
    use crate::automations::find_duplicates::normalize::{self, Normalizer};

    fn close(actual: f64, expected: f64) {
        assert!(
            (actual - expected).abs() < 0.005,
            "expected {expected}, got {actual}"
        );
    }

    fn names(a: &str, b: &str) -> f64 {
        let n = Normalizer::new(&DedupConfig::spec());
        name(&n.name(a).unwrap(), &n.name(b).unwrap())
    }

    fn emails(a: &str, b: &str) -> f64 {
        let n = Normalizer::new(&DedupConfig::spec());
        email(&n.email(a).unwrap(), &n.email(b).unwrap())
    }

    fn phone_of(a: &str, b: &str) -> f64 {
        phone(&normalize::phone(a).unwrap(), &normalize::phone(b).unwrap())
    }

    #[test]
    fn names_ignore_word_order_case_and_legal_forms() {
        close(names("Smith, John", "JOHN SMITH"), 1.0);
        close(
            names("Al Failakawi Trading Co.", "Al-Failakawi Trading Company"),
            1.0,
        );
        // Spec 4.5: "Acme Trading" / "Acme Holdings" ≈ 0.72.
        close(names("Acme Trading", "Acme Holdings"), 0.72);
        // 2 × 7 matching characters over 10 + 7.
        close(names("John Smith", "J. Smith"), 14.0 / 17.0);
    }

    #[test]
    fn email_similarity_follows_the_domain() {
        close(emails("John@Acme.com", "john@acme.com"), 1.0);
        // Same company domain: half credit for the domain.
        close(emails("john@acme.com", "mary@acme.com"), 0.5);
        close(
            emails("jon@acme.com", "john@acme.com"),
            0.5 + 0.5 * 6.0 / 7.0,
        );
        // A public domain gives no half credit.
        let public = emails("john@gmail.com", "mary@gmail.com");
        assert!(public < 0.75, "{public}");
        close(
            public,
            fuzz::ratio("john@gmail.com".chars(), "mary@gmail.com".chars()),
        );
    }

    #[test]
    fn unlike_addresses_can_be_left_out() {
        let n = Normalizer::new(&DedupConfig::spec());
        let (a, b) = (
            n.email("orders@trejocleaning.com").unwrap(),
            n.email("orders@crowncleaning.com").unwrap(),
        );
        let plain = email(&a, &b);
        assert!(plain > 0.8 && plain < 0.9, "{plain}");
        assert_eq!(email_or_ignored(&a, &b, Some(0.9)), None);
        let typo = n.email("luis.rasmussen62@royal.com").unwrap();
        let right = n.email("louis.rasmussen62@royal.com").unwrap();
        assert!(email_or_ignored(&typo, &right, Some(0.9)).is_some());
        // Same company domain keeps the spec's half credit.
        let (x, y) = (
            n.email("john@acme.com").unwrap(),
            n.email("mary@acme.com").unwrap(),
        );
        assert_eq!(email_or_ignored(&x, &y, Some(0.9)), Some(0.5));
    }

    #[test]
    fn phone_similarity_spec_examples() {
        close(phone_of("+1 (555) 123-4567", "15551234567"), 1.0);
        close(phone_of("+965-1234567", "001234567"), 0.90);
        // National form against international: suffix of at least 8 digits.
        close(phone_of("+1 486 837 0997", "486.837.0997"), 0.95);
        close(phone_of("+49 30 54260864", "030/54260864"), 0.90);
        close(phone_of("+1 486 837 0997", "+1 486 837 0998"), 0.0);
        assert_eq!(phones(&[], &["1234567".into()]), None);
        assert_eq!(
            phones(
                &["5551234567".into(), "1112223333".into()],
                &["1112223333".into()]
            ),
            Some(1.0)
        );
    }

    #[test]
    fn ascii_texts_compare_as_bytes_with_the_same_ratio() {
        for (a, b) in [
            ("acme trading", "acme holdings"),
            ("john smith", "j smith"),
            ("orders@trejocleaning.com", "orders@crowncleaning.com"),
            ("", "x"),
        ] {
            assert_eq!(ratio(a, b), fuzz::ratio(a.chars(), b.chars()), "{a} / {b}");
        }
        // Not ASCII: characters, not bytes, are compared.
        assert_eq!(
            ratio("zoë", "zoe"),
            fuzz::ratio("zoë".chars(), "zoe".chars())
        );
    }

    #[test]
    fn identifiers_are_equal_or_not() {
        close(exact("DE758803963", "DE758803963"), 1.0);
        close(exact("DE758803963", "DE758803964"), 0.0);
    }
}
