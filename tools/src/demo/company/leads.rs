//! CRM leads and opportunities (one per four partners), planted
//! duplicate leads, and chatter: messages in the channels and on leads.

use chrono::{Days, NaiveDate};
use rand::Rng;
use serde_json::Value;

use super::builder::Builder;
use super::partners::{Pools, Words};
use super::rows::{cols, m2o, money, put, text_opt};
use super::truth::{DuplicateGroup, Mutation};

/// A lead to create.
#[derive(Debug, Clone, Default)]
pub(crate) struct LeadFields {
    pub name: String,
    pub opportunity: bool,
    pub partner: Option<i64>,
    pub partner_name: Option<String>,
    pub contact_name: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
    /// Euro cents.
    pub expected: i64,
    pub probability: f64,
    /// `crm.stage` id: 1 new, 2 qualified, 3 proposition, 4 won.
    pub stage: i64,
    pub outcome: Outcome,
    pub deadline: Option<NaiveDate>,
    pub closed: Option<NaiveDate>,
    pub created: NaiveDate,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) enum Outcome {
    #[default]
    Pending,
    /// Won deals stay active in Odoo.
    Won,
    /// Lost deals are archived.
    Lost,
}

const STAGES: [&str; 4] = ["New", "Qualified", "Proposition", "Won"];

/// The first customer from `drawn` on (wrapping) without a linked lead,
/// marked as taken; `drawn` itself once every customer has one (a company
/// with more linked leads than customers). Probing instead of drawing
/// again keeps the random sequence, and so the rest of the company, as it
/// was.
fn first_free(taken: &mut [bool], drawn: usize) -> usize {
    let n = taken.len();
    let free = (0..n).map(|k| (drawn + k) % n).find(|&i| !taken[i]);
    let chosen = free.unwrap_or(drawn);
    taken[chosen] = true;
    chosen
}

impl Builder {
    /// `count` random leads, then copies of about 5 % of the prospects.
    pub(crate) fn random_leads(&mut self, words: &Words, pools: &Pools, count: usize) {
        let mut prospects = Vec::new();
        // Customers that already have a linked lead. Spec 4.5 cannot tell
        // two leads of one customer with nothing but the company name to
        // compare from a duplicate (names only: 0.85), so the generator
        // gives each customer at most one, and duplicates are only the
        // planted copies below.
        let mut linked_customers = vec![false; pools.customers.len()];
        for n in 0..count {
            let created = self.days_ago(5, 400);
            let linked = !pools.customers.is_empty() && self.rng.random_bool(0.5);
            let mut lead = LeadFields {
                created,
                ..LeadFields::default()
            };
            if linked {
                let drawn = self.rng.random_range(0..pools.customers.len());
                let (customer, _) = &pools.customers[first_free(&mut linked_customers, drawn)];
                lead.partner = Some(*customer);
                lead.partner_name = Some(self.partner_name(*customer).to_owned());
                lead.name = format!("{} - extension", self.partner_name(*customer));
            } else {
                // Prospects take names from the far end of the name space,
                // away from the partners'.
                let k = words.company_space().saturating_sub(n + 1);
                let [a, b, c] = words.company(k);
                let [given, family] = words.person(words.person_space().saturating_sub(n + 1));
                let company = format!("{a} {b} {c}");
                let domain: String = company
                    .chars()
                    .filter(char::is_ascii_alphanumeric)
                    .map(|ch| ch.to_ascii_lowercase())
                    .collect();
                lead.name = format!("{company} - first order");
                lead.partner_name = Some(company);
                lead.contact_name = Some(format!("{given} {family}"));
                lead.email = Some(format!("{}@{domain}.example", given.to_lowercase()));
                lead.phone = Some(format!(
                    "+31 6 {:08}",
                    (n as u64 * 7_919 + 1_234_567) % 100_000_000
                ));
            }
            lead.expected = self.rng.random_range(10..500) * 100_00;
            lead.opportunity = linked || self.rng.random_bool(0.6);
            let roll = self.rng.random_range(0..100);
            match roll {
                0..15 => {
                    lead.outcome = Outcome::Won;
                    lead.stage = 4;
                    lead.probability = 100.0;
                    lead.closed = Some(self.days_ago(0, 60).max(created));
                }
                15..27 => {
                    lead.outcome = Outcome::Lost;
                    lead.stage = 1 + self.rng.random_range(0..3);
                    lead.probability = 0.0;
                    lead.closed = Some(self.days_ago(0, 60).max(created));
                }
                _ => {
                    lead.stage = 1 + self.rng.random_range(0..3);
                    lead.probability = [10.0, 30.0, 60.0][lead.stage as usize - 1];
                }
            }
            if !lead.opportunity {
                lead.stage = 1;
                lead.outcome = Outcome::Pending;
                lead.probability = 10.0;
                lead.closed = None;
            }
            lead.deadline = lead
                .opportunity
                .then(|| created + Days::new(self.rng.random_range(20..200)));
            let id = self.push_lead(&lead);
            if !linked {
                prospects.push((id, lead));
            }
        }
        let copies = prospects.len() / 20;
        for k in 0..copies {
            let (original, lead) = prospects[(k * 7 + 3) % prospects.len()].clone();
            let mut copy = lead.clone();
            copy.opportunity = false;
            copy.stage = 1;
            copy.outcome = Outcome::Pending;
            copy.probability = 10.0;
            copy.closed = None;
            copy.deadline = None;
            copy.created = lead.created + Days::new(3);
            let mut kinds = Vec::new();
            if let Some(name) = &lead.contact_name {
                let mut parts = name.splitn(2, ' ');
                let (first, last) = (parts.next().unwrap_or(""), parts.next().unwrap_or(""));
                copy.contact_name =
                    Some(format!("{}. {last}", first.chars().next().unwrap_or('X')));
                kinds.push(Mutation::NameInitial);
            }
            if k % 2 == 0 {
                copy.email = copy.email.map(|e| e.to_uppercase());
                kinds.push(Mutation::EmailCase);
            } else {
                kinds.push(Mutation::EmailSame);
                copy.phone = copy.phone.map(|p| p.replace(' ', ""));
                kinds.push(Mutation::PhoneReformat);
            }
            let id = self.push_lead(&copy);
            self.truth.lead_duplicates.push(DuplicateGroup {
                original,
                ids: vec![original, id],
                mutations: vec![(id, kinds)],
            });
        }
    }

