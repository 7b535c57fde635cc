//! `BankReconciliationSuggest`: the `bank_reconciliation_suggest` tool.
//! Checks the arguments and the journal, reads the unreconciled lines and
//! the open items as the asking user, applies the journal's learned rules,
//! runs the pure suggestion and returns one page of it in the envelope of
//! spec 0.1, with links to every line and entry cited.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::Arc;

use chrono::Utc;
use rust_decimal::Decimal;
use serde::Serialize;
use serde_json::Value;
use url::Url;

use super::args::{BankReconciliationArgs, Request, check};
use super::config::ReconcileConfig;
use super::learned::LearnedRules;
use super::output::{Counts, Suggestion, SuggestionKind};
use super::read::{ItemCaps, Journal, commercial_partners, read_items, read_journal, read_lines};
use super::records::OpenItem;
use super::rules::LearnedRule;
use super::score::{MatchType, Reason};
use super::suggest::suggest;
use crate::automations::credit_check::Link;
use crate::automations::{ContextRequest, Envelope, read_context};
use crate::builtin::Clock;
use crate::odoo_client::{OdooClient, OdooConnector};
use crate::proposals::{Precondition, Proposal, ProposalAction};
use crate::{OdooAccess, Role, Tool, ToolCtx, ToolError, ToolKind};

/// Semver of the algorithm; bump whenever the numbers would change.
pub const TOOL_VERSION: &str = "1.0.0";

const ACCESS: &[OdooAccess] = &[
    OdooAccess::read("res.company"),
    OdooAccess::read("res.partner"),
    OdooAccess::read("account.journal"),
    OdooAccess::read("account.bank.statement.line"),
    OdooAccess::read("account.move"),
    OdooAccess::read("account.move.line"),
];

/// Settings of the tool.
#[derive(Debug, Clone)]
pub struct BankReconciliationConfig {
    /// Where links to records point.
    pub odoo_base_url: Url,
    /// The numbers of spec 2.4–2.5; `min_confidence` and `allow_splits`
    /// are the defaults the arguments override.
    pub reconcile: ReconcileConfig,
    /// Open items of the lines' partners read at most.
    pub max_partner_items: usize,
    /// Most recent open items of other partners (spec 2.2: 2000).
    pub max_other_items: u32,
    /// Odoo major versions for which a reconciliation executor has been
    /// verified against the connected Odoo (spec 2.9). On any other version
    /// no `reconcile_statement_line` proposal is offered; the links to the
    /// lines take its place. Empty by default: no executor ships yet.
    pub executor_versions: Vec<u16>,
}

impl BankReconciliationConfig {
    /// The spec's defaults, links to `odoo_base_url`.
    pub fn new(odoo_base_url: Url) -> Self {
        Self {
            odoo_base_url,
            reconcile: ReconcileConfig::default(),
            max_partner_items: 20_000,
            max_other_items: 2000,
            executor_versions: Vec::new(),
        }
    }
}

/// Suggests which open items each unreconciled bank line settles.
pub struct BankReconciliationSuggest {
    config: BankReconciliationConfig,
    connector: Arc<dyn OdooConnector>,
    rules: Arc<dyn LearnedRules>,
    /// "Now": the system clock, fixed in evals and tests.
    clock: Clock,
}

impl BankReconciliationSuggest {
    pub fn new(
        config: BankReconciliationConfig,
        connector: Arc<dyn OdooConnector>,
        rules: Arc<dyn LearnedRules>,
    ) -> Self {
        Self {
            config,
            connector,
            rules,
            clock: Arc::new(Utc::now),
        }
    }

    /// The same tool reading "now" from `clock` (fixed in evals and tests).
    pub fn with_clock(mut self, clock: Clock) -> Self {
        self.clock = clock;
        self
    }
}

/// The journal as shown.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct JournalRef {
    pub id: i64,
    pub name: String,
    /// `bank` or `cash`.
    #[serde(rename = "type")]
    pub kind: String,
}

/// The `data` of the envelope (spec 2.6) for one page.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ReconciliationData {
    pub journal: JournalRef,
    pub counts: Counts,
    /// This page's suggestions, by line date then id.
    pub suggestions: Vec<Suggestion>,
    pub unmatched_line_ids: Vec<i64>,
    pub page: usize,
    pub page_size: usize,
    pub pages: usize,
    /// Learned rules of the journal that were applied.
    pub rules_applied: usize,
    /// Whether `reconcile_statement_line` proposals are offered on this
    /// Odoo (spec 2.9); when not, the links are the way to act.
    pub proposals_offered: bool,
    /// Every statement line (this page's and the unmatched ones) and every
    /// entry cited.
    pub links: Vec<Link>,
}

impl Tool for BankReconciliationSuggest {
    const NAME: &'static str = "bank_reconciliation_suggest";
    const KIND: ToolKind = ToolKind::Read;
    type Args = BankReconciliationArgs;
    type Output = Envelope<ReconciliationData>;

