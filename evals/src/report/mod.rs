//! Report writers: the per-case table for the terminal, the JSON result,
//! JUnit XML for CI and a self-contained HTML page.

mod html;
mod junit;
mod table;

pub use html::html;
pub use junit::junit;
pub use table::{comparison_text, table};

use crate::result::SuiteResult;

/// The JSON result (what `--baseline` reads back).
pub fn json(result: &SuiteResult) -> String {
    let mut text = serde_json::to_string_pretty(result).unwrap_or_default();
    text.push('\n');
    text
}

/// Escapes text for XML and HTML content and attribute values.
pub(crate) fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            // XML 1.0 forbids most control characters even when escaped.
            c if (c as u32) < 0x20 && !matches!(c, '\n' | '\r' | '\t') => {}
            c => out.push(c),
        }
    }
    out
}
