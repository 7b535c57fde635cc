//! Normalisation of compared values (spec 4.3): names reduced to their core
//! words, e-mail addresses split into local part and domain, phone numbers
//! reduced to digits, identifiers to bare upper-case characters.

use std::collections::HashSet;

use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::is_combining_mark;

use super::config::DedupConfig;

/// A name reduced to its words, ready for token-sort comparison.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NormName {
    /// The words, sorted and joined by single spaces.
    pub sorted: String,
    /// The first word as written (after normalisation), for blocking.
    pub first: String,
    /// The longest word (the alphabetically first of equally long ones),
    /// for blocking.
    pub longest: String,
}

/// An e-mail address, trimmed and lowercase.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NormEmail {
    pub address: String,
    /// Where the local part ends in `address` (the `@`).
    at: usize,
    /// A role address such as `info@` or `billing@`.
    pub generic: bool,
    /// The domain is a public mailbox provider.
    pub public_domain: bool,
}

impl NormEmail {
    pub fn local(&self) -> &str {
        &self.address[..self.at]
    }

    pub fn domain(&self) -> &str {
        &self.address[self.at + 1..]
    }
}

/// The word lists of the configuration, as sets.
#[derive(Debug, Clone)]
pub struct Normalizer {
    legal_forms: HashSet<String>,
    generic_mailboxes: HashSet<String>,
    public_mail_domains: HashSet<String>,
    join_initials: bool,
}

/// Fewer digits than this is not a phone number (spec 4.3, improvement).
pub const MIN_PHONE_DIGITS: usize = 7;

impl Normalizer {
    pub fn new(config: &DedupConfig) -> Self {
        let set = |list: &[String]| list.iter().map(|word| word.to_lowercase()).collect();
        Self {
            legal_forms: set(&config.legal_forms),
            generic_mailboxes: set(&config.generic_mailboxes),
            public_mail_domains: set(&config.public_mail_domains),
            join_initials: config.join_initials,
        }
    }

    /// Compatibility decomposition, accents dropped, lowercase, punctuation
    /// as spaces, legal-form words removed. `None` when no word is left.
    pub fn name(&self, raw: &str) -> Option<NormName> {
        let folded = fold(raw);
        let mut words: Vec<&str> = folded.split_whitespace().collect();
        let joined;
        if self.join_initials {
            joined = join_single_letters(&words);
            words = joined.iter().map(String::as_str).collect();
        }
        words.retain(|word| !self.legal_forms.contains(*word));
        let first = (*words.first()?).to_owned();
        // Ties go to the alphabetically first word, so that word order
        // ("Miller, Robert") does not change the key.
        let longest = words
            .iter()
            .max_by(|a, b| {
                a.chars()
                    .count()
                    .cmp(&b.chars().count())
                    .then_with(|| b.cmp(a))
            })
            .map_or_else(String::new, |word| (*word).to_owned());
        words.sort_unstable();
        Some(NormName {
            sorted: words.join(" "),
            first,
            longest,
        })
    }

    /// Trimmed and lowercase; `None` without an `@` or with an empty side.
    pub fn email(&self, raw: &str) -> Option<NormEmail> {
        let address = raw.trim().to_lowercase();
        let at = address.rfind('@')?;
        if at == 0 || at + 1 == address.len() {
            return None;
        }
        let generic = self.generic_mailboxes.contains(&address[..at]);
        let public_domain = self.public_mail_domains.contains(&address[at + 1..]);
        Some(NormEmail {
            address,
            at,
            generic,
            public_domain,
        })
    }
}

/// Digits only, after dropping a leading `+` or `00`; `None` below seven
/// digits.
pub fn phone(raw: &str) -> Option<String> {
    let trimmed = raw.trim_start();
    let rest = trimmed
        .strip_prefix('+')
        .or_else(|| trimmed.strip_prefix("00"))
        .unwrap_or(trimmed);
    let digits: String = rest.chars().filter(char::is_ascii_digit).collect();
    (digits.len() >= MIN_PHONE_DIGITS).then_some(digits)
}

/// VAT number, internal reference or barcode: uppercase without spaces,
/// dots and dashes; `None` when nothing is left.
pub fn code(raw: &str) -> Option<String> {
    let out: String = raw
        .chars()
        .filter(|c| !c.is_whitespace() && !matches!(c, '.' | '-'))
        .flat_map(char::to_uppercase)
        .collect();
    (!out.is_empty()).then_some(out)
}

/// NFKD, accents dropped, lowercase, every non-alphanumeric as a space.
fn fold(raw: &str) -> String {
    raw.nfkd()
        .filter(|c| !is_combining_mark(*c))
        .flat_map(char::to_lowercase)
        .map(|c| if c.is_alphanumeric() { c } else { ' ' })
        .collect()
}

