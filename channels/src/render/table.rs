//! Tables for channels without table markup.

/// A table as plain text in aligned monospace columns (header, a rule of
/// dashes, rows), for channels that show tables in a code block.
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
    let line = |row: &[String]| {
        let cells: Vec<String> = (0..columns)
            .map(|i| {
                let cell = row.get(i).map(String::as_str).unwrap_or("");
                format!("{cell:<width$}", width = widths[i])
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
