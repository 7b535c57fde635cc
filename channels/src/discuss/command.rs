//! Deciding proposals from Discuss. A post cannot carry buttons, so a
//! proposal card tells the person what to write back: `approve <id>` or
//! `reject <id> <reason>`. The same rules apply as for buttons elsewhere
//! (the writer's identity must hold the role; an approval executes once).

use uuid::Uuid;

use crate::decide::Choice;

/// Reason kept when a rejection gives none.
pub const DEFAULT_REASON: &str = "Rejected in Odoo Discuss";

/// The decision a post asks for, when it is one: the first word is
/// `approve` or `reject` (any case), the second a proposal id; what
/// follows a rejection is its reason.
pub fn parse(text: &str) -> Option<(Uuid, Choice)> {
    let (verb, after) = text.trim().split_once(char::is_whitespace)?;
    let after = after.trim_start();
    let (id, rest) = after.split_once(char::is_whitespace).unwrap_or((after, ""));
    let id = id.parse::<Uuid>().ok()?;
    let rest = rest.trim();
    match verb.to_lowercase().as_str() {
        "approve" if rest.is_empty() => Some((id, Choice::Approve)),
        "reject" => {
            let reason = if rest.is_empty() {
                DEFAULT_REASON
            } else {
                rest
            };
            Some((
                id,
                Choice::Reject {
                    reason: reason.to_owned(),
                },
            ))
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ID: &str = "6f1c2a8e-3b4d-4e5f-8a9b-0c1d2e3f4a5b";

    #[test]
    fn approve_and_reject_with_or_without_a_reason() {
        let id: Uuid = ID.parse().unwrap();
        assert_eq!(parse(&format!("approve {ID}")), Some((id, Choice::Approve)));
        assert_eq!(
            parse(&format!("  Approve   {ID}\n")),
            Some((id, Choice::Approve))
        );
        assert_eq!(
            parse(&format!("reject {ID} the customer paid yesterday")),
            Some((
                id,
                Choice::Reject {
                    reason: "the customer paid yesterday".to_owned()
                }
            ))
        );
        assert_eq!(
            parse(&format!("REJECT {ID}")),
            Some((
                id,
                Choice::Reject {
                    reason: DEFAULT_REASON.to_owned()
                }
            ))
        );
    }

    #[test]
    fn questions_are_not_decisions() {
        for text in [
            "approve the invoices of ACME?".to_owned(),
            format!("approve {ID} and also tell me the balance"),
            format!("please approve {ID}"),
            "reject".to_owned(),
            format!("approve {}", &ID[..8]),
            String::new(),
        ] {
            assert_eq!(parse(&text), None, "{text}");
        }
    }
}