    fn description(&self) -> &'static str {
        "For the unreconciled statement lines of a bank or cash journal, suggests which open \
         customer or vendor items (invoices, bills, refunds) each line settles: one item, \
         2-3 items of the same partner together (split) or part of a larger item (partial), \
         with a confidence 0-1, the match type (exact, learned, fuzzy, partial), the evidence \
         per component (reference, amount, partner, learned rule) and the next best options. \
         Lines without a suggestion are listed as unmatched. Read-only: it never reconciles."
    }

    fn access(&self) -> &'static [OdooAccess] {
        ACCESS
    }

    /// The books: finance and administrators.
    fn roles(&self) -> &'static [crate::Role] {
        crate::FINANCE
    }

    async fn call(&self, ctx: &ToolCtx, args: Self::Args) -> Result<Self::Output, ToolError> {
        let request = check(Self::NAME, args)?;
        let client = self.connector.client_for(&ctx.identity).await?;
        let now = (self.clock)();
        let context = read_context(&client, ContextRequest::default(), now).await?;
        let company = &context.envelope.company;
        let journal = read_journal(
            &client,
            Self::NAME,
            request.journal_id,
            company.id,
            &company.currency,
        )
        .await?;
        let mut read = read_lines(&client, Self::NAME, &journal, &request).await?;
        let mut warnings = std::mem::take(&mut read.warnings);
        let mut lines = read.lines;
        let line_partners: Vec<i64> = ids(lines.iter().filter_map(|l| l.partner.as_ref()));
        let commercial = commercial_partners(&client, &line_partners).await?;
        for line in &mut lines {
            line.commercial_partner_id = line
                .partner
                .as_ref()
                .map(|p| commercial.get(&p.id).copied().unwrap_or(p.id));
        }
        let wanted: Vec<i64> = lines
            .iter()
            .filter_map(|l| l.commercial_partner_id)
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect();
        let caps = ItemCaps {
            of_partners: self.config.max_partner_items,
            others: self.config.max_other_items,
        };
        let mut read = read_items(&client, company.id, &wanted, caps).await?;
        warnings.append(&mut read.warnings);
        let mut items = read.items;
        complete_items(&client, &mut items).await?;
        // Read on every run (spec 2.8): a rule confirmed a minute ago applies.
        let rules: Vec<LearnedRule> = self
            .rules
            .rules(company.id, journal.id)
            .await?
            .into_iter()
            .map(|stored| stored.rule)
            .collect();
        let config = ReconcileConfig {
            min_confidence: request.min_confidence,
            allow_splits: request.allow_splits,
            ..self.config.reconcile.clone()
        };
        let outcome = suggest(&lines, &items, &rules, &config);
        let result = outcome.result;
        let uses = rule_uses(&result.suggestions);
        if !uses.is_empty() {
            self.rules
                .record_uses(company.id, journal.id, &uses, now)
                .await?;
        }
        let pages = result.suggestions.len().div_ceil(request.page_size).max(1);
        if request.page > pages {
            return Err(ToolError::InvalidArgs {
                tool: Self::NAME.to_owned(),
                message: format!(
                    "field `page`: must be between 1 and {pages} ({} suggestions, {} per page), \
                     got {}",
                    result.suggestions.len(),
                    request.page_size,
                    request.page
                ),
            });
        }
        let page: Vec<Suggestion> = result
            .suggestions
            .into_iter()
            .skip((request.page - 1) * request.page_size)
            .take(request.page_size)
            .collect();
        let proposals_offered = self
            .config
            .executor_versions
            .contains(&client.version().major);
        let proposals = if proposals_offered {
            page.iter()
                .filter_map(|s| proposal(s, now))
                .collect::<Vec<_>>()
        } else {
            Vec::new()
        };
        let links = links(
            &self.config.odoo_base_url,
            &page,
            &result.unmatched_line_ids,
        );
        let data = ReconciliationData {
            journal: JournalRef {
                id: journal.id,
                name: journal.name.clone(),
                kind: journal.kind.clone(),
            },
            counts: result.counts,
            suggestions: page,
            unmatched_line_ids: result.unmatched_line_ids,
            page: request.page,
            page_size: request.page_size,
            pages,
            rules_applied: rules.len(),
            proposals_offered,
            links,
        };
        let summary = summary(&data, &journal, &request);
        Ok(Envelope::new(
            Self::NAME,
            TOOL_VERSION,
            context.envelope,
            data,
            warnings,
            &summary,
        )
        .with_proposals(proposals))
    }
}

/// How many suggestions of the run (every page) each learned rule's bonus
/// contributed to.
fn rule_uses(suggestions: &[Suggestion]) -> BTreeMap<i64, u64> {
    let mut uses = BTreeMap::new();
    for suggestion in suggestions {
        for reason in &suggestion.reasons {
            if let Reason::Learned { rule_id } = reason {
                *uses.entry(*rule_id).or_insert(0) += 1;
            }
        }
    }
    uses
}

