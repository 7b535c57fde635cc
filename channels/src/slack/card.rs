//! Proposal cards as Block Kit: what the action changes (the exact before
//! and after values), who may decide and until when, and Approve / Reject
//! buttons whose `value` is the proposal id. Once decided, the buttons give
//! way to the outcome.

use slack_morphism::prelude::{
    SlackActionBlockElement, SlackActionId, SlackActionsBlock, SlackBlock, SlackBlockButtonElement,
    SlackBlockButtonStyle, SlackBlockId, SlackBlockMarkDownText, SlackBlockPlainText,
    SlackBlockText, SlackContextBlock, SlackContextBlockElement, SlackHeaderBlock,
    SlackSectionBlock,
};
use uuid::Uuid;

use agent::ingress::ProposalCard;

use super::mrkdwn::escape;

/// `action_id` of the Approve button; its `value` is the proposal id.
pub const APPROVE_ACTION: &str = "proposal_approve";
/// `action_id` of the Reject button; its `value` is the proposal id.
pub const REJECT_ACTION: &str = "proposal_reject";

/// A header holds at most 150 characters.
const HEADER_LIMIT: usize = 150;
/// A section's text holds at most 3,000 characters; the preview is cut
/// below that so the surrounding code fence and target line still fit.
const PREVIEW_LIMIT: usize = 2_700;

/// Where the card stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CardState<'a> {
    /// Pending: the buttons.
    Open,
    /// Still pending after someone's press was refused: the buttons, and
    /// why that person could not decide.
    Refused { user: &'a str, reason: &'a str },
    /// Decided: the outcome instead of the buttons.
    Decided(&'a str),
}

/// The card's blocks.
pub fn blocks(card: &ProposalCard, state: CardState<'_>) -> Vec<SlackBlock> {
    let mut blocks = vec![
        SlackHeaderBlock::new(
            plain(&cut(&format!("Proposal: {}", card.action), HEADER_LIMIT)).into(),
        )
        .into(),
        SlackSectionBlock::new()
            .with_text(markdown(format!(
                "*Target:* `{}` {}\n```\n{}\n```",
                escape(&card.target_model),
                ids(&card.target_ids),
                cut_escaped(card.preview.trim_end(), PREVIEW_LIMIT),
            )))
            .into(),
        SlackContextBlock::new(vec![SlackContextBlockElement::MarkDown(
            SlackBlockMarkDownText::new(format!(
                "Needs the *{}* role · expires {}",
                card.required_role.as_str(),
                card.expires_at.format("%Y-%m-%d %H:%M UTC"),
            )),
        )])
        .into(),
    ];
    match state {
        CardState::Open => blocks.push(buttons(card.id)),
        CardState::Refused { user, reason } => {
            blocks.push(buttons(card.id));
            blocks.push(
                SlackContextBlock::new(vec![SlackContextBlockElement::MarkDown(
                    SlackBlockMarkDownText::new(format!("<@{}>: {}", escape(user), escape(reason))),
                )])
                .into(),
            );
        }
        CardState::Decided(outcome) => blocks.push(
            SlackSectionBlock::new()
                .with_text(markdown(format!("*{}*", escape(outcome))))
                .into(),
        ),
    }
    blocks
}

/// The notification and screen-reader text of the card.
pub fn fallback(card: &ProposalCard, state: CardState<'_>) -> String {
    let summary = format!(
        "Proposal: {} on {} {}",
        card.action,
        card.target_model,
        ids(&card.target_ids)
    );
    match state {
        CardState::Open | CardState::Refused { .. } => format!(
            "{summary}. Needs the {} role; approve or reject it in Slack.",
            card.required_role.as_str()
        ),
        CardState::Decided(outcome) => format!("{summary}. {outcome}"),
    }
}

fn buttons(id: Uuid) -> SlackBlock {
    let button = |label: &str, action: &str, style| {
        SlackActionBlockElement::Button(
            SlackBlockButtonElement::new(plain(label).into())
                .with_action_id(SlackActionId(action.to_owned()))
                .with_value(id.to_string())
                .with_style(style),
        )
    };
    SlackActionsBlock::new(vec![
        button("Approve", APPROVE_ACTION, SlackBlockButtonStyle::Primary),
        button("Reject", REJECT_ACTION, SlackBlockButtonStyle::Danger),
    ])
    .with_block_id(SlackBlockId(format!("proposal:{id}")))
    .into()
}

fn plain(text: &str) -> SlackBlockPlainText {
    SlackBlockPlainText::new(text.to_owned())
}

fn markdown(text: String) -> SlackBlockText {
    SlackBlockText::MarkDown(SlackBlockMarkDownText::new(text))
}

fn ids(ids: &[i64]) -> String {
    ids.iter()
        .map(i64::to_string)
        .collect::<Vec<_>>()
        .join(", ")
}

/// `text` cut to `limit` characters, with an ellipsis when cut.
fn cut(text: &str, limit: usize) -> String {
    if text.chars().count() <= limit {
        return text.to_owned();
    }
    let mut out: String = text.chars().take(limit - 1).collect();
    out.push('…');
    out
}

/// `text` escaped for mrkdwn and then cut to `limit` characters (escaping
/// lengthens it), never inside an escape such as `&gt;`.
fn cut_escaped(text: &str, limit: usize) -> String {
    let escaped = escape(text);
    if escaped.chars().count() <= limit {
        return escaped;
    }
    let mut out: String = escaped.chars().take(limit - 1).collect();
    if let Some(amp) = out.rfind('&')
        && !out[amp..].contains(';')
    {
        out.truncate(amp);
    }
    out.push('…');
    out
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn blocks_of(preview: String) -> Vec<SlackBlock> {
        let card = ProposalCard {
            id: Uuid::nil(),
            action: "set_credit_limit".to_owned(),
            preview,
            required_role: tools::Role::Finance,
            expires_at: chrono::DateTime::UNIX_EPOCH,
            target_model: "res.partner".to_owned(),
            target_ids: vec![1],
        };
        blocks(&card, CardState::Open)
    }

    #[test]
    fn a_long_preview_is_cut_to_fit_its_section() {
        let card = ProposalCard {
            id: Uuid::nil(),
            action: "a".repeat(200),
            preview: "credit_limit: 0.00 -> 12500.00\n".repeat(200),
            required_role: tools::Role::Finance,
            expires_at: chrono::DateTime::UNIX_EPOCH,
            target_model: "res.partner".to_owned(),
            target_ids: vec![1, 2],
        };
        let blocks = serde_json::to_value(blocks(&card, CardState::Open)).unwrap();
        let header = blocks[0]["text"]["text"].as_str().unwrap();
        assert_eq!(header.chars().count(), HEADER_LIMIT);
        assert!(header.ends_with('…'));
        let section = blocks[1]["text"]["text"].as_str().unwrap();
        assert!(section.chars().count() <= 3_000, "{}", section.len());
        assert!(section.starts_with("*Target:* `res.partner` 1, 2\n```\ncredit_limit"));
        assert!(section.ends_with("…\n```"), "{section}");
        // Escaping lengthens the text; the cut never splits an escape.
        let escapes = serde_json::to_value(blocks_of("<&>".repeat(2_000))).unwrap();
        let section = escapes[1]["text"]["text"].as_str().unwrap();
        assert!(section.chars().count() <= 3_000);
        let kept = section.strip_suffix("…\n```").unwrap();
        assert!(kept.ends_with(';'), "{section}");
    }
}
