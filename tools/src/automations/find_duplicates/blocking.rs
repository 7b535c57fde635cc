//! Blocking (spec 4.6): records are compared only with records that share
//! a key — the e-mail, the company mail domain with the first name word,
//! the last seven phone digits, the VAT number, code or barcode, or the
//! first four letters of the longest name word. That keeps the number of
//! compared pairs near linear in the number of records.

use std::collections::HashMap;

use serde::Serialize;

use super::profile::Profile;
use super::similarity::last7;

/// Letters of the longest name word that form the name key.
const NAME_KEY_LETTERS: usize = 4;

/// The blocking keys of one record, each prefixed by its kind so that
/// equal values of different fields do not meet.
pub fn keys(profile: &Profile) -> Vec<String> {
    let mut keys = Vec::with_capacity(8);
    if let Some(email) = &profile.email {
        keys.push(format!("email:{}", email.address));
        if !email.public_domain
            && let Some(name) = &profile.name
        {
            keys.push(format!("domain:{} {}", email.domain(), name.first));
        }
    }
    for phone in &profile.phones {
        keys.push(format!("phone:{}", last7(phone)));
    }
    for (kind, value) in [
        ("vat", &profile.vat),
        ("code", &profile.code),
        ("barcode", &profile.barcode),
    ] {
        if let Some(value) = value {
            keys.push(format!("{kind}:{value}"));
        }
    }
    for name in [&profile.name, &profile.org_name].into_iter().flatten() {
        let prefix: String = name.longest.chars().take(NAME_KEY_LETTERS).collect();
        keys.push(format!("name:{prefix}"));
    }
    keys.sort_unstable();
    keys.dedup();
    keys
}

/// A block not expanded pairwise because it is too large.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OversizedBlock {
    pub key: String,
    pub size: usize,
}

/// Every key with the records (indices into the profiles) that have it.
#[derive(Debug, Default)]
pub struct BlockIndex {
    by_key: HashMap<String, Vec<u32>>,
}

/// The blocks expanded pairwise, as seen from each record.
#[derive(Debug, Default)]
pub struct PairBlocks {
    /// Members of each expanded block, ascending.
    pub members: Vec<Vec<u32>>,
    /// For each record, the expanded blocks it belongs to.
    pub of_record: Vec<Vec<u32>>,
    /// Blocks skipped for their size, by key.
    pub oversized: Vec<OversizedBlock>,
}

impl BlockIndex {
    pub fn new(profiles: &[Profile]) -> Self {
        let mut by_key: HashMap<String, Vec<u32>> = HashMap::new();
        for (index, profile) in (0u32..).zip(profiles) {
            for key in keys(profile) {
                by_key.entry(key).or_default().push(index);
            }
        }
        Self { by_key }
    }

    /// Records sharing the key, ascending.
    pub fn get(&self, key: &str) -> &[u32] {
        self.by_key.get(key).map_or(&[], Vec::as_slice)
    }

    /// The blocks of at least two records and at most `max_size`.
    pub fn pair_blocks(&self, records: usize, max_size: usize) -> PairBlocks {
        let mut keyed: Vec<(&String, &Vec<u32>)> = self
            .by_key
            .iter()
            .filter(|(_, members)| members.len() >= 2)
            .collect();
        keyed.sort_unstable_by(|a, b| a.0.cmp(b.0));
        let mut blocks = PairBlocks {
            of_record: vec![Vec::new(); records],
            ..PairBlocks::default()
        };
        for (key, members) in keyed {
            if members.len() > max_size {
                blocks.oversized.push(OversizedBlock {
                    key: key.clone(),
                    size: members.len(),
                });
                continue;
            }
            let block = u32::try_from(blocks.members.len()).unwrap_or(u32::MAX);
            for &member in members {
                blocks.of_record[member as usize].push(block);
            }
            blocks.members.push(members.clone());
        }
        blocks
    }
}

#[cfg(test)]
mod tests {
    use pretty_assertions::assert_eq;

    use super::*;
    use crate::automations::find_duplicates::config::DedupConfig;
    use crate::automations::find_duplicates::normalize::{self, Normalizer};

    fn profile(id: i64, name: &str, email: Option<&str>, phone: Option<&str>) -> Profile {
        let n = Normalizer::new(&DedupConfig::spec());
        Profile {
            id,
            name: n.name(name),
            email: email.and_then(|e| n.email(e)),
            phones: phone.and_then(normalize::phone).into_iter().collect(),
            ..Profile::default()
        }
    }

    #[test]
    fn keys_of_a_partner() {
        let p = profile(
            1,
            "John Smithson",
            Some("John@Acme.com"),
            Some("+1 555 123 4567"),
        );
        assert_eq!(
            keys(&p),
            vec![
                "domain:acme.com john",
                "email:john@acme.com",
                "name:smit",
                "phone:1234567",
            ]
        );
        // No domain key on a public mailbox provider.
        let q = profile(2, "Jo Li", Some("jo@gmail.com"), None);
        assert_eq!(keys(&q), vec!["email:jo@gmail.com", "name:jo"]);
    }

    #[test]
    fn large_blocks_are_not_expanded() {
        let profiles: Vec<Profile> = (0..5)
            .map(|i| profile(i, &format!("Machinery {i}"), None, None))
            .chain([profile(9, "Other", None, Some("5551234567"))])
            .collect();
        let index = BlockIndex::new(&profiles);
        assert_eq!(index.get("name:mach"), &[0, 1, 2, 3, 4]);
        let blocks = index.pair_blocks(profiles.len(), 4);
        assert!(blocks.members.is_empty());
        assert_eq!(
            blocks.oversized,
            vec![OversizedBlock {
                key: "name:mach".into(),
                size: 5
            }]
        );
        let blocks = index.pair_blocks(profiles.len(), 5);
        assert_eq!(blocks.members, vec![vec![0, 1, 2, 3, 4]]);
        assert_eq!(blocks.of_record[5], Vec::<u32>::new());
    }
}
