//! What the daily digest (spec 7.2) needs beyond the other examples:
//! scheduled activities on opportunities, reordering rules, and open
//! deliveries and receipts around today. Planted after everything else and
//! without the random source, so no other record or answer changes.

use chrono::{Days, NaiveDate};
use serde_json::Value;

use super::builder::Builder;
use super::leads::{LeadFields, Outcome};
use super::products::Catalogue;
use super::rows::{cols, m2o, put};
use super::truth::DigestExamples;

impl Builder {
    pub(crate) fn digest_examples(&mut self, catalogue: &Catalogue) {
        let today = self.dates.today;
        let before = |days: u64| today - Days::new(days);
        let half = self.truth.forecast.pipeline_half;
        let eighty = self.truth.forecast.pipeline_eighty;
        let (salesman, admin) = (self.refs.salesman, self.refs.admin);
        let mut examples = DigestExamples::default();
        for (model, res_id, deadline, user, overdue) in [
            ("crm.lead", half, before(3), salesman, true),
            ("crm.lead", eighty, before(1), salesman, true),
            ("crm.lead", half, before(10), admin, true),
            ("crm.lead", eighty, today, salesman, false),
            (
                "res.partner",
                self.truth.company_partner_id,
                before(5),
                admin,
                false,
            ),
        ] {
            let id = self.push_activity(model, res_id, deadline, user.value());
            if overdue {
                examples.overdue_activities.push((id, user.id));
            }
        }
        // (min, forecast, active): below the minimum only when active and
        // the forecast is strictly less.
        let rules = [
            (20.0, 5.0, true),
            (10.0, 3.0, true),
            (10.0, 10.0, true),
            (5.0, 40.0, true),
            (50.0, 0.0, false),
        ];
        for ((min, forecast, active), product) in rules.into_iter().zip(&catalogue.storable) {
            let id = self.push_orderpoint(*product, min, forecast, active);
            if active && forecast < min {
                examples.below_reorder.push(id);
            }
        }
        let customer = self
            .truth
            .credit_examples
            .first()
            .map_or(self.truth.company_partner_id, |e| e.partner_id);
        // A deal won and a larger one lost within the last seven days, and
        // one lost before them that no longer counts.
        for (name, outcome, expected, closed) in [
            ("Digest example - won", Outcome::Won, 30_000_00, before(2)),
            ("Digest example - lost", Outcome::Lost, 45_000_00, before(3)),
            (
                "Digest example - lost long ago",
                Outcome::Lost,
                9_000_00,
                before(12),
            ),
        ] {
            let won = outcome == Outcome::Won;
            let id = self.push_lead(&LeadFields {
                name: name.to_owned(),
                opportunity: true,
                partner: Some(customer),
                partner_name: Some(self.partner_name(customer).to_owned()),
                expected,
                probability: if won { 100.0 } else { 0.0 },
                stage: if won { 4 } else { 2 },
                outcome,
                deadline: Some(closed + Days::new(5)),
                closed: Some(closed),
                created: closed - Days::new(30),
                ..LeadFields::default()
            });
            if closed >= before(7) {
                if won {
                    examples.won_7d.push(id);
                } else {
                    examples.lost_7d.push(id);
                }
            }
        }
        for (code, state, day, list) in [
            ("outgoing", "assigned", before(2), 0),
            ("outgoing", "waiting", before(5), 0),
            ("outgoing", "confirmed", today, 1),
            ("incoming", "assigned", before(4), 2),
            ("incoming", "confirmed", today + Days::new(3), 3),
        ] {
            let id = self.picking(code, "Digest example", state, day, customer, None, None);
            match list {
                0 => examples.late_deliveries.push(id),
                1 => examples.deliveries_today.push(id),
                2 => examples.late_receipts.push(id),
                _ => examples.pending_receipts.push(id),
            }
        }
        self.truth.digest = examples;
    }

    fn push_activity(&mut self, model: &str, res_id: i64, deadline: NaiveDate, user: Value) -> i64 {
        let created = self.cal.at(deadline - Days::new(7), 8, 0);
        let deadline = self.cal.date(deadline);
        let t = &mut self.t.activities;
        let [
            res_model,
            res_id_col,
            summary,
            date_deadline,
            user_col,
            create_date,
            write_date,
        ] = cols(
            t,
            [
                "res_model",
                "res_id",
                "summary",
                "date_deadline",
                "user_id",
                "create_date",
                "write_date",
            ],
        );
        let r = t.push_blank();
        put(r, res_model, Value::from(model));
        put(r, res_id_col, Value::from(res_id));
        put(r, summary, Value::from("Follow up"));
        put(r, date_deadline, deadline);
        put(r, user_col, user);
        put(r, create_date, created.clone());
        put(r, write_date, created);
        r.id
    }

    fn push_orderpoint(&mut self, product: i64, min: f64, forecast: f64, active: bool) -> i64 {
        let created = self.cal.at(self.dates.today - Days::new(90), 8, 0);
        let product_value = m2o(
            product,
            self.product_names
                .get(product as usize)
                .map_or("", String::as_str),
        );
        let company = self.refs.company.value();
        let t = &mut self.t.orderpoints;
        let id = t.next_id();
        let [
            name,
            product_col,
            min_col,
            max_col,
            forecast_col,
            trigger,
            company_col,
            active_col,
            create_date,
            write_date,
        ] = cols(
            t,
            [
                "name",
                "product_id",
                "product_min_qty",
                "product_max_qty",
                "qty_forecast",
                "trigger",
                "company_id",
                "active",
                "create_date",
                "write_date",
            ],
        );
        let r = t.push_blank();
        put(r, name, Value::from(format!("OP/{id:05}")));
        put(r, product_col, product_value);
        put(r, min_col, Value::from(min));
        put(r, max_col, Value::from(min * 5.0));
        put(r, forecast_col, Value::from(forecast));
        put(r, trigger, Value::from("auto"));
        put(r, company_col, company);
        put(r, active_col, Value::from(active));
        put(r, create_date, created.clone());
        put(r, write_date, created);
        r.id
    }
}
