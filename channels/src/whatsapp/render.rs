//! The reply model in WhatsApp's formatting
//! (<https://faq.whatsapp.com/539178204879377>): `*bold*`, `_italic_`,
//! `` `code` ``, ```` ```monospace``` ```` blocks for tables and code,
//! `- ` and `1. ` lists, links written out as `label (url)` (WhatsApp
//! links bare URLs itself). The model's Markdown has no strike-through, so
//! `~` is never produced. WhatsApp has no escape character: text is sent as
//! written.

use crate::render::{Block, Inline, aligned_table, blocks, plain_text, split};

/// The Cloud API's limit on a text message's `body`, in characters.
pub const MESSAGE_LIMIT: usize = 4096;

/// The answer's Markdown as WhatsApp texts of at most `limit` characters.
pub fn messages(markdown: &str, limit: usize) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut current = String::new();
    for piece in blocks(markdown).iter().flat_map(|b| block(b, limit)) {
        let joined = current.chars().count() + 2 + piece.chars().count();
        if !current.is_empty() && joined > limit {
            out.push(std::mem::take(&mut current));
        }
        if !current.is_empty() {
            current.push_str("\n\n");
        }
        current.push_str(&piece);
    }
    if !current.is_empty() || out.is_empty() {
        out.push(current);
    }
    out
}

/// Inline runs with WhatsApp's markers.
pub fn inlines(parts: &[Inline]) -> String {
    let mut out = String::new();
    for part in parts {
        match part {
            Inline::Text(t) => out.push_str(t),
            Inline::Bold(t) => out.push_str(&wrap('*', t)),
            Inline::Italic(t) => out.push_str(&wrap('_', t)),
            Inline::Code(t) => out.push_str(&wrap('`', t)),
            Inline::Link { label, url } if label == url => out.push_str(url),
            Inline::Link { label, url } => out.push_str(&format!("{label} ({url})")),
            Inline::Break => out.push('\n'),
        }
    }
    out
}

/// `text` between `marker`s. WhatsApp only formats when the markers touch
/// the text, so surrounding spaces stay outside them.
fn wrap(marker: char, text: &str) -> String {
    let inner = text.trim();
    if inner.is_empty() {
        return text.to_owned();
    }
    let lead = &text[..text.len() - text.trim_start().len()];
    let trail = &text[text.trim_end().len()..];
    format!("{lead}{marker}{inner}{marker}{trail}")
}

/// A monospace block.
pub fn mono(text: &str) -> String {
    format!("```{}```", text.trim_end())
}

/// One block, cut into pieces of at most `limit` characters when it is
/// too long alone (a cut monospace block is closed and reopened).
fn block(block: &Block, limit: usize) -> Vec<String> {
    let whole = match block {
        Block::Heading(parts) => wrap('*', &plain_text(parts)),
        Block::Paragraph(parts) => inlines(parts),
        Block::List { ordered, items } => items
            .iter()
            .enumerate()
            .map(|(i, item)| {
                let marker = if *ordered {
                    format!("{}.", i + 1)
                } else {
                    "-".to_owned()
                };
                format!("{marker} {}", inlines(item))
            })
            .collect::<Vec<_>>()
            .join("\n"),
        Block::Table { header, rows } => mono(&aligned_table(header, rows)),
        Block::Code(code) => mono(code),
    };
    if whole.chars().count() <= limit {
        return vec![whole];
    }
    // Six characters of fence around each monospace piece.
    let inner = limit.saturating_sub(6).max(1);
    match block {
        Block::Table { header, rows } => split(&aligned_table(header, rows), inner)
            .iter()
            .map(|piece| mono(piece))
            .collect(),
        Block::Code(code) => split(code, inner).iter().map(|p| mono(p)).collect(),
        Block::Heading(_) | Block::Paragraph(_) | Block::List { .. } => split(&whole, limit),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markers_hug_the_text_and_links_are_written_out() {
        assert_eq!(
            messages(
                "Say **hi** to [Harbour](https://e.example/p/7) and *you*",
                100
            ),
            ["Say *hi* to Harbour (https://e.example/p/7) and _you_"]
        );
    }

    #[test]
    fn long_answers_are_cut_under_the_limit_and_blocks_stay_closed() {
        let rows: String = (0..400)
            .map(|i| format!("| Partner {i} | {i}.00 |\n"))
            .collect();
        let text = format!(
            "{}\n\n| Customer | Overdue |\n|---|---:|\n{rows}",
            "Invoice INV/2026/0001 is overdue. ".repeat(200)
        );
        let parts = messages(&text, MESSAGE_LIMIT);
        assert!(parts.len() >= 4, "{} parts", parts.len());
        for part in &parts {
            assert!(part.chars().count() <= MESSAGE_LIMIT);
            assert_eq!(part.matches("```").count() % 2, 0, "{part}");
        }
    }
}
