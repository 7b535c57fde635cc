//! Candidate generation without comparing every line with every item
//! (spec 2.5 blocking): a line is scored only against items of its
//! partner, items sharing a digit run of 3+ digits with its text, and
//! items whose amount is within 10 % of its own.

use std::collections::HashMap;

use rust_decimal::Decimal;

use super::config::ReconcileConfig;
use super::score::{PreparedItem, PreparedLine};
use super::text::{RefText, tokens};

/// Lookup tables over the open items, built once per run.
pub(crate) struct CandidateIndex {
    /// Items per commercial partner, most recent first (split search order).
    by_partner: HashMap<i64, Vec<u32>>,
    by_digit_run: HashMap<String, Vec<u32>>,
    by_name_word: HashMap<String, Vec<u32>>,
    /// (|r|, item) of money-in items, by |r|.
    incoming: Vec<(Decimal, u32)>,
    /// (|r|, item) of money-out items, by |r|.
    outgoing: Vec<(Decimal, u32)>,
    max_key_block: usize,
}

/// Remembers which items a line has already collected, without clearing a
/// set per line.
pub(crate) struct Seen {
    stamp: Vec<u32>,
    current: u32,
}

impl Seen {
    pub fn new(items: usize) -> Self {
        Self {
            stamp: vec![0; items],
            current: 0,
        }
    }

    fn next_line(&mut self) {
        self.current += 1;
    }

    fn first_time(&mut self, item: u32) -> bool {
        let slot = &mut self.stamp[item as usize];
        let fresh = *slot != self.current;
        *slot = self.current;
        fresh
    }
}

impl CandidateIndex {
    pub fn new(items: &[PreparedItem<'_>], config: &ReconcileConfig) -> Self {
        let mut by_partner: HashMap<i64, Vec<u32>> = HashMap::new();
        let mut by_digit_run: HashMap<String, Vec<u32>> = HashMap::new();
        let mut by_name_word: HashMap<String, Vec<u32>> = HashMap::new();
        let mut incoming = Vec::new();
        let mut outgoing = Vec::new();
        for (index, prepared) in items.iter().enumerate() {
            let index = index as u32;
            if let Some(partner) = prepared.item.commercial_partner_id {
                by_partner.entry(partner).or_default().push(index);
            }
            let mut runs: Vec<&String> = prepared
                .keys
                .iter()
                .flat_map(|key| key.digits.iter())
                .filter(|run| run.len() >= config.blocking.min_digit_run)
                .collect();
            runs.sort_unstable();
            runs.dedup();
            for run in runs {
                by_digit_run.entry(run.clone()).or_default().push(index);
            }
            if let Some(name) = prepared.item.partner_name() {
                let mut words = tokens(name);
                words.sort_unstable();
                words.dedup();
                for word in words.into_iter().filter(|w| w.chars().count() >= 3) {
                    by_name_word.entry(word).or_default().push(index);
                }
            }
            if prepared.item.residual > Decimal::ZERO {
                incoming.push((prepared.magnitude, index));
            } else if prepared.item.residual < Decimal::ZERO {
                outgoing.push((prepared.magnitude, index));
            }
        }
        for list in by_partner.values_mut() {
            list.sort_by(|&x, &y| {
                let (x, y) = (items[x as usize].item, items[y as usize].item);
                y.date.cmp(&x.date).then(y.id.cmp(&x.id))
            });
        }
        incoming.sort_unstable();
        outgoing.sort_unstable();
        Self {
            by_partner,
            by_digit_run,
            by_name_word,
            incoming,
            outgoing,
            max_key_block: config.blocking.max_key_block,
        }
    }

    /// The items of a commercial partner, most recent first.
    pub fn partner_items(&self, partner: i64) -> &[u32] {
        self.by_partner.get(&partner).map_or(&[], Vec::as_slice)
    }

    /// Collects into `out` every item in one of the line's blocks, each once,
    /// in a deterministic order. Signs are not checked here.
    pub fn collect(
        &self,
        line: &PreparedLine<'_>,
        config: &ReconcileConfig,
        seen: &mut Seen,
        out: &mut Vec<u32>,
    ) {
        out.clear();
        seen.next_line();
        let mut push = |item: u32| {
            if seen.first_time(item) {
                out.push(item);
            }
        };
        if let Some(partner) = line.line.commercial_partner_id {
            self.partner_items(partner)
                .iter()
                .copied()
                .for_each(&mut push);
        } else if let Some(name) = &line.partner_name {
            self.words_block(name).for_each(&mut push);
        }
        for run in line
            .text
            .digits
            .iter()
            .filter(|run| run.len() >= config.blocking.min_digit_run)
        {
            if let Some(list) = self
                .by_digit_run
                .get(run)
                .filter(|l| l.len() <= self.max_key_block)
            {
                list.iter().copied().for_each(&mut push);
            }
        }
        self.amount_block(line.line.amount, config.blocking.amount_within)
            .for_each(&mut push);
    }

    fn words_block<'s>(&'s self, name: &'s RefText) -> impl Iterator<Item = u32> + 's {
        name.tokens
            .iter()
            .filter_map(|word| self.by_name_word.get(word))
            .filter(|list| list.len() <= self.max_key_block)
            .flat_map(|list| list.iter().copied())
    }

    /// Items on the line's side whose |r| gives p = | |a| − |r| | / max ≤ `within`.
    fn amount_block(&self, amount: Decimal, within: Decimal) -> impl Iterator<Item = u32> + '_ {
        let side = if amount > Decimal::ZERO {
            self.incoming.as_slice()
        } else if amount < Decimal::ZERO {
            self.outgoing.as_slice()
        } else {
            &[]
        };
        let magnitude = amount.abs();
        let keep = Decimal::ONE - within;
        let low = magnitude * keep;
        let high = if keep > Decimal::ZERO {
            magnitude / keep
        } else {
            Decimal::MAX
        };
        let start = side.partition_point(|(r, _)| *r < low);
        let end = side.partition_point(|(r, _)| *r <= high);
        side[start..end.max(start)].iter().map(|(_, item)| *item)
    }
}
