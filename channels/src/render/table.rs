//! Tables for channels without table markup.

/// A table as plain text in aligned monospace columns (header, a rule of
/// dashes, rows), for channels that show tables in a code block. Columns
/// of numbers (amounts, counts, percentages) are right-aligned so their
/// digits line up, whatever alignment the Markdown asked for.
pub fn aligned_table(header: &[String], rows: &[Vec<String>]) -> String {
    let columns = std::iter::once(header)
        .chain(rows.iter().map(Vec::as_slice))
        .map(<[String]>::len)
        .max()
        .unwrap_or(0);
    let mut widths = vec![0; columns];
    for row in std::iter::once(header).chain(rows.iter().map(Vec::as_slice)) {
        for (i, cell) in row.iter().enumerate() {
            widths[i] = widths[i].max(cell.chars().count());
        }
    }
    let right: Vec<bool> = (0..columns).map(|i| numeric_column(rows, i)).collect();
    let line = |row: &[String]| {
        let cells: Vec<String> = (0..columns)
            .map(|i| {
                let cell = row.get(i).map(String::as_str).unwrap_or("");
                if right[i] {
                    format!("{cell:>width$}", width = widths[i])
                } else {
                    format!("{cell:<width$}", width = widths[i])
                }
            })
            .collect();
        cells.join("  ").trim_end().to_owned()
    };
    let mut lines = vec![line(header)];
    lines.push(
        widths
            .iter()
            .map(|w| "-".repeat(*w))
            .collect::<Vec<_>>()
            .join("  "),
    );
    lines.extend(rows.iter().map(|row| line(row)));
    lines.join("\n")
}

/// Whether every filled cell of column `i` is a number, and one is.
fn numeric_column(rows: &[Vec<String>], i: usize) -> bool {
    let mut cells = rows
        .iter()
        .filter_map(|row| row.get(i))
        .map(|cell| cell.trim())
        .filter(|cell| !cell.is_empty())
        .peekable();
    cells.peek().is_some() && cells.all(is_number)
}

/// `1,250.00`, `-80`, `12.5 %`, `EUR 1,000`, `(300.00)`, `€5`: digits
/// with separators, a sign, and at most a currency code or symbol.
fn is_number(cell: &str) -> bool {
    let core = cell
        .trim_matches(|c: char| c.is_ascii_uppercase() || c.is_whitespace() || "€$£%".contains(c));
    core.chars().any(|c| c.is_ascii_digit())
        && core
            .chars()
            .all(|c| c.is_ascii_digit() || ",.-+()\u{2212}".contains(c))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strings(cells: &[&str]) -> Vec<String> {
        cells.iter().map(|c| (*c).to_owned()).collect()
    }

    #[test]
    fn number_columns_are_right_aligned_and_text_columns_left() {
        let header = strings(&["Customer", "Overdue", "Share"]);
        let rows = vec![
            strings(&["Harbour B.V.", "1,250.00 EUR", "61.5 %"]),
            strings(&["Zoet", "80.00 EUR", ""]),
            strings(&["Café 2", "(300.00) EUR", "-4"]),
        ];
        assert_eq!(
            aligned_table(&header, &rows),
            "Customer           Overdue   Share\n\
             ------------  ------------  ------\n\
             Harbour B.V.  1,250.00 EUR  61.5 %\n\
             Zoet             80.00 EUR\n\
             Café 2        (300.00) EUR      -4"
        );
    }

    #[test]
    fn a_column_with_any_text_stays_left_aligned() {
        let header = strings(&["Ref", "Amount"]);
        let rows = vec![
            strings(&["INV/2026/001", "12"]),
            strings(&["INV/2026/002", "n/a"]),
        ];
        assert_eq!(
            aligned_table(&header, &rows),
            "Ref           Amount\n------------  ------\nINV/2026/001  12\nINV/2026/002  n/a"
        );
    }
}
