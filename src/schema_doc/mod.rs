//! The archive's documentation as data: docs/schema.md, embedded in the binary and read into its tables, views
//! and columns with their descriptions. It is the one source of both the page people read and what tools are told
//! about the archive ([`datasette`] builds Datasette's metadata from it), and a test holds it to the schema a fresh
//! archive has, so the two cannot drift. It sits beside the archive and reads no database.
//!
//! What is read from the page:
//! - a `### `name`` heading (anything after the name, like ` (full-text search)`, is ignored) starts an object,
//!   under the `## ` section it is in; a section whose heading ends in `(internal)` holds internal tables;
//! - the first paragraph after the heading (with a list that follows it without a blank line) is the object's
//!   description;
//! - the rows of a Markdown table whose first header cell is `column` describe its columns: the first cell names
//!   one or more columns in backticks, the last cell is the meaning;
//! - a paragraph saying `Same columns as `other`` gives the object the columns of `other`.

pub mod datasette;

/// docs/schema.md as built into this binary.
pub const SCHEMA_MD: &str = include_str!("../../docs/schema.md");

/// One table or view the page documents.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DocTable {
    /// Its name in the archive.
    pub name: String,
    /// The `## ` section it is documented under.
    pub section: String,
    /// The first paragraph of its section, as plain text.
    pub description: String,
    /// Its documented columns, in the page's order.
    pub columns: Vec<DocColumn>,
    /// Documented under a section marked `(internal)`: bookkeeping, not archive data.
    pub internal: bool,
}

/// One documented column.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DocColumn {
    /// Its name.
    pub name: String,
    /// What it holds, as plain text.
    pub description: String,
}

impl DocTable {
    /// The documented column `name`, if any.
    pub fn column(&self, name: &str) -> Option<&DocColumn> {
        self.columns.iter().find(|c| c.name == name)
    }
}

/// The tables and views of docs/schema.md as built into this binary.
pub fn tables() -> Vec<DocTable> {
    parse(SCHEMA_MD)
}

/// Reads the tables and views a schema page documents (the format is in this module's doc).
pub fn parse(markdown: &str) -> Vec<DocTable> {
    let mut tables: Vec<DocTable> = Vec::new();
    let mut inherits: Vec<(usize, String)> = Vec::new();
    let mut section = String::new();
    let mut in_code = false;
    // The paragraph being read, whether it is the first of the current object, and whether the Markdown table
    // being read lists columns.
    let mut paragraph: Vec<&str> = Vec::new();
    let mut first_paragraph = false;
    let mut column_table: Option<bool> = None;
    // The object whose section this is: none under a `##` heading before its first `###`.
    let mut current: Option<usize> = None;
    for line in markdown.lines().chain(std::iter::once("")) {
        if line.starts_with("```") {
            in_code = !in_code;
            continue;
        }
        if in_code {
            continue;
        }
        let trimmed = line.trim();
        let ends_paragraph = trimmed.is_empty() || trimmed.starts_with('#') || trimmed.starts_with('|');
        if ends_paragraph && !paragraph.is_empty() {
            if let Some(table) = current.map(|i| &mut tables[i]) {
                let text = plain(&paragraph.join(" "));
                if let Some((_, other)) = text.split_once("Same columns as ") {
                    let other = other
                        .split_whitespace()
                        .next()
                        .unwrap_or("")
                        .trim_end_matches(['.', ',']);
                    inherits.extend(current.map(|i| (i, other.to_owned())));
                }
                if first_paragraph {
                    table.description = text;
                    first_paragraph = false;
                }
            }
            paragraph.clear();
        }
        if let Some(heading) = trimmed.strip_prefix("## ") {
            section = heading.trim().to_owned();
            first_paragraph = false;
            current = None;
            continue;
        }
        if let Some(heading) = trimmed.strip_prefix("### ") {
            first_paragraph = false;
            current = None;
            if let Some(name) = heading.strip_prefix('`').and_then(|h| h.split('`').next()) {
                current = Some(tables.len());
                tables.push(DocTable {
                    name: name.to_owned(),
                    section: section.clone(),
                    description: String::new(),
                    columns: Vec::new(),
                    internal: section.ends_with("(internal)"),
                });
                first_paragraph = true;
            }
            continue;
        }
        if trimmed.starts_with('|') {
            let cells = cells(trimmed);
            match column_table {
                None => column_table = Some(cells.first().is_some_and(|c| *c == "column")),
                Some(true) if !cells.iter().all(|c| c.chars().all(|ch| ch == '-' || ch == ':')) => {
                    if let (Some(table), Some(names), Some(meaning)) =
                        (current.map(|i| &mut tables[i]), cells.first(), cells.last())
                    {
                        for name in names
                            .split(',')
                            .filter_map(|n| n.trim().strip_prefix('`')?.strip_suffix('`'))
                        {
                            table.columns.push(DocColumn {
                                name: name.to_owned(),
                                description: plain(meaning),
                            });
                        }
                    }
                }
                Some(_) => {}
            }
            continue;
        }
        column_table = None;
        if !trimmed.is_empty() && current.is_some() {
            // A list right under a sentence ending in a colon is part of the paragraph.
            paragraph.push(trimmed.strip_prefix("- ").unwrap_or(trimmed));
        }
    }
    for (index, other) in inherits {
        if let Some(columns) = tables.iter().find(|t| t.name == other).map(|t| t.columns.clone()) {
            tables[index].columns.extend(columns);
        }
    }
    tables
}

