//! Cutting a long message under a platform's limit.

/// A code fence, as Slack, Telegram and WhatsApp write one.
const FENCE: &str = "```";

/// Splits `text` into parts of at most `limit` characters (Unicode scalar
/// values, which is how Slack and Telegram count), preferring to cut at a
/// blank line, then at a line end, then at a space, and only then inside a
/// word. A cut inside a ```` ``` ```` code block closes the block at the end
/// of the part and opens it again at the start of the next, so a table
/// split over two messages stays monospaced in both. Otherwise parts keep
/// their text exactly: joined, they give `text` back up to the whitespace
/// at the cuts.
pub fn split(text: &str, limit: usize) -> Vec<String> {
    let limit = limit.max(1);
    let text = text.trim_end();
    if text.chars().count() <= limit {
        return vec![text.to_owned()];
    }
    // Room for a closing "\n```" and a reopening "```\n" when the text has
    // code blocks; a limit too small for them cuts plainly.
    let fenced = text.contains(FENCE) && limit > 4 * (FENCE.len() + 1);
    let reserve = if fenced { 2 * (FENCE.len() + 1) } else { 0 };
    let mut parts = Vec::new();
    let mut rest = text;
    let mut in_code = false;
    while rest.chars().count() > limit - if in_code { FENCE.len() + 1 } else { 0 } {
        let cut = cut_at(rest, limit - reserve);
        let chunk = rest[..cut].trim_end();
        let opens = if in_code {
            format!("{FENCE}\n")
        } else {
            String::new()
        };
        let ends_in_code = in_code ^ (chunk.matches(FENCE).count() % 2 == 1);
        let mut part = opens + chunk;
        if fenced && ends_in_code {
            part.push('\n');
            part.push_str(FENCE);
        }
        parts.push(part);
        in_code = fenced && ends_in_code;
        rest = rest[cut..].trim_start_matches([' ', '\n']);
    }
    if !rest.is_empty() || parts.is_empty() {
        let opens = if in_code {
            format!("{FENCE}\n")
        } else {
            String::new()
        };
        parts.push(opens + rest);
    }
    parts
}

/// Byte offset to cut `rest` at so the part before it has at most `limit`
/// characters: a blank line, a line end, a space, else inside a word.
fn cut_at(rest: &str, limit: usize) -> usize {
    let limit = limit.max(1);
    // Byte offset of the first character past the limit.
    let hard = rest
        .char_indices()
        .nth(limit)
        .map_or(rest.len(), |(at, _)| at);
    let window = &rest[..hard];
    let after = &rest[hard..];
    // The window ends exactly at a line end, or at a space of a window
    // that is one line (cutting a table row at a space would break it).
    let at_boundary = after.is_empty()
        || after.starts_with('\n')
        || (after.starts_with(' ') && !window.contains('\n'));
    Some(hard)
        .filter(|_| at_boundary && !window.contains("\n\n"))
        .or_else(|| window.rfind("\n\n"))
        .or_else(|| window.rfind('\n'))
        .or_else(|| window.rfind(' '))
        .filter(|&at| at > 0)
        .unwrap_or(hard)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_text_is_one_part() {
        assert_eq!(split("hello", 10), ["hello"]);
        assert_eq!(split("", 10), [""]);
    }

    #[test]
    fn cuts_prefer_paragraphs_then_lines_then_spaces() {
        let text = "first paragraph\n\nsecond line one\nsecond line two";
        assert_eq!(
            split(text, 20),
            ["first paragraph", "second line one", "second line two"]
        );
        assert_eq!(split("aaaa bbbb cccc", 9), ["aaaa bbbb", "cccc"]);
        assert_eq!(split("abcdefghij", 4), ["abcd", "efgh", "ij"]);
    }

    #[test]
    fn a_cut_inside_a_code_block_closes_and_reopens_it() {
        let rows: Vec<String> = (1..=40)
            .map(|i| format!("row {i:02} | {:>8}", i * 1000))
            .collect();
        let text = format!("Totals:\n\n```\n{}\n```\n\nThat is all.", rows.join("\n"));
        let parts = split(&text, 200);
        assert!(parts.len() > 2, "{parts:?}");
        for part in &parts {
            assert!(
                part.chars().count() <= 200,
                "{} chars: {part}",
                part.chars().count()
            );
            assert_eq!(part.matches("```").count() % 2, 0, "unbalanced: {part}");
        }
        assert!(parts[1].starts_with("```\n"), "{}", parts[1]);
        // Every row arrives once, in order, inside a code block.
        let joined = parts.join("\n");
        let found: Vec<&str> = joined.lines().filter(|l| l.starts_with("row ")).collect();
        assert_eq!(found, rows.iter().map(String::as_str).collect::<Vec<_>>());
        assert_eq!(parts.last().unwrap().lines().last(), Some("That is all."));
    }

    #[test]
    fn text_without_code_blocks_is_cut_as_before() {
        let text = "word ".repeat(100);
        let parts = split(&text, 64);
        assert!(
            parts
                .iter()
                .all(|p| p.chars().count() <= 64 && !p.contains("```"))
        );
        assert_eq!(parts.join(" "), text.trim_end());
    }

    #[test]
    fn limits_count_characters_not_bytes() {
        let text = "é".repeat(10);
        let parts = split(&text, 4);
        assert_eq!(parts, ["éééé", "éééé", "éé"]);
        for part in split(&"€ ".repeat(5000), 4096) {
            assert!(part.chars().count() <= 4096);
        }
    }
}
