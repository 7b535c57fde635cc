//! Cutting a long message under a platform's limit.

/// Splits `text` into parts of at most `limit` characters (Unicode scalar
/// values, which is how Slack and Telegram count), preferring to cut at a
/// blank line, then at a line end, then at a space, and only then inside a
/// word. Parts keep their text exactly: joined, they give `text` back up to
/// the whitespace at the cuts.
pub fn split(text: &str, limit: usize) -> Vec<String> {
    let limit = limit.max(1);
    let mut parts = Vec::new();
    let mut rest = text.trim_end();
    while rest.chars().count() > limit {
        // Byte offset of the first character past the limit.
        let hard = rest
            .char_indices()
            .nth(limit)
            .map_or(rest.len(), |(at, _)| at);
        let window = &rest[..hard];
        let at_boundary = rest[hard..].starts_with([' ', '\n']);
        let cut = Some(hard)
            .filter(|_| at_boundary && !window.contains("\n\n"))
            .or_else(|| window.rfind("\n\n"))
            .or_else(|| window.rfind('\n'))
            .or_else(|| window.rfind(' '))
            .filter(|&at| at > 0)
            .unwrap_or(hard);
        parts.push(rest[..cut].trim_end().to_owned());
        rest = rest[cut..].trim_start_matches([' ', '\n']);
    }
    if !rest.is_empty() || parts.is_empty() {
        parts.push(rest.to_owned());
    }
    parts
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
    fn limits_count_characters_not_bytes() {
        let text = "é".repeat(10);
        let parts = split(&text, 4);
        assert_eq!(parts, ["éééé", "éééé", "éé"]);
        for part in split(&"€ ".repeat(5000), 4096) {
            assert!(part.chars().count() <= 4096);
        }
    }
}
