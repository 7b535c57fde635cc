//! `FindDuplicates`: the `find_duplicates` tool. Checks the arguments,
//! reads the records of one entity from Odoo as the asking user, runs the
//! pure search, completes each group's master with linked-document counts
//! from grouped reads, and returns the envelope of spec 0.1 with links to
//! every cited record and the proposals of spec 4.9.

use std::collections::{BTreeSet, HashMap};
use std::sync::Arc;

use chrono::Utc;
use serde::Serialize;
use serde_json::Value;
use url::Url;

use super::args::{DedupCandidate, FindDuplicatesArgs, Request, RequestMode, check};
use super::compare::DismissedPairs;
use super::config::DedupConfig;
use super::master::{self, Candidate};
use super::modes::{DedupError, check_candidate, find_groups, find_record_matches};
use super::normalize::Normalizer;
use super::output::{DedupData, DedupResult, Group};
use super::profile::{DedupRecord, Entity};
use super::propose::{ProposalFacts, label, propose};
use super::read::{
    OdooRecord, Scope, Source, count_by, has_crm, linked_documents, on_hand, open_lines,
    partner_sources, product_sources, read_one, scan, stage_sequences,
};
use super::records::{LeadRecord, PartnerRecord, ProductRecord};
use crate::automations::credit_check::Link;
use crate::automations::events::{
    EventKind, EventSeverity, ProductEvent, ProductEvents, record_all,
};
use crate::automations::{
    ContextRequest, Envelope, RunContext, TRUNCATED, Warning, clip, read_context,
};
use crate::builtin::Clock;
use crate::odoo_client::{OdooClient, OdooConnector, OdooError};
use crate::proposals::{DismissedDuplicates, DuplicateKind, Proposal};
use crate::{OdooAccess, Tool, ToolCtx, ToolError, ToolKind};

/// Semver of the algorithm; bump whenever the numbers would change.
pub const TOOL_VERSION: &str = "1.0.0";

/// Default `max_records` (spec 4.1).
pub const DEFAULT_MAX_RECORDS: u32 = 50_000;

const ACCESS: &[OdooAccess] = &[
    OdooAccess::read("res.company"),
    OdooAccess::read("res.partner"),
    OdooAccess::read("crm.lead"),
    OdooAccess::read("crm.stage"),
    OdooAccess::read("product.product"),
];

/// Settings of the tool.
#[derive(Debug, Clone)]
pub struct FindDuplicatesConfig {
    /// Where links to records point.
    pub odoo_base_url: Url,
    /// The search's numbers; `threshold` and `max_groups` are the defaults
    /// the arguments override.
    pub dedup: DedupConfig,
    pub default_max_records: u32,
}

impl FindDuplicatesConfig {
    /// The measured recommended search settings (spec defaults plus the
    /// normalisation improvements of [`DedupConfig::recommended`]).
    pub fn new(odoo_base_url: Url) -> Self {
        Self {
            odoo_base_url,
            dedup: DedupConfig::recommended(),
            default_max_records: DEFAULT_MAX_RECORDS,
        }
    }
}

/// Finds records describing the same customer, lead or product.
pub struct FindDuplicates {
    config: FindDuplicatesConfig,
    connector: Arc<dyn OdooConnector>,
    dismissals: Arc<dyn DismissedDuplicates>,
    /// "Now": the system clock, fixed in evals and tests.
    clock: Clock,
    /// Where groups found for the first time are recorded.
    events: Option<Arc<dyn ProductEvents>>,
}

impl FindDuplicates {
    pub fn new(
        config: FindDuplicatesConfig,
        connector: Arc<dyn OdooConnector>,
        dismissals: Arc<dyn DismissedDuplicates>,
    ) -> Self {
        Self {
            config,
            connector,
            dismissals,
            clock: Arc::new(Utc::now),
            events: None,
        }
    }

    /// The same tool reading "now" from `clock` (fixed in evals and tests).
    pub fn with_clock(mut self, clock: Clock) -> Self {
        self.clock = clock;
        self
    }

