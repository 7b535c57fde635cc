//! Reference text as the spec compares it (2.4): normalised tokens, the
//! token-sort similarity, token containment and digit signatures.
//!
//! A text is analysed once ([`RefText::new`]) and then compared with many
//! others, so the per-pair work is a similarity on prepared strings and a
//! few slice comparisons.

use std::hash::{DefaultHasher, Hash, Hasher};

/// A normalised text with everything the reference score needs.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct RefText {
    /// Lowercase alphanumeric tokens in their original order.
    pub tokens: Vec<String>,
    /// The tokens sorted and joined by one space (token-sort form).
    pub sorted: String,
    /// Digit runs in order with leading zeros removed ("0042" → "42").
    pub digits: Vec<String>,
    /// Number of digits in `digits` (after removing leading zeros).
    pub digit_count: usize,
    /// A hash per token and per digit run, so containment compares
    /// integers first and strings only on a hit.
    token_hashes: Vec<u64>,
    digit_hashes: Vec<u64>,
    /// Characters in `sorted`.
    pub sorted_len: usize,
    /// See [`RefText::is_containable`].
    containable: bool,
}

impl RefText {
    /// Analyses `raw`: lowercase, every non-alphanumeric run becomes one
    /// separator, spaces collapse.
    pub fn new(raw: &str) -> Self {
        let tokens = tokens(raw);
        let mut sorted_tokens: Vec<&str> = tokens.iter().map(String::as_str).collect();
        sorted_tokens.sort_unstable();
        let sorted = sorted_tokens.join(" ");
        let sorted_len = sorted.chars().count();
        let digits = digit_runs(raw);
        let digit_count = digits.iter().map(String::len).sum();
        let chars: usize = tokens.iter().map(|t| t.chars().count()).sum();
        let containable =
            chars >= 4 && tokens.iter().any(|t| t.chars().any(|c| c.is_ascii_digit()));
        Self {
            token_hashes: tokens.iter().map(|t| hash(t)).collect(),
            digit_hashes: digits.iter().map(|d| hash(d)).collect(),
            tokens,
            sorted,
            digits,
            digit_count,
            sorted_len,
            containable,
        }
    }

    /// Whether `other`'s tokens occur as a contiguous run of this text's.
    pub fn tokens_contain(&self, other: &RefText) -> bool {
        contains_hashed(
            &self.token_hashes,
            &self.tokens,
            &other.token_hashes,
            &other.tokens,
        )
    }

    /// Whether `other`'s digit signature occurs as a contiguous run of
    /// this text's.
    pub fn digits_contain(&self, other: &RefText) -> bool {
        contains_hashed(
            &self.digit_hashes,
            &self.digits,
            &other.digit_hashes,
            &other.digits,
        )
    }

    /// True when the text has no token at all.
    pub fn is_empty(&self) -> bool {
        self.tokens.is_empty()
    }

    /// Whether this text may count as contained in another (2.4 (a)): at
    /// least 4 characters and at least one token with a digit, so a bare
    /// word like "payment" never counts.
    pub fn is_containable(&self) -> bool {
        self.containable
    }
}

/// Normalised text: lowercase, non-alphanumeric runs to one space, trimmed.
pub fn normalise(raw: &str) -> String {
    tokens(raw).join(" ")
}

/// The normalised tokens of `raw`.
pub fn tokens(raw: &str) -> Vec<String> {
    raw.split(|c: char| !c.is_alphanumeric())
        .filter(|t| !t.is_empty())
        .map(str::to_lowercase)
        .collect()
}

/// Digit runs of `raw` in order, leading zeros removed; a run of only zeros
/// is "0".
pub fn digit_runs(raw: &str) -> Vec<String> {
    raw.split(|c: char| !c.is_ascii_digit())
        .filter(|run| !run.is_empty())
        .map(|run| {
            let stripped = run.trim_start_matches('0');
            if stripped.is_empty() { "0" } else { stripped }.to_owned()
        })
        .collect()
}

/// Token-sort similarity of two prepared texts, 0–100 (rapidfuzz
/// `token_sort_ratio` semantics: Indel ratio of the sorted token strings).
pub fn token_sort_ratio(a: &RefText, b: &RefText) -> f64 {
    sorted_ratio(&a.sorted, &b.sorted)
}

