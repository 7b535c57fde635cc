//! The `bank_reconciliation_suggest` tool against the fake Odoo serving
//! the demo company: the planted worked examples of spec 2.7 on every
//! version, a split payment, learned rules, paging and truncation, links,
//! proposals only where an executor is verified, and bad arguments.

use std::sync::Arc;

use async_trait::async_trait;
use chrono::Utc;
use pretty_assertions::assert_eq;
use rust_decimal::Decimal;
use serde_json::{Value, json};
use tokio_util::sync::CancellationToken;
use tools::automations::Envelope;
use tools::automations::bank_reconciliation::{
    BankLine, BankReconciliationArgs, BankReconciliationConfig, BankReconciliationSuggest,
    LearnedRules, MatchType, MemoryRules, OpenItem, ReconciliationData, Suggestion, SuggestionKind,
};
use tools::demo::{DemoSpec, DemoVersion, FakeOdoo, Truth};
use tools::odoo::Ref;
use tools::odoo_client::{OdooClient, OdooConnector, OdooError};
use tools::proposals::{Precondition, ProposalAction};
use tools::{CallOrigin, Identity, Role, Tool, ToolCtx, ToolError};

use crate::automations::demo_client_with;

const ACCOUNTANT: &str = "accountant@harbourline.example";
const BASE: &str = "https://harbourline.odoo.example";

/// Hands the one connected client to every identity.
struct Fixed(Arc<OdooClient>);

#[async_trait]
impl OdooConnector for Fixed {
    async fn client_for(&self, _identity: &Identity) -> Result<Arc<OdooClient>, OdooError> {
        Ok(Arc::clone(&self.0))
    }
}

struct Setup {
    fake: FakeOdoo,
    tool: BankReconciliationSuggest,
    truth: Truth,
    rules: Arc<MemoryRules>,
    /// The EUR bank journal the examples are planted in.
    journal: i64,
    /// The company of the journal.
    company: i64,
}

async fn setup_with(
    version: DemoVersion,
    config: impl FnOnce(&mut BankReconciliationConfig),
) -> Setup {
    let spec = DemoSpec {
        partners: 40,
        version,
        ..DemoSpec::default()
    };
    let (fake, client, truth) = demo_client_with(&spec, ACCOUNTANT).await;
    let rules = Arc::new(MemoryRules::default());
    let mut settings = BankReconciliationConfig::new(BASE.parse().unwrap());
    config(&mut settings);
    let store: Arc<dyn LearnedRules> = Arc::clone(&rules) as _;
    let tool = BankReconciliationSuggest::new(settings, Arc::new(Fixed(Arc::new(client))), store);
    let line = truth.bank_examples[0].statement_line_id;
    let (journal, company) = fake.with_dataset(|ds| {
        let lines = ds.table("account.bank.statement.line").unwrap();
        let record = lines.get(line).unwrap();
        let id = |field: &str| lines.value(record, field).unwrap()[0].as_i64().unwrap();
        (id("journal_id"), id("company_id"))
    });
    Setup {
        fake,
        tool,
        truth,
        rules,
        journal,
        company,
    }
}

async fn setup(version: DemoVersion) -> Setup {
    setup_with(version, |_| {}).await
}

fn ctx() -> ToolCtx {
    ToolCtx {
        identity: Identity::local_operator(),
        deadline: tokio::time::Instant::now() + std::time::Duration::from_secs(60),
        cancel: CancellationToken::new(),
        origin: CallOrigin::Model,
    }
}

async fn run(setup: &Setup, args: Value) -> Result<Envelope<ReconciliationData>, ToolError> {
    let args: BankReconciliationArgs = serde_json::from_value(args).unwrap();
    setup.tool.call(&ctx(), args).await
}

/// The suggestion for one line, matched alone.
async fn alone(setup: &Setup, line: i64) -> Option<Suggestion> {
    let envelope = run(
        setup,
        json!({"journal_id": setup.journal, "statement_line_ids": [line]}),
    )
    .await
    .unwrap();
    assert_eq!(envelope.data.counts.lines, 1);
    envelope.data.suggestions.into_iter().next()
}

fn confidence(value: f64) -> Decimal {
    Decimal::from_f64_retain(value).unwrap().round_dp(4)
}

