//! Markdown → [`Block`]s.

use pulldown_cmark::{Event, Options, Parser, Tag, TagEnd};

/// A run of text inside a block.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Inline {
    Text(String),
    Bold(String),
    Italic(String),
    Code(String),
    Link {
        label: String,
        url: String,
    },
    /// A hard or soft line break inside a paragraph.
    Break,
}

/// A block of the answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Block {
    Heading(Vec<Inline>),
    Paragraph(Vec<Inline>),
    /// Items of a bulleted (or numbered, `ordered`) list.
    List {
        ordered: bool,
        items: Vec<Vec<Inline>>,
    },
    /// A table: header cells and rows of cells, as plain text.
    Table {
        header: Vec<String>,
        rows: Vec<Vec<String>>,
    },
    Code(String),
}

/// The text of inlines without any formatting (links as `label (url)`).
pub fn plain_text(inlines: &[Inline]) -> String {
    let mut out = String::new();
    for inline in inlines {
        match inline {
            Inline::Text(t) | Inline::Bold(t) | Inline::Italic(t) | Inline::Code(t) => {
                out.push_str(t);
            }
            Inline::Link { label, url } if label == url => out.push_str(url),
            Inline::Link { label, url } => {
                out.push_str(label);
                out.push_str(" (");
                out.push_str(url);
                out.push(')');
            }
            Inline::Break => out.push('\n'),
        }
    }
    out
}

/// A table being read: header, finished rows, the row being read, and
/// whether that row is the header.
type TableState = (Vec<String>, Vec<Vec<String>>, Vec<String>, bool);

#[derive(Default)]
struct Builder {
    blocks: Vec<Block>,
    inlines: Vec<Inline>,
    /// Nesting of emphasis: bold / italic wrap the text pushed while open.
    bold: usize,
    italic: usize,
    link: Option<(String, String)>,
    list: Option<(bool, Vec<Vec<Inline>>)>,
    table: Option<TableState>,
    cell: String,
    code: Option<String>,
}

impl Builder {
    fn text(&mut self, text: &str) {
        if let Some(code) = &mut self.code {
            code.push_str(text);
        } else if self.table.is_some() {
            self.cell.push_str(text);
        } else if let Some((_, label)) = &mut self.link {
            label.push_str(text);
        } else if self.bold > 0 {
            self.inlines.push(Inline::Bold(text.to_owned()));
        } else if self.italic > 0 {
            self.inlines.push(Inline::Italic(text.to_owned()));
        } else {
            self.inlines.push(Inline::Text(text.to_owned()));
        }
    }

    fn take_inlines(&mut self) -> Vec<Inline> {
        merge_text(std::mem::take(&mut self.inlines))
    }

    fn event(&mut self, event: Event<'_>) {
        match event {
            Event::Start(Tag::Strong) => self.bold += 1,
            Event::End(TagEnd::Strong) => self.bold = self.bold.saturating_sub(1),
            Event::Start(Tag::Emphasis) => self.italic += 1,
            Event::End(TagEnd::Emphasis) => self.italic = self.italic.saturating_sub(1),
            Event::Start(Tag::Link { dest_url, .. }) => {
                self.link = Some((dest_url.to_string(), String::new()));
            }
            Event::End(TagEnd::Link) => {
                if let Some((url, label)) = self.link.take() {
                    if self.table.is_some() {
                        self.cell.push_str(&format!(" ({url})"));
                    } else {
                        self.inlines.push(Inline::Link { label, url });
                    }
                }
            }
            Event::Start(Tag::List(first)) => self.list = Some((first.is_some(), Vec::new())),
            Event::End(TagEnd::Item) => {
                let item = self.take_inlines();
                if let Some((_, items)) = &mut self.list {
                    items.push(item);
                }
            }
            Event::End(TagEnd::List(_)) => {
                if let Some((ordered, items)) = self.list.take() {
                    self.blocks.push(Block::List { ordered, items });
                }
            }
            Event::End(TagEnd::Paragraph) if self.list.is_none() => {
                let inlines = self.take_inlines();
                if !inlines.is_empty() {
                    self.blocks.push(Block::Paragraph(inlines));
                }
            }
            Event::End(TagEnd::Heading(_)) => {
                let inlines = self.take_inlines();
                self.blocks.push(Block::Heading(inlines));
            }
            Event::Start(Tag::Table(_)) => {
                self.table = Some((Vec::new(), Vec::new(), Vec::new(), true));
            }
            Event::End(TagEnd::TableCell) => {
                let cell = std::mem::take(&mut self.cell).trim().to_owned();
                if let Some((_, _, row, _)) = &mut self.table {
                    row.push(cell);
                }
            }
            Event::End(TagEnd::TableHead) | Event::End(TagEnd::TableRow) => {
                if let Some((header, rows, row, in_head)) = &mut self.table {
                    let cells = std::mem::take(row);
                    if *in_head {
                        *header = cells;
                        *in_head = false;
                    } else {
                        rows.push(cells);
                    }
                }
            }
            Event::End(TagEnd::Table) => {
                if let Some((header, rows, _, _)) = self.table.take() {
                    self.blocks.push(Block::Table { header, rows });
                }
            }
            Event::Start(Tag::CodeBlock(_)) => self.code = Some(String::new()),
            Event::End(TagEnd::CodeBlock) => {
                if let Some(code) = self.code.take() {
                    self.blocks
                        .push(Block::Code(code.trim_end_matches('\n').to_owned()));
                }
            }
            Event::Text(text) => self.text(&text),
            Event::Code(code) => {
                if self.table.is_some() {
                    self.cell.push_str(&code);
                } else if let Some((_, label)) = &mut self.link {
                    label.push_str(&code);
                } else {
                    self.inlines.push(Inline::Code(code.to_string()));
                }
            }
            Event::SoftBreak | Event::HardBreak => {
                if self.table.is_some() {
                    self.cell.push(' ');
                } else {
                    self.inlines.push(Inline::Break);
                }
            }
            // Raw HTML from the model is shown as text, never interpreted.
            Event::Html(html) | Event::InlineHtml(html) => self.text(&html),
            _ => {}
        }
    }
}

