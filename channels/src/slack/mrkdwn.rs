//! The reply's Markdown as Slack mrkdwn: `*bold*`, `_italic_`, `<url|label>`
//! links, `&`, `<`, `>` escaped, tables as aligned monospace code blocks,
//! cut into messages under Slack's limits.

use crate::render::{Block, Inline, aligned_table, blocks, split};

/// Slack truncates a message's `text` past 40,000 characters; a section
/// block holds at most 3,000. Messages are cut at the smaller so each can
/// also be shown as one section.
pub const MESSAGE_LIMIT: usize = 3_000;

/// Escapes the three characters Slack's mrkdwn gives meaning to.
pub fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

fn inline(inlines: &[Inline]) -> String {
    let mut out = String::new();
    for part in inlines {
        match part {
            Inline::Text(t) => out.push_str(&escape(t)),
            Inline::Bold(t) => out.push_str(&format!("*{}*", escape(t))),
            Inline::Italic(t) => out.push_str(&format!("_{}_", escape(t))),
            Inline::Code(t) => out.push_str(&format!("`{}`", escape(t))),
            Inline::Link { label, url } if label == url => {
                out.push_str(&format!("<{}>", escape(url)));
            }
            Inline::Link { label, url } => {
                // `|` ends the URL part; a label may not contain `>`.
                out.push_str(&format!("<{}|{}>", escape(url), escape(label)));
            }
            Inline::Break => out.push('\n'),
        }
    }
    out
}

/// A table as a code block with columns padded to their widest cell.
fn table(header: &[String], rows: &[Vec<String>]) -> String {
    format!("```\n{}\n```", escape(&aligned_table(header, rows)))
}

/// The whole reply as one mrkdwn text.
pub fn render(markdown: &str) -> String {
    let parts: Vec<String> = blocks(markdown)
        .iter()
        .map(|block| match block {
            Block::Heading(inlines) => format!("*{}*", escape(&crate::render::plain_text(inlines))),
            Block::Paragraph(inlines) => inline(inlines),
            Block::List { ordered, items } => items
                .iter()
                .enumerate()
                .map(|(i, item)| {
                    let bullet = if *ordered {
                        format!("{}.", i + 1)
                    } else {
                        "•".to_owned()
                    };
                    format!("{bullet} {}", inline(item))
                })
                .collect::<Vec<_>>()
                .join("\n"),
            Block::Table { header, rows } => table(header, rows),
            Block::Code(code) => format!("```\n{}\n```", escape(code.trim_end())),
        })
        .collect();
    parts.join("\n\n")
}

/// The reply as messages of at most [`MESSAGE_LIMIT`] characters.
pub fn messages(markdown: &str) -> Vec<String> {
    split(&render(markdown), MESSAGE_LIMIT)
}
