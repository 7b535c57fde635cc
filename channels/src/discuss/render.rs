//! A reply as the HTML body of a Discuss post. Everything the model or
//! Odoo wrote is escaped; only links with an http(s) address become
//! anchors.

use agent::ingress::{ProposalCard, Reply};

use crate::render::{Block, Inline, blocks};

pub(super) fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

fn inlines(runs: &[Inline]) -> String {
    let mut out = String::new();
    for run in runs {
        match run {
            Inline::Text(t) => out.push_str(&escape(t)),
            Inline::Bold(t) => out.push_str(&format!("<b>{}</b>", escape(t))),
            Inline::Italic(t) => out.push_str(&format!("<i>{}</i>", escape(t))),
            Inline::Code(t) => out.push_str(&format!("<code>{}</code>", escape(t))),
            Inline::Link { label, url }
                if url.starts_with("https://") || url.starts_with("http://") =>
            {
                out.push_str(&format!(
                    "<a href=\"{}\" target=\"_blank\">{}</a>",
                    escape(url),
                    escape(label)
                ));
            }
            Inline::Link { label, url } => {
                out.push_str(&format!("{} ({})", escape(label), escape(url)));
            }
            Inline::Break => out.push_str("<br/>"),
        }
    }
    out
}

fn block(out: &mut String, block: &Block) {
    match block {
        Block::Heading(runs) => out.push_str(&format!("<p><b>{}</b></p>", inlines(runs))),
        Block::Paragraph(runs) => out.push_str(&format!("<p>{}</p>", inlines(runs))),
        Block::List { ordered, items } => {
            let tag = if *ordered { "ol" } else { "ul" };
            out.push_str(&format!("<{tag}>"));
            for item in items {
                out.push_str(&format!("<li>{}</li>", inlines(item)));
            }
            out.push_str(&format!("</{tag}>"));
        }
        Block::Table { header, rows } => {
            out.push_str("<table class=\"table table-sm\"><thead><tr>");
            for cell in header {
                out.push_str(&format!("<th>{}</th>", escape(cell)));
            }
            out.push_str("</tr></thead><tbody>");
            for row in rows {
                out.push_str("<tr>");
                for cell in row {
                    out.push_str(&format!("<td>{}</td>", escape(cell)));
                }
                out.push_str("</tr>");
            }
            out.push_str("</tbody></table>");
        }
        Block::Code(code) => out.push_str(&format!("<pre>{}</pre>", escape(code))),
    }
}

/// Discuss posts cannot carry buttons, so a proposal says what it would
/// change and what to write back to decide it (see `command`).
fn proposal(out: &mut String, card: &ProposalCard) {
    out.push_str(&format!(
        "<div><p><b>Proposal: {}</b> (needs the {} role; expires {})</p><pre>{}</pre>\
         <p>To decide, reply <code>approve {id}</code> or \
         <code>reject {id} &lt;reason&gt;</code>.</p></div>",
        escape(&card.action.replace('_', " ")),
        card.required_role.as_str(),
        card.expires_at.format("%Y-%m-%d %H:%M UTC"),
        escape(&card.preview),
        id = card.id,
    ));
}

/// The post's HTML body. Files are attached to the post, not linked.
pub fn render_html(reply: &Reply) -> String {
    let mut out = String::new();
    for parsed in blocks(&reply.text) {
        block(&mut out, &parsed);
    }
    for card in &reply.proposals {
        proposal(&mut out, card);
    }
    out
}