/// The cells of one Markdown table row, trimmed.
fn cells(row: &str) -> Vec<&str> {
    let inner = row.trim().trim_start_matches('|').trim_end_matches('|');
    inner.split('|').map(str::trim).collect()
}

/// Markdown as plain text: code marks dropped, links reduced to their text, emphasis removed.
fn plain(markdown: &str) -> String {
    let mut out = String::with_capacity(markdown.len());
    let mut rest = markdown;
    while let Some(start) = rest.find('[') {
        out.push_str(&rest[..start]);
        let after = &rest[start + 1..];
        match after
            .find("](")
            .and_then(|close| Some((close, after[close..].find(')')? + close)))
        {
            Some((close, end)) => {
                out.push_str(&after[..close]);
                rest = &after[end + 1..];
            }
            None => {
                out.push('[');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out.replace('`', "").replace("**", "")
}

#[cfg(test)]
mod tests {
    use super::*;

    const PAGE: &str = "# Schema

## Things

### `users`

Every account,
on two lines:
- a list item
  continued.

A second paragraph.

| state | test |
|---|---|
| `partial` | no |

| column | type | meaning |
|---|---|---|
| `id` | TEXT | Primary key, see [`follows`](#follows). |
| `a`, `b` | TEXT | Two at **once**. |

```sql
### `not_a_table`
```

## Work (internal)

Work queues, not data.

| column | meaning |
|---|---|
| `not_a_column` | Of no table. |

### `users_staging`

Staged. Same columns as `users`.

### `chat_messages_fts` (full-text search)

An index.
";

    #[test]
    fn headings_paragraphs_and_column_rows_are_read() {
        let tables = parse(PAGE);
        let names: Vec<&str> = tables.iter().map(|t| t.name.as_str()).collect();
        assert_eq!(names, ["users", "users_staging", "chat_messages_fts"]);
        let users = &tables[0];
        assert_eq!(users.description, "Every account, on two lines: a list item continued.");
        assert_eq!((users.section.as_str(), users.internal), ("Things", false));
        let columns: Vec<(&str, &str)> = users
            .columns
            .iter()
            .map(|c| (c.name.as_str(), c.description.as_str()))
            .collect();
        assert_eq!(
            columns,
            [
                ("id", "Primary key, see follows."),
                ("a", "Two at once."),
                ("b", "Two at once.")
            ]
        );
        assert!(tables[1].internal);
        assert_eq!(tables[1].columns, users.columns, "inherited");
        assert_eq!(tables[2].description, "An index.");
    }

    /// Every table, view and column of a freshly migrated archive is on the page, and everything the page
    /// documents is in the archive: the page cannot drift from the migrations unnoticed.
    #[test]
    fn the_page_documents_exactly_the_schema_of_a_fresh_archive() {
        let dir = tempfile::tempdir().unwrap();
        let conn = crate::archive::db::open(&dir.path().join("itch.db")).unwrap();
        let mut stmt = conn
            .prepare(
                "SELECT m.name, p.name FROM sqlite_master m, pragma_table_info(m.name) p
                 WHERE m.type IN ('table', 'view') AND m.name NOT LIKE 'sqlite_%'
                   AND m.name NOT LIKE 'chat_messages_fts_%'
                 ORDER BY m.name, p.cid",
            )
            .unwrap();
        let schema: Vec<(String, String)> = stmt
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
            .unwrap()
            .map(Result::unwrap)
            .collect();
        let documented: Vec<(String, String)> = tables()
            .iter()
            .flat_map(|t| t.columns.iter().map(|c| (t.name.clone(), c.name.clone())))
            .collect();
        let undocumented: Vec<String> = schema
            .iter()
            .filter(|c| !documented.contains(c))
            .map(|(t, c)| format!("{t}.{c}"))
            .collect();
        let absent: Vec<String> = documented
            .iter()
            .filter(|c| !schema.contains(c))
            .map(|(t, c)| format!("{t}.{c}"))
            .collect();
        assert!(
            undocumented.is_empty(),
            "in the archive, not in docs/schema.md: {undocumented:?}"
        );
        assert!(absent.is_empty(), "in docs/schema.md, not in the archive: {absent:?}");
        let tables = tables();
        let empty: Vec<&str> = tables
            .iter()
            .filter(|t| t.description.is_empty())
            .map(|t| t.name.as_str())
            .collect();
        assert!(empty.is_empty(), "documented without a description: {empty:?}");
    }

    #[test]
    fn the_built_in_page_documents_the_main_tables() {
        let tables = tables();
        let users = tables.iter().find(|t| t.name == "users").unwrap();
        assert!(
            users
                .description
                .starts_with("Every Twitch account the archive has met"),
            "{users:?}"
        );
        assert!(users.column("login").unwrap().description.starts_with("Current login"));
        assert!(tables.iter().any(|t| t.name == "follows_staging" && t.internal));
    }
}
