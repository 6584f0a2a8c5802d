//! The Kusto types a translated column can have, how SQL holds each of them, and how they
//! combine in arithmetic.

use std::fmt;

use crate::schema::KustoType;

/// A scalar type as Kusto names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Type {
    String,
    Long,
    Int,
    Real,
    Bool,
    DateTime,
    Timespan,
    Dynamic,
    Guid,
    Decimal,
}

impl Type {
    /// The type called `name` in a `datatable` or a parameter list.
    pub fn parse(name: &str) -> Option<Type> {
        Some(match name {
            "string" => Type::String,
            "long" | "int64" => Type::Long,
            "int" | "int32" => Type::Int,
            "real" | "double" => Type::Real,
            "bool" | "boolean" => Type::Bool,
            "datetime" | "date" => Type::DateTime,
            "timespan" | "time" => Type::Timespan,
            "dynamic" => Type::Dynamic,
            "guid" | "uuid" | "uniqueid" => Type::Guid,
            "decimal" => Type::Decimal,
            _ => return None,
        })
    }

    /// The Kusto type of a catalogued column.
    pub fn of_catalogue(kind: KustoType) -> Type {
        // By name, so that types the catalogue gains later map without a change here.
        Type::parse(kind.name()).unwrap_or(Type::Dynamic)
    }

    /// Kusto's name of the type.
    pub fn name(self) -> &'static str {
        match self {
            Type::String => "string",
            Type::Long => "long",
            Type::Int => "int",
            Type::Real => "real",
            Type::Bool => "bool",
            Type::DateTime => "datetime",
            Type::Timespan => "timespan",
            Type::Dynamic => "dynamic",
            Type::Guid => "guid",
            Type::Decimal => "decimal",
        }
    }

    /// The SQL type a value of this Kusto type is cast to. A dynamic value is JSON text, a
    /// timespan a count of nanoseconds as an Arrow duration.
    pub fn sql(self) -> &'static str {
        match self {
            Type::String | Type::Dynamic | Type::Guid => "VARCHAR",
            Type::Long => "BIGINT",
            Type::Int => "INT",
            Type::Real => "DOUBLE",
            Type::Bool => "BOOLEAN",
            Type::DateTime => "TIMESTAMP",
            Type::Timespan => "BIGINT",
            Type::Decimal => "DECIMAL(38, 10)",
        }
    }

    /// True for long, int, real and decimal.
    pub fn is_numeric(self) -> bool {
        matches!(self, Type::Long | Type::Int | Type::Real | Type::Decimal)
    }

    /// True for the integer types.
    pub fn is_integer(self) -> bool {
        matches!(self, Type::Long | Type::Int)
    }

    /// The type of `a op b` for the arithmetic operators over numbers: a real makes it real,
    /// two integers make a long (Kusto's int + int is a long).
    pub fn numeric_result(a: Type, b: Type) -> Type {
        match (a, b) {
            (Type::Real, _) | (_, Type::Real) => Type::Real,
            (Type::Decimal, _) | (_, Type::Decimal) => Type::Decimal,
            _ => Type::Long,
        }
    }
}

impl fmt::Display for Type {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}
