//! One schema for a table whose files drifted: columns added or dropped over time, strings
//! stored as Utf8, LargeUtf8, Utf8View or dictionaries, timestamps in any unit with or without
//! a zone. Columns a file lacks read as null. What cannot be read as one type is not an
//! error yet: it is recorded as a [`ColumnProblem`] and reported only if a rule reads it.

use std::collections::BTreeMap;
use std::sync::Arc;

use datafusion::arrow::datatypes::{DataType, Field, Schema, SchemaRef};

use crate::schema::{KustoType, TableDef, utc_nanos};

/// A table's schema as lakehunt reads it, and what is wrong with some of its columns.
#[derive(Debug, Clone)]
pub struct TableSchema {
    pub schema: SchemaRef,
    pub problems: BTreeMap<String, ColumnProblem>,
}

/// Why a column cannot be read.
#[derive(Debug, Clone, PartialEq)]
pub enum ColumnProblem {
    /// The catalogue has the column but no file of the lake does.
    Missing,
    /// A file stores the column as a type that does not fit its Kusto type.
    WrongType { file: String, found: DataType, expected: &'static str },
    /// Two files store the column as types that cannot be read as one.
    Conflict { first_file: String, first: DataType, second_file: String, second: DataType },
}

/// The families of Arrow types that read as one another.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Family {
    Text,
    Time,
    Integer,
    Float,
    Bool,
    Nested,
    Other,
}

fn family(data_type: &DataType) -> Family {
    match data_type {
        DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View => Family::Text,
        DataType::Dictionary(_, value) => match family(value) {
            Family::Text => Family::Text,
            _ => Family::Other,
        },
        DataType::Timestamp(_, _) => Family::Time,
        DataType::Int8
        | DataType::Int16
        | DataType::Int32
        | DataType::Int64
        | DataType::UInt8
        | DataType::UInt16
        | DataType::UInt32 => Family::Integer,
        DataType::Float16 | DataType::Float32 | DataType::Float64 => Family::Float,
        DataType::Boolean => Family::Bool,
        DataType::List(_)
        | DataType::LargeList(_)
        | DataType::ListView(_)
        | DataType::LargeListView(_)
        | DataType::FixedSizeList(_, _)
        | DataType::Struct(_)
        | DataType::Map(_, _) => Family::Nested,
        _ => Family::Other,
    }
}

/// What a catalogued column accepts, said the way an error message says it.
fn accepts(kind: KustoType, found: Family) -> Result<(), &'static str> {
    let ok = match kind {
        KustoType::String => found == Family::Text,
        KustoType::DateTime => found == Family::Time,
        KustoType::Bool => found == Family::Bool,
        KustoType::Int | KustoType::Long => found == Family::Integer,
        KustoType::Real => matches!(found, Family::Float | Family::Integer),
        KustoType::Dynamic => matches!(found, Family::Text | Family::Nested),
    };
    if ok {
        return Ok(());
    }
    Err(match kind {
        KustoType::String => "a string (Utf8, LargeUtf8 or Utf8View)",
        KustoType::DateTime => "a timestamp",
        KustoType::Bool => "a boolean",
        KustoType::Int | KustoType::Long => "an integer",
        KustoType::Real => "a number",
        KustoType::Dynamic => "JSON text or a Parquet list, struct or map",
    })
}

/// The type a column of one family is read as; nested and unusual types keep their own.
fn read_type(family: Family, stored: &DataType) -> DataType {
    match family {
        Family::Text => DataType::Utf8View,
        Family::Time => utc_nanos(),
        Family::Integer => DataType::Int64,
        Family::Float => DataType::Float64,
        Family::Bool => DataType::Boolean,
        Family::Nested | Family::Other => stored.clone(),
    }
}

/// How each file stores one column, in the order the files were given.
struct Sightings<'a> {
    seen: Vec<(&'a str, &'a DataType)>,
}

/// The schema of a catalogued table none of whose files is read: every column, as the
/// catalogue types it.
pub fn catalogue_schema(def: &TableDef) -> TableSchema {
    let fields: Vec<Field> =
        def.columns.iter().map(|c| Field::new(c.name, catalogue_read_type(c.kind), true)).collect();
    TableSchema { schema: Arc::new(Schema::new(fields)), problems: BTreeMap::new() }
}

/// Unifies the schemas of a table's files into the schema lakehunt reads the table with.
///
/// Catalogued columns come first in Defender's order and are read as their Kusto type says;
/// other columns follow in the order they first appear.
pub fn unify(catalogue: Option<&TableDef>, files: &[(String, SchemaRef)]) -> TableSchema {
    let mut order: Vec<String> = Vec::new();
    let mut sightings: BTreeMap<String, Sightings<'_>> = BTreeMap::new();
    if let Some(def) = catalogue {
        order.extend(def.columns.iter().map(|c| c.name.to_string()));
    }
    for (file, schema) in files {
        for field in schema.fields() {
            let entry = sightings.entry(field.name().clone()).or_insert_with(|| {
                if catalogue.and_then(|d| d.column(field.name())).is_none() {
                    order.push(field.name().clone());
                }
                Sightings { seen: Vec::new() }
            });
            entry.seen.push((file.as_str(), field.data_type()));
        }
    }

    let mut fields = Vec::with_capacity(order.len());
    let mut problems = BTreeMap::new();
    for name in &order {
        let kind = catalogue.and_then(|d| d.column(name)).map(|c| c.kind);
        let seen = sightings.get(name).map(|s| s.seen.as_slice()).unwrap_or_default();
        if seen.is_empty() {
            // A catalogued column that no file has: absent from the schema, so that
            // `SELECT *` shows what the lake holds, and reported if a rule names it.
            problems.insert(name.clone(), ColumnProblem::Missing);
            continue;
        }
        let (data_type, problem) = column_type(kind, seen);
        if let Some(problem) = problem {
            problems.insert(name.clone(), problem);
        }
        fields.push(Field::new(name, data_type, true));
    }
    TableSchema { schema: Arc::new(Schema::new(fields)), problems }
}