/// The rule a person's earlier confirmation of the SaaS Corp example
/// teaches.
async fn learn_subscription_rule(setup: &Setup) {
    let partner = Some(Ref {
        id: 1,
        name: Some("SaaS Corp".to_owned()),
    });
    let line = BankLine {
        id: 0,
        date: None,
        label: "Subscription Payment Jan".to_owned(),
        partner: partner.clone(),
        commercial_partner_id: Some(1),
        partner_name: None,
        amount: Decimal::from(200),
    };
    let item = OpenItem {
        id: 0,
        move_id: 0,
        move_name: Some("INV/SUB/021".to_owned()),
        move_ref: None,
        payment_reference: None,
        partner,
        commercial_partner_id: Some(1),
        date: None,
        due_date: None,
        residual: Decimal::from(200),
    };
    setup
        .rules
        .learn(setup.company, setup.journal, &line, &item, Utc::now())
        .await
        .unwrap()
        .unwrap();
}

async fn worked_examples_give_the_spec_answers(version: DemoVersion) {
    let setup = setup(version).await;
    learn_subscription_rule(&setup).await;
    assert_eq!(setup.truth.bank_examples.len(), 6);
    for example in &setup.truth.bank_examples {
        let label = example.label;
        let found = alone(&setup, example.statement_line_id).await;
        let chosen = found.as_ref().filter(|s| {
            s.candidates
                .iter()
                .any(|c| c.move_line_id == example.move_line_id)
        });
        match example.match_type {
            "incompatible" | "none" => {
                assert!(chosen.is_none(), "{label}: {found:?}");
                let alternative = found
                    .iter()
                    .flat_map(|s| &s.alternatives)
                    .any(|a| a.move_line_ids.contains(&example.move_line_id));
                assert!(!alternative, "{label}: offered as an alternative");
            }
            expected => {
                let s = chosen.unwrap_or_else(|| panic!("{label}: {found:?}"));
                assert_eq!(s.kind, SuggestionKind::Single, "{label}");
                assert_eq!(
                    Some(confidence(s.confidence)),
                    example.confidence,
                    "{label}"
                );
                let kind = serde_json::to_value(s.match_type).unwrap();
                assert_eq!(kind, expected, "{label}");
                assert_eq!(s.candidates[0].move_id, example.move_id, "{label}");
            }
        }
    }
}

#[tokio::test]
async fn worked_examples_give_the_spec_answers_on_odoo_17() {
    worked_examples_give_the_spec_answers(DemoVersion::V17).await;
}

#[tokio::test]
async fn worked_examples_give_the_spec_answers_on_odoo_18() {
    worked_examples_give_the_spec_answers(DemoVersion::V18).await;
}

#[tokio::test]
async fn worked_examples_give_the_spec_answers_on_odoo_19() {
    worked_examples_give_the_spec_answers(DemoVersion::V19).await;
}

#[tokio::test]
async fn without_the_learned_rule_the_subscription_is_only_fuzzy() {
    let setup = setup(DemoVersion::V17).await;
    let example = &setup.truth.bank_examples[3];
    assert_eq!(example.match_type, "learned");
    let s = alone(&setup, example.statement_line_id).await.unwrap();
    assert_eq!(confidence(s.confidence), Decimal::new(50, 2));
    assert_eq!(s.match_type, MatchType::Fuzzy);
    let envelope = run(&setup, json!({"journal_id": setup.journal}))
        .await
        .unwrap();
    assert_eq!(envelope.data.rules_applied, 0);
}

/// Rules are read on every run: one learned between two runs applies to
/// the second, and each suggestion its bonus contributes to counts a use.
#[tokio::test]
async fn a_rule_learned_between_runs_applies_to_the_next_and_counts_its_uses() {
    let setup = setup(DemoVersion::V18).await;
    let example = &setup.truth.bank_examples[3];
    let before = alone(&setup, example.statement_line_id).await.unwrap();
    assert_eq!(before.match_type, MatchType::Fuzzy);
    learn_subscription_rule(&setup).await;
    let after = alone(&setup, example.statement_line_id).await.unwrap();
    assert_eq!(after.match_type, MatchType::Learned);
    assert_eq!(confidence(after.confidence), Decimal::new(60, 2));
    let uses = || async {
        let rules = setup
            .rules
            .rules(setup.company, setup.journal)
            .await
            .unwrap();
        assert_eq!(rules.len(), 1);
        rules[0].use_count
    };
    assert_eq!(uses().await, 1);
    alone(&setup, example.statement_line_id).await.unwrap();
    assert_eq!(uses().await, 2);
    // Another company's journal of the same id has no rules.
    assert!(
        setup
            .rules
            .rules(setup.company + 1, setup.journal)
            .await
            .unwrap()
            .is_empty()
    );
}