/// Sets each item's commercial partner, one read for all partners.
async fn complete_items(client: &OdooClient, items: &mut [OpenItem]) -> Result<(), ToolError> {
    let partners = ids(items.iter().filter_map(|i| i.partner.as_ref()));
    let commercial = commercial_partners(client, &partners).await?;
    for item in items {
        item.commercial_partner_id = item
            .partner
            .as_ref()
            .map(|p| commercial.get(&p.id).copied().unwrap_or(p.id));
    }
    Ok(())
}

fn ids<'a>(refs: impl Iterator<Item = &'a crate::odoo::Ref>) -> Vec<i64> {
    refs.map(|r| r.id)
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect()
}

/// A `reconcile_statement_line` proposal (spec 2.9) for a suggestion that
/// settles its items exactly: no write-off and no partial reconciliation
/// is ever proposed.
fn proposal(suggestion: &Suggestion, now: chrono::DateTime<Utc>) -> Option<Proposal> {
    if suggestion.kind == SuggestionKind::Partial {
        return None;
    }
    let settled: Decimal = suggestion.candidates.iter().map(|c| c.residual).sum();
    if settled != suggestion.line.amount {
        return None;
    }
    let line = &suggestion.line;
    let mut preconditions = vec![Precondition::FieldEquals {
        model: "account.bank.statement.line".to_owned(),
        id: line.id,
        field: "is_reconciled".to_owned(),
        expected: Value::Bool(false),
        description: "statement line still unreconciled".to_owned(),
    }];
    for candidate in &suggestion.candidates {
        preconditions.push(Precondition::FieldEquals {
            model: "account.move.line".to_owned(),
            id: candidate.move_line_id,
            field: "reconciled".to_owned(),
            expected: Value::Bool(false),
            description: "item still open".to_owned(),
        });
        preconditions.push(Precondition::FieldEquals {
            model: "account.move.line".to_owned(),
            id: candidate.move_line_id,
            field: "amount_residual".to_owned(),
            expected: serde_json::to_value(candidate.residual).unwrap_or(Value::Null),
            description: "item residual unchanged".to_owned(),
        });
    }
    let entries: Vec<String> = suggestion
        .candidates
        .iter()
        .map(|c| {
            format!(
                "{} (residual {})",
                c.move_name.as_deref().unwrap_or("entry"),
                c.residual
            )
        })
        .collect();
    let preview = format!(
        "Reconcile statement line {} ({:?}, {}) with {}. Before: line unreconciled, items \
         open. After: line reconciled, items paid (residual 0).",
        line.id,
        line.label,
        line.amount,
        entries.join(" + ")
    );
    Some(Proposal::new(
        ProposalAction::ReconcileStatementLine {
            line_id: line.id,
            move_line_ids: suggestion
                .candidates
                .iter()
                .map(|c| c.move_line_id)
                .collect(),
        },
        preview,
        preconditions,
        Role::Finance,
        now,
    ))
}

fn links(base: &Url, page: &[Suggestion], unmatched: &[i64]) -> Vec<Link> {
    let mut lines: BTreeSet<i64> = unmatched.iter().copied().collect();
    let mut moves = BTreeSet::new();
    for suggestion in page {
        lines.insert(suggestion.line.id);
        moves.extend(suggestion.candidates.iter().map(|c| c.move_id));
    }
    lines
        .into_iter()
        .map(|id| Link::new(base, "account.bank.statement.line", id))
        .chain(
            moves
                .into_iter()
                .map(|id| Link::new(base, "account.move", id)),
        )
        .collect()
}

fn summary(data: &ReconciliationData, journal: &Journal, request: &Request) -> String {
    let c = &data.counts;
    let mut text = format!(
        "Journal {} ({}): {} unreconciled lines, {} open items; {} suggested ({} auto-matchable, \
         {} to review), {} unmatched at min confidence {:.2}. Page {}/{}.",
        journal.name,
        journal.id,
        c.lines,
        c.candidates,
        c.suggested,
        c.auto_matchable,
        c.needs_review,
        c.unmatched,
        request.min_confidence,
        data.page,
        data.pages
    );
    let match_type = |t: MatchType| match t {
        MatchType::Exact => "exact",
        MatchType::Learned => "learned",
        MatchType::Fuzzy => "fuzzy",
        MatchType::Partial => "partial",
        MatchType::None => "none",
    };
    let mut by_confidence: Vec<&Suggestion> = data.suggestions.iter().collect();
    by_confidence.sort_by(|a, b| {
        b.confidence
            .total_cmp(&a.confidence)
            .then(a.line.id.cmp(&b.line.id))
    });
    let mut names: HashMap<i64, String> = HashMap::new();
    for s in &by_confidence {
        let entries: Vec<&str> = s
            .candidates
            .iter()
            .map(|c| c.move_name.as_deref().unwrap_or("?"))
            .collect();
        names.insert(s.line.id, entries.join("+"));
    }
    for s in by_confidence.iter().take(3) {
        text.push_str(&format!(
            " Line {} {} -> {} {:.2} {}.",
            s.line.id,
            s.line.amount,
            names.get(&s.line.id).map_or("", String::as_str),
            s.confidence,
            match_type(s.match_type)
        ));
    }
    text
}
