//! One `SELECT` of a translated step, and how it is laid out so a person can read it.

/// The parts of a step's `SELECT`.
#[derive(Debug, Clone, Default)]
pub(crate) struct Select {
    pub distinct: bool,
    pub items: Vec<String>,
    pub from: String,
    pub filter: Option<String>,
    pub group_by: Vec<String>,
    pub order_by: Option<String>,
    pub limit: Option<String>,
    /// A whole statement written out already (a `UNION ALL`), used instead of the parts.
    pub verbatim: Option<String>,
}

impl Select {
    /// `SELECT * FROM from`.
    pub fn star(from: &str) -> Select {
        Select { items: vec!["*".into()], from: from.into(), ..Select::default() }
    }

    /// `SELECT items FROM from`.
    pub fn of(items: Vec<String>, from: &str) -> Select {
        Select { items, from: from.into(), ..Select::default() }
    }

    /// The statement, indented by `level` steps of four spaces.
    pub fn render(&self, level: usize) -> String {
        let pad = "    ".repeat(level);
        if let Some(text) = &self.verbatim {
            return text.lines().map(|l| format!("{pad}{l}")).collect::<Vec<_>>().join("\n");
        }
        let mut out = format!("{pad}SELECT{}", if self.distinct { " DISTINCT" } else { "" });
        let short = self.items.iter().map(String::len).sum::<usize>() + self.items.len() * 2 < 70
            && self.items.iter().all(|i| !i.contains('\n'));
        if short {
            out.push(' ');
            out.push_str(&self.items.join(", "));
        } else {
            let inner = "    ".repeat(level + 1);
            let items: Vec<String> = self
                .items
                .iter()
                .map(|i| format!("{inner}{}", i.replace('\n', &format!("\n{inner}"))))
                .collect();
            out.push('\n');
            out.push_str(&items.join(",\n"));
        }
        if !self.from.is_empty() {
            out.push_str(&format!("\n{pad}FROM {}", self.from.replace('\n', &format!("\n{pad}"))));
        }
        if let Some(filter) = &self.filter {
            out.push_str(&format!("\n{pad}WHERE {}", filter.replace('\n', &format!("\n{pad}"))));
        }
        if !self.group_by.is_empty() {
            out.push_str(&format!("\n{pad}GROUP BY {}", self.group_by.join(", ")));
        }
        if let Some(order) = &self.order_by {
            out.push_str(&format!("\n{pad}ORDER BY {order}"));
        }
        if let Some(limit) = &self.limit {
            out.push_str(&format!("\n{pad}LIMIT {limit}"));
        }
        out
    }
}