    /// Records each group in `events`; a group (the same members) found
    /// again is not recorded twice, and dismissed pairs never form one
    /// (spec 7.2 `anomalies`: new duplicate groups).
    pub fn with_events(mut self, events: Arc<dyn ProductEvents>) -> Self {
        self.events = Some(events);
        self
    }
}

/// The `data` of the envelope: spec 4.8 plus a link to every record cited.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FindDuplicatesData {
    #[serde(flatten)]
    pub result: DedupData,
    /// Every member, master and match, by id.
    pub links: Vec<Link>,
}

impl Tool for FindDuplicates {
    const NAME: &'static str = "find_duplicates";
    const KIND: ToolKind = ToolKind::Read;
    type Args = FindDuplicatesArgs;
    type Output = Envelope<FindDuplicatesData>;

    fn description(&self) -> &'static str {
        "Finds records that describe the same customer or vendor (entity \"partner\"), lead \
         (\"lead\") or product (\"product\"), scores each pair 0-1 from name, e-mail, phone, \
         VAT, code and barcode with the evidence per field, and suggests which record to keep \
         (master) with the reason. Without record_id or candidate it lists groups of \
         duplicates, strongest first; with record_id it lists the matches of one record; \
         with candidate it checks a record about to be created. Read-only: merges, archiving \
         and \"not duplicates\" are offered as proposals for a person to approve."
    }

    fn access(&self) -> &'static [OdooAccess] {
        ACCESS
    }

    async fn call(&self, ctx: &ToolCtx, args: Self::Args) -> Result<Self::Output, ToolError> {
        let request = check(
            Self::NAME,
            args,
            &self.config.dedup,
            self.config.default_max_records,
        )?;
        let client = self.connector.client_for(&ctx.identity).await?;
        let now = (self.clock)();
        let context = read_context(
            &client,
            ContextRequest {
                company_id: request.company_id,
                ..ContextRequest::default()
            },
            now,
        )
        .await?;
        let run = Run {
            tool: self,
            client: &client,
            request: &request,
            context,
        };
        match request.entity {
            Entity::Partner => run.search::<PartnerRecord>().await,
            Entity::Lead => {
                if !has_crm(&client).await? {
                    return Err(ToolError::Odoo(OdooError::MissingModelOrField {
                        model: LeadRecord::MODEL.to_owned(),
                        method: "search_read".to_owned(),
                        what: "entity \"lead\" needs the CRM app, which is not installed"
                            .to_owned(),
                        server_version: client.version().raw.clone(),
                    }));
                }
                run.search::<LeadRecord>().await
            }
            Entity::Product => run.search::<ProductRecord>().await,
        }
    }
}

/// A record the tool completes with Odoo facts before and after the
/// search.
trait Completed: OdooRecord {
    /// The record a check-mode candidate describes.
    fn from_candidate(candidate: &DedupCandidate) -> Self;
    fn set_linked_documents(&mut self, _count: u64) {}
    /// The record as a lead, for lead-only facts.
    fn as_lead(&mut self) -> Option<&mut LeadRecord> {
        None
    }
    /// The record as a partner, for partner-only facts.
    fn as_partner(&self) -> Option<&PartnerRecord> {
        None
    }
}

impl Completed for PartnerRecord {
    fn from_candidate(c: &DedupCandidate) -> Self {
        Self {
            name: c.name.clone(),
            email: c.email.clone(),
            phone: c.phone.clone(),
            vat: c.vat.clone(),
            active: true,
            ..Self::default()
        }
    }

    fn set_linked_documents(&mut self, count: u64) {
        self.linked_documents = count;
    }

    fn as_partner(&self) -> Option<&PartnerRecord> {
        Some(self)
    }
}

impl Completed for LeadRecord {
    fn from_candidate(c: &DedupCandidate) -> Self {
        Self {
            contact_name: c.name.clone(),
            partner_name: c.company_name.clone(),
            email_from: c.email.clone(),
            phone: c.phone.clone(),
            active: true,
            ..Self::default()
        }
    }

    fn as_lead(&mut self) -> Option<&mut LeadRecord> {
        Some(self)
    }
}

