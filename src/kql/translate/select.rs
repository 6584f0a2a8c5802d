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
            return format!("{pad}{}", indent(text, &pad));
        }
        let mut out = format!("{pad}SELECT{}", if self.distinct { " DISTINCT" } else { "" });
        let short = self.items.iter().map(String::len).sum::<usize>() + self.items.len() * 2 < 70
            && self.items.iter().all(|i| !i.contains('\n'));
        if short {
            out.push(' ');
            out.push_str(&self.items.join(", "));
        } else {
            let inner = "    ".repeat(level + 1);
            let items: Vec<String> =
                self.items.iter().map(|i| format!("{inner}{}", indent(i, &inner))).collect();
            out.push('\n');
            out.push_str(&items.join(",\n"));
        }
        if !self.from.is_empty() {
            out.push_str(&format!("\n{pad}FROM {}", indent(&self.from, &pad)));
        }
        if let Some(filter) = &self.filter {
            out.push_str(&format!("\n{pad}WHERE {}", indent(filter, &pad)));
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

/// `text` with `pad` after each line break outside quotes, so that laying a statement out
/// never changes a string literal (or a quoted name) that holds a line break.
fn indent(text: &str, pad: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut quote = None;
    for c in text.chars() {
        out.push(c);
        match (quote, c) {
            (None, '\'' | '"') => quote = Some(c),
            (Some(open), _) if c == open => quote = None,
            (None, '\n') => out.push_str(pad),
            _ => {}
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_breaks_inside_literals_are_not_indented() {
        let text = "concat('a\nb', \"x\ny\")\n|| 'it''s'\nFROM t";
        assert_eq!(indent(text, "  "), "concat('a\nb', \"x\ny\")\n  || 'it''s'\n  FROM t");
    }
}