    pub(crate) fn push_lead(&mut self, l: &LeadFields) -> i64 {
        let refs = self.refs;
        let partner = l.partner.map(|p| self.partner(p));
        let created = self.cal.at(l.created, 10, 0);
        let deadline = l.deadline.map(|d| self.cal.date(d));
        let closed = l.closed.map(|d| self.cal.at(d, 15, 0));
        let t = &mut self.t.leads;
        let [
            name,
            ty,
            partner_col,
            partner_name,
            contact_name,
            email,
            phone,
            expected,
            prorated,
            currency,
            probability,
            stage,
            user,
            company,
            active,
            won_status,
            deadline_col,
            closed_col,
            create_date,
            write_date,
        ] = self.cc.leads;
        let r = t.push_blank();
        put(r, name, Value::from(l.name.as_str()));
        put(
            r,
            ty,
            (if l.opportunity { "opportunity" } else { "lead" }).into(),
        );
        put(r, partner_col, partner.unwrap_or(Value::Bool(false)));
        put(r, partner_name, text_opt(l.partner_name.as_deref()));
        put(r, contact_name, text_opt(l.contact_name.as_deref()));
        put(r, email, text_opt(l.email.as_deref()));
        put(r, phone, text_opt(l.phone.as_deref()));
        put(r, expected, money(l.expected));
        put(
            r,
            prorated,
            money((l.expected as f64 * l.probability / 100.0).round() as i64),
        );
        put(r, currency, refs.eur.value());
        put(r, probability, Value::from(l.probability));
        let stage_index = (l.stage.clamp(1, 4) - 1) as usize;
        put(r, stage, m2o(l.stage.clamp(1, 4), STAGES[stage_index]));
        put(r, user, refs.salesman.value());
        put(r, company, refs.company.value());
        put(r, active, (l.outcome != Outcome::Lost).into());
        put(
            r,
            won_status,
            match l.outcome {
                Outcome::Won => "won",
                Outcome::Lost => "lost",
                Outcome::Pending => "pending",
            }
            .into(),
        );
        put(r, deadline_col, deadline.unwrap_or(Value::Bool(false)));
        put(r, closed_col, closed.unwrap_or(Value::Bool(false)));
        put(r, create_date, created.clone());
        put(r, write_date, created);
        r.id
    }

    /// A few messages per channel from the demo users.
    pub(crate) fn chatter(&mut self) {
        let authors: Vec<i64> = (0..4)
            .map(|k| self.truth.company_partner_id + 1 + k)
            .collect();
        let author_values: Vec<Value> = authors.iter().map(|&a| self.partner(a)).collect();
        let channels: Vec<(i64, String)> = {
            let [name] = cols(&self.t.channels, ["name"]);
            self.t
                .channels
                .records()
                .iter()
                .map(|r| {
                    (
                        r.id,
                        r.values
                            .get(name)
                            .and_then(Value::as_str)
                            .unwrap_or("")
                            .to_owned(),
                    )
                })
                .collect()
        };
        let bodies = [
            "<p>Reminder: month-end closing starts Monday.</p>",
            "<p>Bank statements imported for last week.</p>",
            "<p>Two deliveries are waiting for stock.</p>",
            "<p>New price list is live.</p>",
        ];
        for (channel, channel_name) in channels {
            for k in 0..6_usize {
                let day = self.days_ago(0, 60);
                let at = self.cal.at(day, 9 + k as u32, 5);
                let t = &mut self.t.messages;
                let [model, res_id, record_name, body, author, date, message_type] = cols(
                    t,
                    [
                        "model",
                        "res_id",
                        "record_name",
                        "body",
                        "author_id",
                        "date",
                        "message_type",
                    ],
                );
                let r = t.push_blank();
                put(r, model, "discuss.channel".into());
                put(r, res_id, channel.into());
                put(r, record_name, Value::from(channel_name.as_str()));
                put(r, body, bodies[k % bodies.len()].into());
                put(r, author, author_values[k % author_values.len()].clone());
                put(r, date, at);
                put(r, message_type, "comment".into());
            }
        }
    }
}

/// The columns written per record, resolved once per table.
pub(crate) const LEADS_FIELDS: [&str; 20] = [
    "name",
    "type",
    "partner_id",
    "partner_name",
    "contact_name",
    "email_from",
    "phone",
    "expected_revenue",
    "prorated_revenue",
    "company_currency",
    "probability",
    "stage_id",
    "user_id",
    "company_id",
    "active",
    "won_status",
    "date_deadline",
    "date_closed",
    "create_date",
    "write_date",
];