impl Completed for ProductRecord {
    fn from_candidate(c: &DedupCandidate) -> Self {
        Self {
            name: c.name.clone(),
            default_code: c.code.clone(),
            barcode: c.barcode.clone(),
            active: true,
            ..Self::default()
        }
    }

    fn set_linked_documents(&mut self, count: u64) {
        self.linked_documents = count;
    }
}

/// One call's state once the context is known.
struct Run<'a> {
    tool: &'a FindDuplicates,
    client: &'a OdooClient,
    request: &'a Request,
    context: RunContext,
}

impl Run<'_> {
    async fn search<R: Completed>(&self) -> Result<Envelope<FindDuplicatesData>, ToolError> {
        let entity = self.request.entity;
        let scope = Scope {
            entity,
            company_id: self.company_id(),
            filters: self.request.filters,
            max_records: self.request.max_records,
        };
        let scanned = scan::<R>(self.client, &scope).await?;
        let mut warnings = scanned.warnings;
        let mut records = scanned.records;
        if let RequestMode::Record(id) = self.request.mode
            && !records.iter().any(|r| r.id() == id)
        {
            // Archived, filtered out or beyond the cap: compare it anyway.
            let record = read_one::<R>(self.client, entity, id)
                .await?
                .ok_or_else(|| {
                    ToolError::NotFound(format!(
                        "{} with id {id} does not exist or is not visible to this user",
                        entity.model()
                    ))
                })?;
            records.push(record);
        }
        let mut lead_types = HashMap::new();
        if entity == Entity::Lead {
            let mut leads: Vec<&mut LeadRecord> =
                records.iter_mut().filter_map(Completed::as_lead).collect();
            stage_sequences(self.client, &mut leads).await?;
            lead_types = leads
                .iter()
                .map(|l| {
                    let kind = l.lead_type.clone().map_or(Value::Bool(false), Value::from);
                    (l.id, kind)
                })
                .collect();
        }
        let config = DedupConfig {
            threshold: self.request.threshold,
            max_groups: self.request.max_groups,
            ..self.tool.config.dedup.clone()
        };
        let dismissed = self.dismissed(entity).await?;
        let mut result = self.compute(&records, &config, &dismissed)?;
        let mut proposals = Vec::new();
        if let Some(groups) = &result.data.groups {
            let members: BTreeSet<i64> = groups
                .iter()
                .flat_map(|g| g.members.iter().map(|m| m.id))
                .collect();
            let members: Vec<i64> = members.into_iter().collect();
            let mut counts = self.linked(entity, &members).await?;
            warnings.append(&mut counts.warnings);
            if !counts.by_id.is_empty() {
                for record in &mut records {
                    if let Some(n) = counts.by_id.get(&record.id()) {
                        record.set_linked_documents(*n);
                    }
                }
                rechoose_masters(&mut result, &records, &config);
            }
            let mut facts = self.proposal_facts(entity, &members, &records).await?;
            facts.lead_types = lead_types;
            let groups = result.data.groups.as_deref().unwrap_or_default();
            let (offered, mut refused) =
                propose(entity, groups, &facts, self.context.envelope.as_of)?;
            proposals = offered;
            warnings.append(&mut refused);
        }
        warnings.extend(
            result
                .warnings
                .iter()
                .map(|w| Warning::new(w.code, w.message.clone())),
        );
        if result.truncated {
            warnings.push(Warning::new(TRUNCATED, self.cut_message(&result)));
        }
        if let (Some(events), Some(groups)) = (&self.tool.events, &result.data.groups) {
            let found: Vec<ProductEvent> = groups.iter().map(|g| self.group_event(g)).collect();
            record_all(events.as_ref(), &found).await;
        }
        Ok(self.envelope(result, warnings, proposals))
    }

    fn compute<R: Completed>(
        &self,
        records: &[R],
        config: &DedupConfig,
        dismissed: &DismissedPairs,
    ) -> Result<DedupResult, ToolError> {
        let outcome = match &self.request.mode {
            RequestMode::Group => Ok(find_groups(records, config, dismissed)),
            RequestMode::Record(id) => find_record_matches(records, *id, config, dismissed),
            RequestMode::Check(candidate) => {
                check_candidate(records, &R::from_candidate(candidate), config)
            }
        };
        outcome.map_err(|err| match err {
            DedupError::UnknownRecord(id) => ToolError::NotFound(format!(
                "{} with id {id} was not read",
                self.request.entity.model()
            )),
            DedupError::EmptyCandidate => ToolError::InvalidArgs {
                tool: FindDuplicates::NAME.to_owned(),
                message: format!("field `candidate`: {err}"),
            },
        })
    }

    async fn dismissed(&self, entity: Entity) -> Result<DismissedPairs, ToolError> {
        let kind = match entity {
            Entity::Partner => DuplicateKind::Partners,
            Entity::Lead => DuplicateKind::Leads,
            Entity::Product => DuplicateKind::Products,
        };
        Ok(DismissedPairs::new(
            self.tool.dismissals.dismissed_pairs(kind).await?,
        ))
    }

    /// Linked documents of the group members (spec 4.7); leads rank by
    /// type and stage instead.
    async fn linked(
        &self,
        entity: Entity,
        members: &[i64],
    ) -> Result<super::read::Counts, ToolError> {
        let sources: Vec<Source> = match entity {
            Entity::Partner => partner_sources(self.company_id())?,
            Entity::Product => product_sources(),
            Entity::Lead => return Ok(super::read::Counts::default()),
        };
        linked_documents(self.client, members, sources).await
    }

    async fn proposal_facts<R: Completed>(
        &self,
        entity: Entity,
        members: &[i64],
        records: &[R],
    ) -> Result<ProposalFacts, ToolError> {
        let mut facts = ProposalFacts::default();
        match entity {
            Entity::Partner => {
                let wanted: BTreeSet<i64> = members.iter().copied().collect();
                for partner in records.iter().filter_map(Completed::as_partner) {
                    if wanted.contains(&partner.id) {
                        let email = partner
                            .email
                            .clone()
                            .map_or(Value::Bool(false), Value::from);
                        facts.emails.insert(partner.id, email);
                    }
                }
                facts.users =
                    count_by(self.client, "res.users", "partner_id", members, &[]).await?;
            }
            Entity::Product => {
                facts.on_hand = on_hand(self.client, members).await?;
                for model in ["sale.order.line", "purchase.order.line"] {
                    let open = [open_lines(model)?];
                    if let Some(counts) =
                        count_by(self.client, model, "product_id", members, &open).await?
                    {
                        facts.open_lines.push((model, counts));
                    }
                }
            }
            Entity::Lead => {}
        }
        Ok(facts)
    }

    fn cut_message(&self, result: &DedupResult) -> String {
        match &self.request.mode {
            RequestMode::Group => format!(
                "{} groups were found; the strongest {} are listed (raise max_groups for more)",
                result.stats.groups_found, self.request.max_groups
            ),
            RequestMode::Record(_) | RequestMode::Check(_) => format!(
                "more than {} records match; the best {} are listed",
                self.tool.config.dedup.max_matches, self.tool.config.dedup.max_matches
            ),
        }
    }

    fn company_id(&self) -> i64 {
        self.context.envelope.company.id
    }

    /// `3 res.partner records look like duplicates: Acme / ACME Ltd / Acme
    /// BV (score 0.93)`, keyed by the sorted member ids.
    fn group_event(&self, group: &Group) -> ProductEvent {
        let model = self.request.entity.model();
        let mut ids: Vec<i64> = group.members.iter().map(|m| m.id).collect();
        ids.sort_unstable();
        let key_ids: Vec<String> = ids.iter().map(i64::to_string).collect();
        let names: Vec<String> = group
            .members
            .iter()
            .map(|m| m.name.clone().unwrap_or_else(|| format!("#{}", m.id)))
            .collect();
        ProductEvent {
            company_id: self.company_id(),
            kind: EventKind::DuplicateGroup,
            key: format!("{model}/{}", key_ids.join(",")),
            severity: EventSeverity::Low,
            description: format!(
                "{} {model} records look like duplicates: {} (score {:.2})",
                ids.len(),
                names.join(" / "),
                group.group_score
            ),
            source: FindDuplicates::NAME.to_owned(),
            occurred_at: self.context.envelope.as_of,
        }
    }

    fn envelope(
        &self,
        result: DedupResult,
        warnings: Vec<Warning>,
        proposals: Vec<Proposal>,
    ) -> Envelope<FindDuplicatesData> {
        let summary = summary(&result.data, self.request);
        let data = FindDuplicatesData {
            links: links(&self.tool.config.odoo_base_url, &result.data),
            result: result.data,
        };
        Envelope::new(
            FindDuplicates::NAME,
            TOOL_VERSION,
            self.context.envelope.clone(),
            data,
            warnings,
            &summary,
        )
        .with_proposals(proposals)
    }
}