fn column_type(
    kind: Option<KustoType>,
    seen: &[(&str, &DataType)],
) -> (DataType, Option<ColumnProblem>) {
    let Some(&(first_file, first)) = seen.first() else {
        return (kind.map_or(DataType::Utf8View, catalogue_read_type), None);
    };

    if let Some(kind) = kind {
        for &(file, stored) in seen {
            if let Err(expected) = accepts(kind, family(stored)) {
                let problem =
                    ColumnProblem::WrongType { file: file.into(), found: stored.clone(), expected };
                return (catalogue_read_type(kind), Some(problem));
            }
        }
    }

    let first_family = family(first);
    for &(file, stored) in &seen[1..] {
        let same = match first_family {
            Family::Nested | Family::Other => stored == first,
            f => family(stored) == f,
        };
        if !same {
            let problem = ColumnProblem::Conflict {
                first_file: first_file.into(),
                first: first.clone(),
                second_file: file.into(),
                second: stored.clone(),
            };
            return (read_type(first_family, first), Some(problem));
        }
    }

    let data_type = match kind {
        Some(KustoType::Dynamic) | None => read_type(first_family, first),
        Some(kind) => catalogue_read_type(kind),
    };
    (data_type, None)
}

/// The read type of a catalogued column: strings as views, everything else as Kusto types it.
fn catalogue_read_type(kind: KustoType) -> DataType {
    match kind {
        KustoType::String | KustoType::Dynamic => DataType::Utf8View,
        other => other.arrow_type(),
    }
}

#[cfg(test)]
mod tests {
    use datafusion::arrow::datatypes::TimeUnit;

    use super::*;
    use crate::schema;

    fn file(name: &str, fields: Vec<Field>) -> (String, SchemaRef) {
        (name.to_string(), Arc::new(Schema::new(fields)))
    }

    fn logons() -> &'static TableDef {
        schema::table("DeviceLogonEvents").unwrap()
    }

    #[test]
    fn strings_stored_three_ways_read_as_one_string_column() {
        let files = [
            file("a", vec![Field::new("RemoteIP", DataType::Utf8, true)]),
            file("b", vec![Field::new("RemoteIP", DataType::LargeUtf8, true)]),
            file("c", vec![Field::new("RemoteIP", DataType::Utf8View, true)]),
        ];
        let unified = unify(Some(logons()), &files);
        let field = unified.schema.field_with_name("RemoteIP").unwrap();
        assert_eq!(field.data_type(), &DataType::Utf8View);
        assert!(!unified.problems.contains_key("RemoteIP"));
    }

    #[test]
    fn timestamps_in_any_unit_and_zone_read_as_utc_nanoseconds() {
        let files = [
            file(
                "a",
                vec![Field::new(
                    "Timestamp",
                    DataType::Timestamp(TimeUnit::Millisecond, None),
                    true,
                )],
            ),
            file(
                "b",
                vec![Field::new(
                    "Timestamp",
                    DataType::Timestamp(TimeUnit::Microsecond, Some("+00:00".into())),
                    true,
                )],
            ),
        ];
        let unified = unify(Some(logons()), &files);
        assert_eq!(unified.schema.field_with_name("Timestamp").unwrap().data_type(), &utc_nanos());
        assert!(unified.problems.is_empty() || !unified.problems.contains_key("Timestamp"));
    }

    #[test]
    fn a_catalogued_column_no_file_has_is_missing() {
        let files = [file("a", vec![Field::new("RemoteIP", DataType::Utf8, true)])];
        let unified = unify(Some(logons()), &files);
        assert_eq!(unified.problems.get("AccountName"), Some(&ColumnProblem::Missing));
        assert_eq!(unified.schema.fields().len(), 1);
    }

    #[test]
    fn a_number_where_a_string_belongs_names_the_file() {
        let files = [
            file("good.parquet", vec![Field::new("RemoteIP", DataType::Utf8, true)]),
            file("bad.parquet", vec![Field::new("RemoteIP", DataType::Int64, true)]),
        ];
        let unified = unify(Some(logons()), &files);
        assert!(matches!(
            unified.problems.get("RemoteIP"),
            Some(ColumnProblem::WrongType { file, .. }) if file == "bad.parquet"
        ));
    }

    #[test]
    fn json_as_text_in_one_file_and_a_list_in_another_conflict() {
        let list = DataType::new_list(DataType::Utf8, true);
        let files = [
            file("text.parquet", vec![Field::new("IPAddresses", DataType::Utf8, true)]),
            file("list.parquet", vec![Field::new("IPAddresses", list, true)]),
        ];
        let def = schema::table("DeviceNetworkInfo");
        let unified = unify(def, &files);
        assert!(matches!(
            unified.problems.get("IPAddresses"),
            Some(ColumnProblem::Conflict { second_file, .. }) if second_file == "list.parquet"
        ));
    }

    #[test]
    fn uncatalogued_columns_follow_in_first_seen_order() {
        let files = [
            file("a", vec![Field::new("Zeta", DataType::Int32, true)]),
            file(
                "b",
                vec![
                    Field::new("Alpha", DataType::Utf8, true),
                    Field::new("Zeta", DataType::Int64, true),
                ],
            ),
        ];
        let unified = unify(None, &files);
        let names: Vec<_> = unified.schema.fields().iter().map(|f| f.name().clone()).collect();
        assert_eq!(names, ["Zeta", "Alpha"]);
        assert_eq!(unified.schema.field(0).data_type(), &DataType::Int64);
    }
}
