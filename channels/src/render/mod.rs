//! One reply model, rendered natively by each channel.
//!
//! The model writes Markdown. [`blocks`] parses it (with pulldown-cmark)
//! into a small document model — paragraphs, headings, lists, tables, code —
//! that each channel's renderer turns into its own format (Slack mrkdwn and
//! Block Kit, Telegram MarkdownV2, WhatsApp's formatting, Odoo HTML), and
//! [`split`] cuts a rendered text under a platform's length limit without
//! breaking a line when it can.

mod markdown;
mod split;
mod table;

pub use markdown::{Block, Inline, blocks, plain_text};
pub use split::split;
pub use table::aligned_table;