/// Chooses each group's master again once the linked documents are known.
fn rechoose_masters<R: DedupRecord>(result: &mut DedupResult, records: &[R], config: &DedupConfig) {
    let Some(groups) = result.data.groups.as_mut() else {
        return;
    };
    let normalizer = Normalizer::new(config);
    let by_id: HashMap<i64, &R> = records.iter().map(|r| (r.id(), r)).collect();
    for group in groups {
        let candidates: Vec<Candidate> = group
            .members
            .iter()
            .filter_map(|m| by_id.get(&m.id))
            .map(|r| Candidate {
                id: r.id(),
                facts: r.master_facts(),
                filled_fields: r.profile(&normalizer).filled_fields(),
            })
            .collect();
        if let Some(master) = master::choose(R::ENTITY, &candidates) {
            group.master = master;
        }
    }
}

fn links(base: &Url, data: &DedupData) -> Vec<Link> {
    let mut ids = BTreeSet::new();
    for group in data.groups.iter().flatten() {
        ids.extend(group.members.iter().map(|m| m.id));
        ids.insert(group.master.id);
    }
    ids.extend(data.matches.iter().flatten().map(|m| m.record.id));
    ids.into_iter()
        .map(|id| Link::new(base, data.model, id))
        .collect()
}

/// A deterministic digest for the model.
fn summary(data: &DedupData, request: &Request) -> String {
    let what = match data.entity {
        Entity::Partner => "partners",
        Entity::Lead => "leads",
        Entity::Product => "products",
    };
    let mut text = match (&data.groups, &data.matches) {
        (Some(groups), _) => {
            let mut text = format!(
                "{} group(s) of duplicate {what} among {} records ({} redundant) at threshold \
                 {:.2}.",
                groups.len(),
                data.records_scanned,
                data.redundant_records,
                request.threshold
            );
            for group in groups.iter().take(3) {
                let names: Vec<String> = group
                    .members
                    .iter()
                    .map(|m| label(m.name.as_deref(), m.id))
                    .collect();
                text.push_str(&format!(
                    " {} score {:.2}, keep {} ({}){}.",
                    names.join(" + "),
                    group.group_score,
                    group.master.id,
                    serde_json::to_value(group.master.reason)
                        .ok()
                        .and_then(|v| v.as_str().map(str::to_owned))
                        .unwrap_or_default(),
                    if group.chained { ", chained" } else { "" }
                ));
            }
            text
        }
        (None, Some(matches)) => {
            let subject = match &request.mode {
                RequestMode::Record(id) => format!("record {id}"),
                RequestMode::Check(_) | RequestMode::Group => "the new record".to_owned(),
            };
            let mut text = format!(
                "{} match(es) for {subject} among {} {what}.",
                matches.len(),
                data.records_scanned
            );
            for m in matches.iter().take(5) {
                text.push_str(&format!(
                    " {} {:.2}.",
                    label(m.record.name.as_deref(), m.record.id),
                    m.score
                ));
            }
            text
        }
        (None, None) => format!("No result among {} {what}.", data.records_scanned),
    };
    if data.dismissed_skipped > 0 {
        text.push_str(&format!(
            " {} dismissed pair(s) skipped.",
            data.dismissed_skipped
        ));
    }
    clip(&text, crate::automations::MAX_SUMMARY_CHARS)
}
