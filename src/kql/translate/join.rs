//! `join` with Kusto's flavours: `innerunique` (the default) keeps one left row per key
//! before joining, the anti and semi kinds are `NOT EXISTS` / `EXISTS` subqueries that return
//! one side's columns only, and the inner and outer kinds return the left columns and then
//! the right ones, a right column whose name is taken getting a `1` (or `2`, ...) suffix.

use super::super::Fault;
use super::super::ast::{JoinKey, JoinKind};
use super::super::types::Type;
use super::{Column, Rel, Select, Translator, free_name, ident};

impl Translator<'_> {
    pub(crate) fn join(
        &mut self,
        kind: JoinKind,
        left: Rel,
        right: Rel,
        on: &[JoinKey],
        at: usize,
        end: usize,
    ) -> Result<Rel, Fault> {
        self.join_or_lookup(kind, left, right, on, (at, end), false)
    }

    /// `lookup`: a `leftouter` (or, with `kind=inner`, an `inner`) join that keeps every
    /// matching right row and leaves out the right side's key columns.
    pub(crate) fn lookup(
        &mut self,
        outer: bool,
        left: Rel,
        right: Rel,
        on: &[JoinKey],
        at: usize,
        end: usize,
    ) -> Result<Rel, Fault> {
        let kind = if outer { JoinKind::LeftOuter } else { JoinKind::Inner };
        self.join_or_lookup(kind, left, right, on, (at, end), true)
    }

    fn join_or_lookup(
        &mut self,
        kind: JoinKind,
        left: Rel,
        right: Rel,
        on: &[JoinKey],
        (at, end): (usize, usize),
        lookup: bool,
    ) -> Result<Rel, Fault> {
        let mut pairs = Vec::new();
        for key in on {
            let l = left.column(&key.left).ok_or_else(|| {
                Fault::refuse(
                    key.offset,
                    &format!("unknown column `{}` on the left side of the join", key.left),
                )
            })?;
            let r = right.column(&key.right).ok_or_else(|| {
                Fault::refuse(
                    key.offset,
                    &format!("unknown column `{}` on the right side of the join", key.right),
                )
            })?;
            let comparable = l.ty == r.ty || l.ty.is_integer() && r.ty.is_integer();
            if !comparable || l.ty == Type::Dynamic {
                return Err(Fault::refuse(
                    key.offset,
                    &format!(
                        "join keys `{}` ({}) and `{}` ({}) must have one scalar type",
                        l.name, l.ty, r.name, r.ty
                    ),
                ));
            }
            // Kusto's joins match a null key with a null key; strings are never null.
            let equal = if l.ty == Type::String { "=" } else { "IS NOT DISTINCT FROM" };
            pairs.push((l.name.clone(), r.name.clone(), equal));
        }
        let matches = |l: &str, r: &str| {
            pairs
                .iter()
                .map(|(a, b, equal)| format!("({r}.{} {equal} {l}.{})", ident(b), ident(a)))
                .collect::<Vec<_>>()
                .join(" AND ")
        };

        match kind {
            JoinKind::LeftAnti | JoinKind::LeftSemi | JoinKind::RightAnti | JoinKind::RightSemi => {
                let keep_left = matches!(kind, JoinKind::LeftAnti | JoinKind::LeftSemi);
                let anti = matches!(kind, JoinKind::LeftAnti | JoinKind::RightAnti);
                let (kept, other) = if keep_left { (&left, &right) } else { (&right, &left) };
                let condition = if keep_left {
                    matches("kept", "other")
                } else {
                    pairs
                        .iter()
                        .map(|(a, b, equal)| {
                            format!("(other.{} {equal} kept.{})", ident(a), ident(b))
                        })
                        .collect::<Vec<_>>()
                        .join(" AND ")
                };
                let exists = if anti { "NOT EXISTS" } else { "EXISTS" };
                let select = Select {
                    filter: Some(format!(
                        "{exists} (SELECT 1 FROM {} AS other WHERE {condition})",
                        other.name
                    )),
                    ..Select::of(
                        kept.columns.iter().map(|c| format!("kept.{}", ident(&c.name))).collect(),
                        &format!("{} AS kept", kept.name),
                    )
                };
                let label = match kind {
                    JoinKind::LeftAnti => "leftanti",
                    JoinKind::LeftSemi => "leftsemi",
                    JoinKind::RightAnti => "rightanti",
                    _ => "rightsemi",
                };
                Ok(self.emit(&format!("join_{label}"), at, end, select, kept.columns.clone()))
            }
            _ => {
                let left = if kind == JoinKind::InnerUnique {
                    self.unique_left(&left, &pairs, at, end)
                } else {
                    left
                };
                let (left_nullable, right_nullable) = match kind {
                    JoinKind::LeftOuter => (false, true),
                    JoinKind::RightOuter => (true, false),
                    JoinKind::FullOuter => (true, true),
                    _ => (false, false),
                };
                let mut columns = Vec::new();
                let mut items = Vec::new();
                for c in &left.columns {
                    items.push(column_item("l", c, &c.name, left_nullable));
                    columns.push(c.clone());
                }
                for c in &right.columns {
                    if lookup && on.iter().any(|key| key.right == c.name) {
                        continue;
                    }
                    let name = free_name(&c.name, &columns);
                    items.push(column_item("r", c, &name, right_nullable));
                    columns.push(Column { name, ty: c.ty });
                }
                let sql_kind = match kind {
                    JoinKind::LeftOuter => "LEFT JOIN",
                    JoinKind::RightOuter => "RIGHT JOIN",
                    JoinKind::FullOuter => "FULL JOIN",
                    _ => "JOIN",
                };
                let from = format!(
                    "{} AS l\n{sql_kind} {} AS r ON {}",
                    left.name,
                    right.name,
                    matches("l", "r")
                );
                let label = match kind {
                    _ if lookup => "lookup",
                    JoinKind::InnerUnique => "join_innerunique",
                    JoinKind::Inner => "join_inner",
                    JoinKind::LeftOuter => "join_leftouter",
                    JoinKind::RightOuter => "join_rightouter",
                    _ => "join_fullouter",
                };
                Ok(self.emit(label, at, end, Select::of(items, &from), columns))
            }
        }
    }

    /// One row per left key, as `innerunique` joins: which row is kept is unspecified, as in
    /// Kusto.
    fn unique_left(
        &mut self,
        left: &Rel,
        pairs: &[(String, String, &str)],
        at: usize,
        end: usize,
    ) -> Rel {
        let keys: Vec<String> = pairs.iter().map(|(l, _, _)| ident(l)).collect();
        let ranked = format!(
            "(\n    SELECT *, row_number() OVER (PARTITION BY {}) AS kql_rank\n    FROM {}\n) AS ranked",
            keys.join(", "),
            left.name
        );
        let items = left.column_items();
        let select = Select { filter: Some("kql_rank = 1".into()), ..Select::of(items, &ranked) };
        self.emit("unique_left", at, end, select, left.columns.clone())
    }
}

/// `side."column" AS "name"`, with a string from the side an outer join may leave empty
/// read as `""`.
fn column_item(side: &str, column: &Column, name: &str, nullable: bool) -> String {
    let value = format!("{side}.{}", ident(&column.name));
    // A string is "" where the other side has no row; a guid, like other types, is null.
    let value = if nullable && column.ty == Type::String {
        format!("coalesce({value}, '')")
    } else {
        value
    };
    if value == format!("{side}.{}", ident(name)) {
        value
    } else {
        format!("{value} AS {}", ident(name))
    }
}