/// Two new open invoices of the Dunlin example's customer, 700.00 and
/// 550.00, and a line of 1,250.00 from that customer; returns (line, the
/// two receivable items).
fn plant_split(setup: &Setup) -> (i64, [i64; 2]) {
    let dunlin = &setup.truth.bank_examples[2];
    let template_line = setup.truth.bank_examples[0].statement_line_id;
    setup.fake.with_dataset_mut(|ds| {
        let mut new_items = [0; 2];
        for (n, cents) in [70_000_i64, 55_000].into_iter().enumerate() {
            let name = format!("INV/2026/07{n}1");
            let moves = ds.table_mut("account.move").unwrap();
            let mut invoice = moves.get(dunlin.move_id).unwrap().clone();
            let move_id = moves.next_id();
            invoice.id = move_id;
            invoice.values[0] = json!(move_id);
            moves.set(&mut invoice, "name", json!(name)).unwrap();
            moves.set(&mut invoice, "ref", json!(false)).unwrap();
            moves
                .set(&mut invoice, "payment_reference", json!(name))
                .unwrap();
            moves.push(invoice).unwrap();

            let lines = ds.table_mut("account.move.line").unwrap();
            let mut item = lines.get(dunlin.move_line_id).unwrap().clone();
            let id = lines.next_id();
            item.id = id;
            item.values[0] = json!(id);
            let amount = json!(cents as f64 / 100.0);
            lines
                .set(&mut item, "move_id", json!([move_id, name]))
                .unwrap();
            for field in ["amount_residual", "balance", "debit"] {
                lines.set(&mut item, field, amount.clone()).unwrap();
            }
            lines.push(item).unwrap();
            new_items[n] = id;
        }
        let partner = ds
            .table("account.move.line")
            .map(|t| {
                t.value(t.get(dunlin.move_line_id).unwrap(), "partner_id")
                    .unwrap()
                    .clone()
            })
            .unwrap();
        let statement = ds.table_mut("account.bank.statement.line").unwrap();
        let mut line = statement.get(template_line).unwrap().clone();
        let id = statement.next_id();
        line.id = id;
        line.values[0] = json!(id);
        statement
            .set(&mut line, "payment_ref", json!("Batch transfer March"))
            .unwrap();
        statement
            .set(&mut line, "partner_name", partner[1].clone())
            .unwrap();
        statement.set(&mut line, "partner_id", partner).unwrap();
        statement.set(&mut line, "amount", json!(1250.0)).unwrap();
        statement.push(line).unwrap();
        (id, new_items)
    })
}

#[tokio::test]
async fn a_payment_of_two_invoices_is_suggested_as_a_split() {
    let setup = setup(DemoVersion::V18).await;
    let (line, items) = plant_split(&setup);
    let s = alone(&setup, line).await.unwrap();
    assert_eq!(s.kind, SuggestionKind::Split);
    let mut chosen: Vec<i64> = s.candidates.iter().map(|c| c.move_line_id).collect();
    chosen.sort_unstable();
    assert_eq!(chosen, items);
    // Amount 0.35 + partner 0.15, no reference.
    assert_eq!(confidence(s.confidence), Decimal::new(50, 2));
    assert_eq!(s.match_type, MatchType::Fuzzy);
    let settled: Decimal = s.candidates.iter().map(|c| c.residual).sum();
    assert_eq!(settled, s.line.amount);
    // Without splits the line has nothing to settle.
    let envelope = run(
        &setup,
        json!({"journal_id": setup.journal, "statement_line_ids": [line], "allow_splits": false}),
    )
    .await
    .unwrap();
    assert_eq!(envelope.data.unmatched_line_ids, vec![line]);
}

#[tokio::test]
async fn the_whole_journal_is_paged_and_every_cited_record_linked() {
    let setup = setup(DemoVersion::V17).await;
    let all = run(
        &setup,
        json!({"journal_id": setup.journal, "max_lines": 2000}),
    )
    .await
    .unwrap();
    let counts = all.data.counts;
    assert_eq!(counts.suggested + counts.unmatched, counts.lines);
    assert!(!all.truncated, "{:?}", all.warnings);
    assert!(all.summary.chars().count() <= 600);
    assert!(!all.data.proposals_offered);
    assert!(all.proposals.is_empty());
    for s in &all.data.suggestions {
        let url = format!(
            "{BASE}/web#id={}&model=account.bank.statement.line&view_type=form",
            s.line.id
        );
        assert!(all.data.links.iter().any(|l| l.url == url), "{url}");
        for c in &s.candidates {
            assert!(
                all.data
                    .links
                    .iter()
                    .any(|l| l.model == "account.move" && l.id == c.move_id)
            );
        }
    }
    for id in &all.data.unmatched_line_ids {
        assert!(all.data.links.iter().any(|l| l.id == *id));
    }
    // Page 2 of size 1 is the second suggestion.
    let second = run(
        &setup,
        json!({"journal_id": setup.journal, "max_lines": 2000, "page": 2, "page_size": 1}),
    )
    .await
    .unwrap();
    assert_eq!(second.data.suggestions.len(), 1);
    assert_eq!(second.data.suggestions[0], all.data.suggestions[1]);
    assert_eq!(second.data.pages, counts.suggested);
    // Cut to one line: truncated, with a warning saying how many there were.
    let cut = run(&setup, json!({"journal_id": setup.journal, "max_lines": 1}))
        .await
        .unwrap();
    assert!(cut.truncated);
    assert_eq!(cut.data.counts.lines, 1);
    let warning = cut.warnings.iter().find(|w| w.code == "TRUNCATED").unwrap();
    assert!(
        warning
            .message
            .contains(&format!("the first 1 of {}", counts.lines)),
        "{}",
        warning.message
    );
}