/// Joins neighbouring runs of the same kind, so renderers see one run per
/// stretch of plain or bold text.
fn merge_text(inlines: Vec<Inline>) -> Vec<Inline> {
    let mut out: Vec<Inline> = Vec::with_capacity(inlines.len());
    for inline in inlines {
        match (out.last_mut(), inline) {
            (Some(Inline::Text(a)), Inline::Text(b))
            | (Some(Inline::Bold(a)), Inline::Bold(b))
            | (Some(Inline::Italic(a)), Inline::Italic(b)) => a.push_str(&b),
            (_, inline) => out.push(inline),
        }
    }
    out
}

/// Parses the model's Markdown (with pipe tables) into blocks.
pub fn blocks(markdown: &str) -> Vec<Block> {
    let mut builder = Builder::default();
    for event in Parser::new_ext(markdown, Options::ENABLE_TABLES) {
        builder.event(event);
    }
    let rest = builder.take_inlines();
    if !rest.is_empty() {
        builder.blocks.push(Block::Paragraph(rest));
    }
    builder.blocks
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(t: &str) -> Inline {
        Inline::Text(t.to_owned())
    }

    #[test]
    fn paragraphs_lists_links_and_emphasis() {
        let parsed = blocks(
            "Three customers are **over their limit**:\n\n\
             - Bakery *Zoet*\n- [Harbour B.V.](https://erp.example/web#id=7&model=res.partner)\n\n\
             Use `credit_check` for more.",
        );
        assert_eq!(
            parsed,
            vec![
                Block::Paragraph(vec![
                    text("Three customers are "),
                    Inline::Bold("over their limit".to_owned()),
                    text(":"),
                ]),
                Block::List {
                    ordered: false,
                    items: vec![
                        vec![text("Bakery "), Inline::Italic("Zoet".to_owned())],
                        vec![Inline::Link {
                            label: "Harbour B.V.".to_owned(),
                            url: "https://erp.example/web#id=7&model=res.partner".to_owned(),
                        }],
                    ],
                },
                Block::Paragraph(vec![
                    text("Use "),
                    Inline::Code("credit_check".to_owned()),
                    text(" for more."),
                ]),
            ]
        );
    }

    #[test]
    fn tables_become_cells_of_plain_text() {
        let parsed = blocks(
            "| Customer | Overdue |\n|---|---:|\n| **Harbour** | 1,250.00 |\n| [Zoet](https://x/1) | 80.00 |\n",
        );
        assert_eq!(
            parsed,
            vec![Block::Table {
                header: vec!["Customer".to_owned(), "Overdue".to_owned()],
                rows: vec![
                    vec!["Harbour".to_owned(), "1,250.00".to_owned()],
                    vec!["Zoet (https://x/1)".to_owned(), "80.00".to_owned()],
                ],
            }]
        );
    }

    #[test]
    fn html_from_the_model_stays_text() {
        let parsed = blocks("<script>alert(1)</script>\n\nok <b>x</b>");
        let all: String = parsed
            .iter()
            .map(|b| match b {
                Block::Paragraph(i) => plain_text(i),
                Block::Code(c) => c.clone(),
                _ => String::new(),
            })
            .collect();
        assert!(all.contains("<script>alert(1)</script>"), "{all}");
        assert!(all.contains("<b>"), "{all}");
    }
}
