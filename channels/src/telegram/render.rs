//! The reply model in Telegram's MarkdownV2
//! (<https://core.telegram.org/bots/api#markdownv2-style>): every reserved
//! character escaped, tables and code as `pre` blocks, messages cut under
//! 4,096 characters without breaking an escape or a block.

use crate::render::{Block, Inline, aligned_table, blocks, plain_text, split};

/// Telegram's limit on a message's text, in characters.
pub const MESSAGE_LIMIT: usize = 4096;

/// Characters that must be escaped in ordinary MarkdownV2 text.
const RESERVED: &str = "_*[]()~`>#+-=|{}.!\\";

/// Escapes `text` for ordinary MarkdownV2 text.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if RESERVED.contains(c) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// Escapes `text` inside `code` and `pre`: only `` ` `` and `\`.
pub fn escape_code(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if c == '`' || c == '\\' {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// Escapes a link's URL inside `(...)`: only `)` and `\`.
fn escape_url(url: &str) -> String {
    url.replace('\\', "\\\\").replace(')', "\\)")
}

fn inlines(parts: &[Inline]) -> String {
    let mut out = String::new();
    for part in parts {
        match part {
            Inline::Text(t) => out.push_str(&escape(t)),
            Inline::Bold(t) => out.push_str(&format!("*{}*", escape(t))),
            Inline::Italic(t) => out.push_str(&format!("_{}_", escape(t))),
            Inline::Code(t) => out.push_str(&format!("`{}`", escape_code(t))),
            Inline::Link { label, url } => {
                out.push_str(&format!("[{}]({})", escape(label), escape_url(url)));
            }
            Inline::Break => out.push('\n'),
        }
    }
    out
}

fn pre(code: &str) -> String {
    format!("```\n{}\n```", escape_code(code))
}

/// One block in MarkdownV2, cut into pieces that each fit `limit` when the
/// block alone is too long (pieces stay valid MarkdownV2 on their own).
fn block(block: &Block, limit: usize) -> Vec<String> {
    let whole = match block {
        Block::Heading(parts) => format!("*{}*", escape(&plain_text(parts))),
        Block::Paragraph(parts) => inlines(parts),
        Block::List { ordered, items } => items
            .iter()
            .enumerate()
            .map(|(i, item)| {
                let marker = if *ordered {
                    format!("{}\\.", i + 1)
                } else {
                    "•".to_owned()
                };
                format!("{marker} {}", inlines(item))
            })
            .collect::<Vec<_>>()
            .join("\n"),
        Block::Table { header, rows } => pre(&aligned_table(header, rows)),
        Block::Code(code) => pre(code),
    };
    if whole.chars().count() <= limit {
        return vec![whole];
    }
    // Too long: cut the plain text and escape each piece, so no cut falls
    // inside an escape or an entity. Escaping at most doubles the length.
    match block {
        Block::Table { header, rows } => split(&aligned_table(header, rows), limit / 2 - 8)
            .iter()
            .map(|piece| pre(piece))
            .collect(),
        Block::Code(code) => split(code, limit / 2 - 8).iter().map(|p| pre(p)).collect(),
        Block::Heading(parts) | Block::Paragraph(parts) => split(&plain_text(parts), limit / 2)
            .iter()
            .map(|piece| escape(piece))
            .collect(),
        Block::List { items, .. } => {
            let text: Vec<String> = items
                .iter()
                .map(|i| format!("• {}", plain_text(i)))
                .collect();
            split(&text.join("\n"), limit / 2)
                .iter()
                .map(|piece| escape(piece))
                .collect()
        }
    }
}

/// The Markdown answer as MarkdownV2 messages of at most `limit` characters.
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_reserved_character_is_escaped_and_code_only_escapes_two() {
        assert_eq!(
            escape("_*[]()~`>#+-=|{}.!\\ ok"),
            "\\_\\*\\[\\]\\(\\)\\~\\`\\>\\#\\+\\-\\=\\|\\{\\}\\.\\!\\\\ ok"
        );
        assert_eq!(escape_code("a_b*c`d\\e.f"), "a_b*c\\`d\\\\e.f");
    }

    #[test]
    fn long_answers_are_cut_under_the_limit_into_valid_pieces() {
        let paragraph = "Invoice INV/2026/0001 is overdue by 12.5 days (customer: Harbour B.V.). ";
        let text = format!(
            "{}\n\n| a | b |\n|---|---|\n| 1 | 2 |",
            paragraph.repeat(200)
        );
        let parts = messages(&text, MESSAGE_LIMIT);
        assert!(parts.len() >= 4, "{} parts", parts.len());
        for part in &parts {
            assert!(part.chars().count() <= MESSAGE_LIMIT);
            // No piece ends in the middle of an escape.
            let trailing = part.chars().rev().take_while(|c| *c == '\\').count();
            assert_eq!(trailing % 2, 0, "{part}");
        }
        assert!(parts.last().is_some_and(|p| p.ends_with("```")));
    }
}