#[tokio::test]
async fn proposals_are_offered_only_where_an_executor_is_verified() {
    let setup = setup_with(DemoVersion::V17, |c| c.executor_versions = vec![17]).await;
    let example = &setup.truth.bank_examples[0];
    let envelope = run(
        &setup,
        json!({"journal_id": setup.journal, "statement_line_ids": [example.statement_line_id]}),
    )
    .await
    .unwrap();
    assert!(envelope.data.proposals_offered);
    assert_eq!(envelope.proposals.len(), 1);
    let proposal = &envelope.proposals[0];
    assert_eq!(
        proposal.action,
        ProposalAction::ReconcileStatementLine {
            line_id: example.statement_line_id,
            move_line_ids: vec![example.move_line_id],
        }
    );
    assert_eq!(proposal.required_role, Role::Finance);
    assert!(proposal.preconditions.contains(&Precondition::FieldEquals {
        model: "account.bank.statement.line".to_owned(),
        id: example.statement_line_id,
        field: "is_reconciled".to_owned(),
        expected: json!(false),
        description: "statement line still unreconciled".to_owned(),
    }));
    assert!(proposal.preconditions.iter().any(|p| matches!(
        p,
        Precondition::FieldEquals { field, id, .. }
            if field == "amount_residual" && *id == example.move_line_id
    )));
    // The rounding example would need a write-off: no proposal.
    let rounding = &setup.truth.bank_examples[2];
    let envelope = run(
        &setup,
        json!({"journal_id": setup.journal, "statement_line_ids": [rounding.statement_line_id]}),
    )
    .await
    .unwrap();
    assert_eq!(envelope.data.suggestions.len(), 1);
    assert!(envelope.proposals.is_empty());
}

#[tokio::test]
async fn bad_arguments_are_refused_naming_the_argument() {
    let setup = setup(DemoVersion::V17).await;
    let (sales_journal, other_line) = setup.fake.with_dataset(|ds| {
        let journals = ds.table("account.journal").unwrap();
        let sales = journals
            .records()
            .iter()
            .find(|r| journals.value(r, "type") == Some(&json!("sale")))
            .unwrap()
            .id;
        let lines = ds.table("account.bank.statement.line").unwrap();
        let other = lines
            .records()
            .iter()
            .find(|r| {
                lines.value(r, "journal_id").and_then(|v| v[0].as_i64()) != Some(setup.journal)
            })
            .map(|r| r.id);
        (sales, other)
    });
    let mut cases = vec![
        (json!({"journal_id": sales_journal}), "`journal_id`"),
        (json!({"journal_id": 99_999}), "`journal_id`"),
        (
            json!({"journal_id": setup.journal, "date_from": "2026-03-10", "date_to": "2026-03-01"}),
            "`date_to`",
        ),
        (json!({"journal_id": setup.journal, "page": 99}), "`page`"),
        (
            json!({"journal_id": setup.journal, "statement_line_ids": [999_999]}),
            "`statement_line_ids`",
        ),
        (
            json!({"journal_id": setup.journal, "max_lines": 0}),
            "`max_lines`",
        ),
    ];
    if let Some(other) = other_line {
        cases.push((
            json!({"journal_id": setup.journal, "statement_line_ids": [other]}),
            "`statement_line_ids`",
        ));
    }
    for (args, field) in cases {
        let err = run(&setup, args.clone()).await.unwrap_err();
        assert_eq!(err.code(), "INVALID_ARGUMENT", "{args}: {err}");
        assert!(err.to_string().contains(field), "{args}: {err}");
    }
}