/// Token-sort similarity of two raw texts, 0–100.
pub fn token_sort_ratio_raw(a: &str, b: &str) -> f64 {
    token_sort_ratio(&RefText::new(a), &RefText::new(b))
}

/// Indel ratio of two already sorted token strings, 0–100. Two empty
/// strings are not similar: an absent reference is no evidence.
pub fn sorted_ratio(a: &str, b: &str) -> f64 {
    if a.is_empty() || b.is_empty() {
        return 0.0;
    }
    rapidfuzz::fuzz::ratio(a.chars(), b.chars()) * 100.0
}

fn hash(text: &str) -> u64 {
    let mut hasher = DefaultHasher::new();
    text.hash(&mut hasher);
    hasher.finish()
}

/// Whether `needle` occurs as a contiguous run of `hay`, compared on
/// hashes and confirmed on the strings.
fn contains_hashed(
    hay: &[u64],
    hay_text: &[String],
    needle: &[u64],
    needle_text: &[String],
) -> bool {
    let Some((&first, rest)) = needle.split_first() else {
        return false;
    };
    if needle.len() > hay.len() {
        return false;
    }
    (0..=hay.len() - needle.len()).any(|start| {
        hay[start] == first
            && rest.iter().zip(&hay[start + 1..]).all(|(a, b)| a == b)
            && hay_text[start..start + needle.len()] == *needle_text
    })
}

/// Replaces every digit run of a normalised text with `#`, the form in
/// which learned rules store and compare texts (2.8).
pub fn digits_to_hash(normalised: &str) -> String {
    let mut out = String::with_capacity(normalised.len());
    let mut in_digits = false;
    for c in normalised.chars() {
        if c.is_ascii_digit() {
            if !in_digits {
                out.push('#');
            }
            in_digits = true;
        } else {
            out.push(c);
            in_digits = false;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use pretty_assertions::assert_eq;

    use super::*;

    #[test]
    fn normalisation_lowercases_and_collapses_punctuation() {
        assert_eq!(
            normalise("  PMT  INV-2026/042 -- Feb. "),
            "pmt inv 2026 042 feb"
        );
        assert_eq!(normalise("Müller & Söhne GmbH"), "müller söhne gmbh");
        assert_eq!(normalise("---"), "");
    }

    #[test]
    fn digit_signature_drops_leading_zeros() {
        assert_eq!(digit_runs("INV/2026/0042"), vec!["2026", "42"]);
        assert_eq!(digit_runs("PMT INV-2026-042"), vec!["2026", "42"]);
        assert_eq!(digit_runs("INV/2026/0043"), vec!["2026", "43"]);
        assert_eq!(digit_runs("A-000-7"), vec!["0", "7"]);
        let text = RefText::new("INV/2026/0042");
        assert_eq!(text.digit_count, 6);
    }

    #[test]
    fn token_sort_ratio_matches_the_spec_example() {
        let r = token_sort_ratio_raw("PMT INV-2026-042", "INV/2026/0042");
        assert!((r - 82.758).abs() < 0.01, "{r}");
        assert_eq!(token_sort_ratio_raw("b a", "A-B"), 100.0);
        assert_eq!(token_sort_ratio_raw("", ""), 0.0);
    }

    #[test]
    fn containment_is_on_token_runs() {
        let bank = RefText::new("Payment for INV-042 Feb");
        let key = RefText::new("INV-042");
        assert!(bank.tokens_contain(&key));
        assert!(!key.tokens_contain(&bank));
        let wrong = RefText::new("inv2026004");
        let longer = RefText::new("inv20260042");
        assert!(!longer.tokens_contain(&wrong));
        assert!(!bank.tokens_contain(&RefText::new("042 INV")));
        let signature = RefText::new("PMT INV-2026-042 Feb 2026");
        assert!(signature.digits_contain(&RefText::new("INV/2026/0042")));
        assert!(!signature.digits_contain(&RefText::new("INV/2026/0043")));
    }

    #[test]
    fn containable_needs_four_characters_and_a_digit() {
        assert!(RefText::new("INV-042").is_containable());
        assert!(!RefText::new("Payment").is_containable());
        assert!(!RefText::new("A-1").is_containable());
    }

    #[test]
    fn rule_patterns_hash_digit_runs() {
        assert_eq!(digits_to_hash("sub 2026 02 feb"), "sub # # feb");
        assert_eq!(digits_to_hash("inv2026x1"), "inv#x#");
    }
}
