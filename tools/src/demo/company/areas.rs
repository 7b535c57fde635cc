//! Generating independent areas of the company on two threads.
//!
//! Once partners and products exist, the customer side (invoices, refunds,
//! bank settlements, open bank lines) and the vendor side (bills, credit
//! notes, payments) plus orders and leads no longer depend on each other.
//! The second area runs on a sibling [`Builder`] with its own random
//! stream, derived from the seed, so the company stays the same on every
//! run whatever the scheduling:
//!
//! - orders, pickings and leads go to tables only that area writes, moved
//!   to the sibling and back;
//! - vendor documents share the journal tables with the customer side, so
//!   the sibling numbers them from 1 in tables of its own and
//!   [`Builder::absorb`] appends them after the customer side's records,
//!   shifting their ids and every link between them.

use std::mem::swap;

use rand::SeedableRng;
use rand::rngs::StdRng;
use serde_json::Value;

use super::builder::Builder;
use crate::demo::{FieldType, Table};

/// Models whose records the sibling numbers locally and
/// [`Builder::absorb`] renumbers.
const RENUMBERED: [&str; 4] = [
    "account.move",
    "account.move.line",
    "account.partial.reconcile",
    "account.payment",
];

impl Builder {
    /// A builder for an independent area: this one's reference data (refs,
    /// calendar, partner and product names, rates, sequences), empty
    /// tables, and the random stream `stream` of the seed.
    pub(crate) fn sibling(&self, stream: u64) -> Builder {
        let mut side = Builder::new(&self.spec);
        side.rng = StdRng::seed_from_u64(
            self.spec
                .seed
                .wrapping_add(stream.wrapping_mul(0x9E37_79B9_7F4A_7C15)),
        );
        side.refs = self.refs;
        side.partner_names = self.partner_names.clone();
        side.commercial = self.commercial.clone();
        side.usd_rates = self.usd_rates.clone();
        side.gbp_rates = self.gbp_rates.clone();
        side.product_names = self.product_names.clone();
        side.countries = self.countries.clone();
        side.sequences = self.sequences.clone();
        side
    }

    /// Swaps the tables only the sibling area writes (orders, pickings,
    /// leads) between `self` and `side`: called once to hand them over,
    /// once more (from [`Builder::absorb`]) to take them back.
    pub(crate) fn swap_order_tables(&mut self, side: &mut Builder) {
        swap(&mut self.t.sale_orders, &mut side.t.sale_orders);
        swap(&mut self.t.sale_lines, &mut side.t.sale_lines);
        swap(&mut self.t.purchase_orders, &mut side.t.purchase_orders);
        swap(&mut self.t.purchase_lines, &mut side.t.purchase_lines);
        swap(&mut self.t.pickings, &mut side.t.pickings);
        swap(&mut self.t.leads, &mut side.t.leads);
    }

    /// Takes back what the sibling generated: its order tables, its
    /// journal records appended with shifted ids, its sequence counters and
    /// its planted lead duplicates.
    pub(crate) fn absorb(&mut self, mut side: Builder) {
        self.swap_order_tables(&mut side);
        let offsets = [
            last_id(&self.t.moves),
            last_id(&self.t.lines),
            last_id(&self.t.partials),
            last_id(&self.t.payments),
        ];
        append_shifted(&mut self.t.moves, side.t.moves, &offsets);
        append_shifted(&mut self.t.lines, side.t.lines, &offsets);
        append_shifted(&mut self.t.partials, side.t.partials, &offsets);
        append_shifted(&mut self.t.payments, side.t.payments, &offsets);
        for (key, next) in side.sequences {
            let slot = self.sequences.entry(key).or_insert(next);
            *slot = (*slot).max(next);
        }
        self.truth
            .lead_duplicates
            .append(&mut side.truth.lead_duplicates);
    }
}

fn last_id(table: &Table) -> i64 {
    table.next_id() - 1
}

/// The shift of ids pointing into `model`: its offset when renumbered, else 0.
fn shift_of(model: &str, offsets: &[i64; 4]) -> i64 {
    RENUMBERED
        .iter()
        .position(|m| *m == model)
        .map_or(0, |i| offsets[i])
}

/// Appends `source`'s records to `target`, adding to every id (the
/// record's own and those of its links into [`RENUMBERED`] models) the
/// offset of its model.
fn append_shifted(target: &mut Table, source: Table, offsets: &[i64; 4]) {
    let own = shift_of(target.def.name, offsets);
    // (column, shift, whether the column holds a list of ids)
    let links: Vec<(usize, i64, bool)> = source
        .def
        .fields
        .iter()
        .enumerate()
        .filter_map(|(i, f)| match f.ty {
            FieldType::Many2one(model) => Some((i, shift_of(model, offsets), false)),
            FieldType::One2many { comodel: model, .. } | FieldType::Many2many(model) => {
                Some((i, shift_of(model, offsets), true))
            }
            _ => None,
        })
        .filter(|&(_, shift, _)| shift != 0)
        .collect();
    for mut record in source.into_records() {
        record.id += own;
        record.values[0] = Value::from(record.id);
        for &(col, shift, list) in &links {
            let Some(Value::Array(items)) = record.values.get_mut(col) else {
                continue;
            };
            // A many2one is `[id, name]`: only its first item is an id.
            let count = if list {
                items.len()
            } else {
                items.len().min(1)
            };
            for id in &mut items[..count] {
                if let Some(n) = id.as_i64() {
                    *id = Value::from(n + shift);
                }
            }
        }
        let pushed = target.push(record);
        debug_assert!(pushed.is_ok(), "renumbered ids grow: {pushed:?}");
    }
}
