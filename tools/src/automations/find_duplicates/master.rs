//! The suggested master of a group (spec 4.7): candidates are ranked by the
//! criteria in order, and the reason given is the first criterion on which
//! the chosen record beats the runner-up.

use std::cmp::Ordering;

use super::output::{Master, MasterReason};
use super::profile::{Entity, MasterFacts};

/// One member as the master choice sees it.
#[derive(Debug, Clone, PartialEq)]
pub struct Candidate {
    pub id: i64,
    pub facts: MasterFacts,
    /// Compared fields with a value.
    pub filled_fields: usize,
}

/// The master of a group of at least one candidate; `None` for none.
pub fn choose(entity: Entity, candidates: &[Candidate]) -> Option<Master> {
    let criteria = criteria(entity);
    let rank = |a: &Candidate, b: &Candidate| {
        criteria
            .iter()
            .map(|(_, better)| better(a, b))
            .find(|order| order.is_ne())
            .unwrap_or(Ordering::Equal)
    };
    let mut sorted: Vec<&Candidate> = candidates.iter().collect();
    sorted.sort_by(|a, b| rank(a, b));
    let best = sorted.first()?;
    let reason = match sorted.get(1) {
        None => MasterReason::LowestId,
        Some(runner_up) => criteria
            .iter()
            .find(|(_, better)| better(best, runner_up).is_ne())
            .map_or(MasterReason::LowestId, |(reason, _)| *reason),
    };
    Some(Master {
        id: best.id,
        reason,
    })
}

/// `Less` when the first candidate is the better master.
type Better = fn(&Candidate, &Candidate) -> Ordering;

fn criteria(entity: Entity) -> Vec<(MasterReason, Better)> {
    let linked: Better = |a, b| b.facts.linked_documents.cmp(&a.facts.linked_documents);
    let stage: Better = |a, b| b.facts.stage_sequence.cmp(&a.facts.stage_sequence);
    let company: Better = |a, b| b.facts.company_or_vat.cmp(&a.facts.company_or_vat);
    let filled: Better = |a, b| b.filled_fields.cmp(&a.filled_fields);
    // Unknown creation dates rank after known ones.
    let oldest: Better = |a, b| match (a.facts.create_date, b.facts.create_date) {
        (Some(x), Some(y)) => x.cmp(&y),
        (Some(_), None) => Ordering::Less,
        (None, Some(_)) => Ordering::Greater,
        (None, None) => Ordering::Equal,
    };
    let lowest: Better = |a, b| a.id.cmp(&b.id);
    let mut out = match entity {
        Entity::Partner | Entity::Product => vec![(MasterReason::MostLinkedDocuments, linked)],
        Entity::Lead => vec![
            (MasterReason::OpportunityOverLead, linked),
            (MasterReason::LaterStage, stage),
        ],
    };
    out.extend([
        (MasterReason::CompanyOrVat, company),
        (MasterReason::MoreFilledFields, filled),
        (MasterReason::Oldest, oldest),
        (MasterReason::LowestId, lowest),
    ]);
    out
}

#[cfg(test)]
mod tests {
    use chrono::{TimeZone, Utc};
    use pretty_assertions::assert_eq;

    use super::*;

    fn candidate(id: i64, linked: u64, filled: usize) -> Candidate {
        Candidate {
            id,
            facts: MasterFacts {
                linked_documents: linked,
                ..MasterFacts::default()
            },
            filled_fields: filled,
        }
    }

    fn master(entity: Entity, candidates: &[Candidate]) -> (i64, MasterReason) {
        let m = choose(entity, candidates).unwrap();
        (m.id, m.reason)
    }

    #[test]
    fn first_separating_criterion_wins_and_is_named() {
        let docs = [candidate(1, 0, 4), candidate(2, 5, 1)];
        assert_eq!(
            master(Entity::Partner, &docs),
            (2, MasterReason::MostLinkedDocuments)
        );
        let mut vat = [candidate(1, 0, 2), candidate(2, 0, 2)];
        vat[1].facts.company_or_vat = true;
        assert_eq!(
            master(Entity::Partner, &vat),
            (2, MasterReason::CompanyOrVat)
        );
        let filled = [candidate(1, 0, 2), candidate(2, 0, 3)];
        assert_eq!(
            master(Entity::Partner, &filled),
            (2, MasterReason::MoreFilledFields)
        );
        let mut old = [candidate(1, 0, 2), candidate(2, 0, 2), candidate(3, 0, 2)];
        old[2].facts.create_date = Utc.with_ymd_and_hms(2020, 1, 1, 0, 0, 0).single();
        assert_eq!(master(Entity::Partner, &old), (3, MasterReason::Oldest));
        let tie = [candidate(8, 0, 2), candidate(3, 0, 2)];
        assert_eq!(master(Entity::Partner, &tie), (3, MasterReason::LowestId));
    }

    #[test]
    fn leads_prefer_opportunities_then_later_stages() {
        let mut leads = [candidate(1, 0, 3), candidate(2, 1, 1), candidate(3, 1, 1)];
        leads[1].facts.stage_sequence = Some(1);
        leads[2].facts.stage_sequence = Some(2);
        assert_eq!(master(Entity::Lead, &leads), (3, MasterReason::LaterStage));
        assert_eq!(
            master(Entity::Lead, &leads[..2]),
            (2, MasterReason::OpportunityOverLead)
        );
    }
}