#[tokio::test]
async fn a_sales_user_is_denied_naming_the_model() {
    let spec = DemoSpec {
        partners: 20,
        ..DemoSpec::default()
    };
    let (_fake, client, truth) = demo_client_with(&spec, "sales@harbourline.example").await;
    let tool = BankReconciliationSuggest::new(
        BankReconciliationConfig::new(BASE.parse().unwrap()),
        Arc::new(Fixed(Arc::new(client))),
        Arc::new(MemoryRules::default()),
    );
    let args: BankReconciliationArgs = serde_json::from_value(json!({"journal_id": 1})).unwrap();
    let err = tool.call(&ctx(), args).await.unwrap_err();
    assert_eq!(err.code(), "ODOO_ACCESS_DENIED", "{err}");
    assert!(err.to_string().contains("account.journal"), "{err}");
    assert!(!truth.bank_examples.is_empty());
}

/// A copy of the Acme example's line (1,500.00) in the USD bank journal,
/// booked at 1,380.00 EUR on the journal's bank account as Odoo would;
/// returns (journal, line).
fn plant_usd_line(setup: &Setup) -> (i64, i64) {
    let template = setup.truth.bank_examples[0].statement_line_id;
    setup.fake.with_dataset_mut(|ds| {
        let journals = ds.table("account.journal").unwrap();
        let usd = journals
            .records()
            .iter()
            .find(|r| {
                journals.value(r, "type") == Some(&json!("bank"))
                    && journals.value(r, "currency_id").and_then(|v| v[1].as_str()) == Some("USD")
            })
            .unwrap();
        let journal = journals.value(usd, "id").unwrap().clone();
        let journal_ref = json!([usd.id, journals.value(usd, "name").unwrap().clone()]);
        let account = journals.value(usd, "default_account_id").unwrap().clone();

        let lines = ds.table("account.bank.statement.line").unwrap();
        let source = lines.get(template).unwrap().clone();
        let source_move = lines.value(&source, "move_id").unwrap()[0]
            .as_i64()
            .unwrap();

        let moves = ds.table_mut("account.move").unwrap();
        let mut booked = moves.get(source_move).unwrap().clone();
        let move_id = moves.next_id();
        booked.id = move_id;
        booked.values[0] = json!(move_id);
        moves
            .set(&mut booked, "journal_id", journal_ref.clone())
            .unwrap();
        moves.push(booked).unwrap();

        let items = ds.table_mut("account.move.line").unwrap();
        let bank_line = items
            .records()
            .iter()
            .find(|r| items.value(r, "move_id").and_then(|v| v[0].as_i64()) == Some(source_move))
            .unwrap()
            .clone();
        let mut item = bank_line;
        let item_id = items.next_id();
        item.id = item_id;
        item.values[0] = json!(item_id);
        items
            .set(&mut item, "move_id", json!([move_id, "BNK2/2026/0001"]))
            .unwrap();
        items.set(&mut item, "account_id", account).unwrap();
        items.set(&mut item, "balance", json!(1380.0)).unwrap();
        items.set(&mut item, "debit", json!(1380.0)).unwrap();
        items
            .set(&mut item, "amount_currency", json!(1500.0))
            .unwrap();
        items.push(item).unwrap();

        let lines = ds.table_mut("account.bank.statement.line").unwrap();
        let mut line = source;
        let id = lines.next_id();
        line.id = id;
        line.values[0] = json!(id);
        lines.set(&mut line, "journal_id", journal_ref).unwrap();
        lines
            .set(&mut line, "move_id", json!([move_id, "BNK2/2026/0001"]))
            .unwrap();
        lines.push(line).unwrap();
        (journal.as_i64().unwrap(), id)
    })
}

#[tokio::test]
async fn lines_of_a_foreign_currency_journal_are_matched_in_company_currency() {
    let setup = setup(DemoVersion::V17).await;
    let (journal, line) = plant_usd_line(&setup);
    let args: BankReconciliationArgs =
        serde_json::from_value(json!({"journal_id": journal})).unwrap();
    let envelope = setup.tool.call(&ctx(), args).await.unwrap();
    assert_eq!(envelope.data.counts.lines, 1);
    let suggestion = &envelope.data.suggestions[0];
    assert_eq!(suggestion.line.id, line);
    // 1,500.00 USD booked at 1,380.00 EUR: the EUR figure is compared.
    assert_eq!(suggestion.line.amount, Decimal::from(1380));
    assert_eq!(
        suggestion.candidates[0].move_line_id,
        setup.truth.bank_examples[0].move_line_id
    );
    // 8 % apart: 0.15 x (1 - 0.08 / 0.10), not the 0.35 of equal amounts.
    assert_eq!(confidence(suggestion.breakdown.amount), Decimal::new(3, 2));
}