/// "l l c" → "llc": runs of two or more one-letter words become one word.
fn join_single_letters(words: &[&str]) -> Vec<String> {
    let mut out: Vec<String> = Vec::with_capacity(words.len());
    let mut run = String::new();
    let mut run_len = 0;
    let flush = |out: &mut Vec<String>, run: &mut String, run_len: &mut usize| {
        if *run_len > 0 {
            out.push(std::mem::take(run));
        }
        *run_len = 0;
    };
    for word in words {
        if word.chars().count() == 1 {
            run.push_str(word);
            run_len += 1;
        } else {
            flush(&mut out, &mut run, &mut run_len);
            out.push((*word).to_owned());
        }
    }
    flush(&mut out, &mut run, &mut run_len);
    out
}

#[cfg(test)]
mod tests {
    use pretty_assertions::assert_eq;

    use super::*;

    fn spec() -> Normalizer {
        Normalizer::new(&DedupConfig::spec())
    }

    fn sorted(normalizer: &Normalizer, raw: &str) -> String {
        normalizer
            .name(raw)
            .map(|name| name.sorted)
            .unwrap_or_default()
    }

    #[test]
    fn legal_forms_and_punctuation_go_descriptive_words_stay() {
        let n = spec();
        assert_eq!(
            sorted(&n, "Al Failakawi Trading Co."),
            "al failakawi trading"
        );
        assert_eq!(
            sorted(&n, "Al-Failakawi Trading Company"),
            "al failakawi trading"
        );
        assert_eq!(sorted(&n, "Blue Ridge Group GmbH"), "blue group ridge");
        assert_eq!(sorted(&n, "ACME, Inc."), "acme");
        assert_eq!(sorted(&n, "  Acme   Ltd  "), "acme");
        // Only whole words are legal forms.
        assert_eq!(sorted(&n, "Costa Coffee"), "coffee costa");
        assert_eq!(n.name("Ltd."), None);
        assert_eq!(n.name("  ...  "), None);
    }

    #[test]
    fn accents_and_compatibility_forms_fold() {
        let n = spec();
        assert_eq!(sorted(&n, "Müller Bäckerei"), "backerei muller");
        assert_eq!(sorted(&n, "Société Générale SA"), "generale societe");
        assert_eq!(sorted(&n, "Ｆｕｌｌ Ｗｉｄｔｈ"), "full width");
        assert_eq!(sorted(&n, "ﬁne ﬂowers"), "fine flowers");
    }

    #[test]
    fn dotted_legal_forms_need_joined_initials() {
        let spec = spec();
        assert_eq!(
            sorted(&spec, "Bailey Aviation L.L.C."),
            "aviation bailey c l l"
        );
        let joined = Normalizer::new(&DedupConfig {
            join_initials: true,
            ..DedupConfig::spec()
        });
        assert_eq!(sorted(&joined, "Bailey Aviation L.L.C."), "aviation bailey");
        assert_eq!(sorted(&joined, "Van Dijk B.V."), "dijk van");
        assert_eq!(sorted(&joined, "J. Smith"), "j smith");
    }

    #[test]
    fn blocking_words_of_a_name() {
        let name = spec().name("The Pioneer Frye Finance Inc.").unwrap();
        assert_eq!(name.first, "the");
        // "pioneer" and "finance" are equally long: the first alphabetically.
        assert_eq!(name.longest, "finance");
        let swapped = |raw| spec().name(raw).unwrap().longest;
        assert_eq!(swapped("Robert Miller"), "miller");
        assert_eq!(swapped("Miller, Robert"), "miller");
    }

    #[test]
    fn email_is_trimmed_lowercase_and_classified() {
        let n = spec();
        let email = n.email("  John.Smith@Acme.COM ").unwrap();
        assert_eq!(email.address, "john.smith@acme.com");
        assert_eq!((email.local(), email.domain()), ("john.smith", "acme.com"));
        assert!(!email.generic && !email.public_domain);
        assert!(n.email("Billing@acme.com").unwrap().generic);
        assert!(n.email("jane@Gmail.com").unwrap().public_domain);
        assert_eq!(n.email("no address"), None);
        assert_eq!(n.email("@acme.com"), None);
        assert_eq!(n.email("john@"), None);
    }

    #[test]
    fn phone_formats_reduce_to_the_same_digits() {
        assert_eq!(phone("+1 (555) 123-4567").as_deref(), Some("15551234567"));
        assert_eq!(phone("15551234567").as_deref(), Some("15551234567"));
        assert_eq!(phone("0044 20 7946 0958").as_deref(), Some("442079460958"));
        assert_eq!(phone("+44 20 7946 0958").as_deref(), Some("442079460958"));
        assert_eq!(phone("030/54260864").as_deref(), Some("03054260864"));
        assert_eq!(phone("001234567").as_deref(), Some("1234567"));
        assert_eq!(phone("ext. 123456"), None);
        assert_eq!(phone("+965"), None);
    }

    #[test]
    fn codes_lose_separators_and_case() {
        assert_eq!(code("de 758.803-963").as_deref(), Some("DE758803963"));
        assert_eq!(code(" - . "), None);
    }
}
