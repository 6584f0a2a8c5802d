//! One source row typed by lakehunt's schema catalogue: every catalogued column converted
//! to its Kusto type, the columns the catalogue does not know kept as text (exports add
//! columns over time, and nothing a user owns is dropped), and the row's `Timestamp`, which
//! decides its date partition. A row with a value that does not fit, or without a
//! `Timestamp`, is refused whole with the reason, and goes to the quarantine.

use std::collections::HashMap;

use crate::schema::{KustoType, TableDef};

use super::value::{Cell, Raw, text_of, typed};

/// A row ready for its table's buffer.
#[derive(Debug, Clone, PartialEq)]
pub struct TypedRow {
    /// `Timestamp`, in nanoseconds since the epoch (UTC).
    pub timestamp: i64,
    /// One cell per catalogued column, in the catalogue's order.
    pub cells: Vec<Cell>,
    /// Columns the catalogue does not have, by name, as text.
    pub extras: Vec<(String, String)>,
}

/// A catalogued table with its columns indexed by name, built once per table and run.
#[derive(Debug)]
pub struct RowTyper {
    table: &'static TableDef,
    positions: HashMap<&'static str, usize>,
    timestamp: usize,
}

impl RowTyper {
    /// Indexes `table`'s columns; `None` for a table without a datetime `Timestamp`, which
    /// ingest cannot partition.
    pub fn new(table: &'static TableDef) -> Option<RowTyper> {
        let positions: HashMap<&'static str, usize> =
            table.columns.iter().enumerate().map(|(i, c)| (c.name, i)).collect();
        let timestamp = *positions.get("Timestamp")?;
        (table.columns[timestamp].kind == KustoType::DateTime).then_some(RowTyper {
            table,
            positions,
            timestamp,
        })
    }

    /// The table this typer types rows of.
    pub fn table(&self) -> &'static TableDef {
        self.table
    }

    /// Whether the catalogue has column `name`.
    pub fn knows(&self, name: &str) -> bool {
        self.positions.contains_key(name)
    }

    /// Types the `(column, value)` pairs of one row; the error names the column and quotes
    /// the value that does not fit.
    pub fn type_row<'a>(
        &self,
        fields: impl Iterator<Item = (&'a str, Raw<'a>)>,
    ) -> Result<TypedRow, String> {
        let mut cells = vec![Cell::Null; self.table.columns.len()];
        let mut extras = Vec::new();
        for (name, raw) in fields {
            match self.positions.get(name) {
                Some(&i) => {
                    let kind = self.table.columns[i].kind;
                    cells[i] =
                        typed(raw, kind).map_err(|reason| format!("column {name}: {reason}"))?;
                }
                None if matches!(raw, Raw::Json(serde_json::Value::Null)) => {}
                None => extras.push((name.to_string(), text_of(raw))),
            }
        }
        match cells[self.timestamp] {
            Cell::Time(timestamp) => Ok(TypedRow { timestamp, cells, extras }),
            _ => {
                Err("no Timestamp: a row must say when it happened to find its date partition"
                    .into())
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schema;
    use serde_json::json;

    fn typer() -> RowTyper {
        RowTyper::new(schema::table("DeviceLogonEvents").unwrap()).unwrap()
    }

    #[test]
    fn catalogued_columns_are_typed_and_others_kept_as_text() {
        let port = json!(3389);
        let extra = json!({"a": 1});
        let fields = vec![
            ("Timestamp", Raw::Text("2026-01-01T00:00:00Z")),
            ("RemotePort", Raw::Json(&port)),
            ("NewColumn", Raw::Json(&extra)),
        ];
        let row = typer().type_row(fields.into_iter()).unwrap();
        assert_eq!(row.timestamp, 1_767_225_600_000_000_000);
        assert_eq!(row.cells[15], Cell::Int(3389));
        assert_eq!(row.extras, vec![("NewColumn".to_string(), r#"{"a":1}"#.to_string())]);
    }

    #[test]
    fn a_row_without_a_timestamp_is_refused() {
        let fields = vec![("DeviceId", Raw::Text("d1"))];
        assert!(typer().type_row(fields.into_iter()).unwrap_err().contains("no Timestamp"));
    }

    #[test]
    fn a_misfit_names_its_column() {
        let fields =
            vec![("Timestamp", Raw::Text("2026-01-01T00:00:00Z")), ("LogonId", Raw::Text("x"))];
        let reason = typer().type_row(fields.into_iter()).unwrap_err();
        assert!(reason.starts_with("column LogonId: \"x\" is not a Kusto long"), "{reason}");
    }
}
