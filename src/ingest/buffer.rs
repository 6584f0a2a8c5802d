//! Rows of one table and one UTC day gathered before they are written: Arrow builders of the
//! catalogue's types, plus text builders for the columns the catalogue does not know. A
//! buffer becomes one record batch with exactly the catalogue's columns and types (then the
//! extra columns by name), its rows sorted by `Timestamp`.

use std::collections::BTreeMap;
use std::sync::Arc;

use chrono::{DateTime, NaiveDate};
use datafusion::arrow::array::{
    ArrayBuilder, ArrayRef, BooleanBuilder, Float64Builder, Int32Builder, Int64Builder,
    RecordBatch, StringBuilder, TimestampNanosecondBuilder,
};
use datafusion::arrow::compute::{SortOptions, sort_to_indices, take_record_batch};
use datafusion::arrow::datatypes::{DataType, Field, Schema};
use datafusion::arrow::error::ArrowError;

use crate::schema::{KustoType, TableDef};

use super::row::TypedRow;
use super::value::Cell;

/// The UTC day of a timestamp in nanoseconds.
pub fn day_of(nanos: i64) -> NaiveDate {
    DateTime::from_timestamp_nanos(nanos).date_naive()
}

/// The rows of one table and day not yet written.
pub struct DayBuffer {
    table: &'static TableDef,
    columns: Vec<ColumnBuilder>,
    extras: BTreeMap<String, StringBuilder>,
    rows: usize,
}

enum ColumnBuilder {
    Text(StringBuilder),
    Time(TimestampNanosecondBuilder),
    Bool(BooleanBuilder),
    Int(Int32Builder),
    Long(Int64Builder),
    Real(Float64Builder),
}

impl ColumnBuilder {
    fn new(kind: KustoType) -> ColumnBuilder {
        match kind {
            KustoType::String | KustoType::Dynamic => ColumnBuilder::Text(StringBuilder::new()),
            KustoType::DateTime => ColumnBuilder::Time(TimestampNanosecondBuilder::new()),
            KustoType::Bool => ColumnBuilder::Bool(BooleanBuilder::new()),
            KustoType::Int => ColumnBuilder::Int(Int32Builder::new()),
            KustoType::Long => ColumnBuilder::Long(Int64Builder::new()),
            KustoType::Real => ColumnBuilder::Real(Float64Builder::new()),
        }
    }

    /// Appends `cell`. Cells were typed by the same column's Kusto type, so a cell of another
    /// type cannot arrive; were one to, it would be stored as null rather than misplaced.
    fn append(&mut self, cell: Cell) {
        match (self, cell) {
            (ColumnBuilder::Text(b), Cell::Text(v)) => b.append_value(v),
            (ColumnBuilder::Time(b), Cell::Time(v)) => b.append_value(v),
            (ColumnBuilder::Bool(b), Cell::Bool(v)) => b.append_value(v),
            (ColumnBuilder::Int(b), Cell::Int(v)) => b.append_value(v),
            (ColumnBuilder::Long(b), Cell::Long(v)) => b.append_value(v),
            (ColumnBuilder::Real(b), Cell::Real(v)) => b.append_value(v),
            (ColumnBuilder::Text(b), _) => b.append_null(),
            (ColumnBuilder::Time(b), _) => b.append_null(),
            (ColumnBuilder::Bool(b), _) => b.append_null(),
            (ColumnBuilder::Int(b), _) => b.append_null(),
            (ColumnBuilder::Long(b), _) => b.append_null(),
            (ColumnBuilder::Real(b), _) => b.append_null(),
        }
    }

    fn finish(&mut self) -> ArrayRef {
        match self {
            ColumnBuilder::Text(b) => Arc::new(b.finish()),
            ColumnBuilder::Time(b) => Arc::new(b.finish().with_timezone("UTC")),
            ColumnBuilder::Bool(b) => Arc::new(b.finish()),
            ColumnBuilder::Int(b) => Arc::new(b.finish()),
            ColumnBuilder::Long(b) => Arc::new(b.finish()),
            ColumnBuilder::Real(b) => Arc::new(b.finish()),
        }
    }
}

impl DayBuffer {
    /// An empty buffer for `table`.
    pub fn new(table: &'static TableDef) -> DayBuffer {
        let columns = table.columns.iter().map(|c| ColumnBuilder::new(c.kind)).collect();
        DayBuffer { table, columns, extras: BTreeMap::new(), rows: 0 }
    }

    /// Rows buffered.
    pub fn rows(&self) -> usize {
        self.rows
    }

    /// Adds one row; a column first seen now reads as null in the rows before it.
    pub fn push(&mut self, row: TypedRow) {
        for (builder, cell) in self.columns.iter_mut().zip(row.cells) {
            builder.append(cell);
        }
        let rows_before = self.rows;
        for (name, value) in row.extras {
            let builder = self.extras.entry(name).or_insert_with(|| {
                let mut builder = StringBuilder::new();
                builder.append_nulls(rows_before);
                builder
            });
            builder.append_value(value);
        }
        self.rows += 1;
        for builder in self.extras.values_mut() {
            if builder.len() < self.rows {
                builder.append_null();
            }
        }
    }

    /// The buffered rows as one batch sorted by `Timestamp`; the buffer is empty afterwards.
    pub fn take_batch(&mut self) -> Result<RecordBatch, ArrowError> {
        let mut fields = Vec::with_capacity(self.columns.len() + self.extras.len());
        let mut arrays = Vec::with_capacity(fields.capacity());
        for (column, builder) in self.table.columns.iter().zip(&mut self.columns) {
            fields.push(Field::new(column.name, column.kind.arrow_type(), true));
            arrays.push(builder.finish());
        }
        for (name, builder) in std::mem::take(&mut self.extras) {
            let mut builder = builder;
            fields.push(Field::new(name, DataType::Utf8, true));
            arrays.push(Arc::new(builder.finish()) as ArrayRef);
        }
        self.rows = 0;
        let batch = RecordBatch::try_new(Arc::new(Schema::new(fields)), arrays)?;
        let timestamp = batch.schema().index_of("Timestamp")?;
        let order = SortOptions { descending: false, nulls_first: false };
        let indices = sort_to_indices(batch.column(timestamp), Some(order), None)?;
        take_record_batch(&batch, &indices)
    }
}
