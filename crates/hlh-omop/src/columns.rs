//! Reading the columns of collected query results into Rust values.

use datafusion::arrow::array::{Array, ArrayRef, AsArray};
use datafusion::arrow::compute::cast;
use datafusion::arrow::datatypes::{DataType, Date32Type, Float64Type, Int64Type};
use datafusion::arrow::record_batch::RecordBatch;
use jiff::civil::Date;
use jiff::ToSpan;

/// A 64-bit integer column (ids), nulls as `None`.
pub fn ids(batch: &RecordBatch, index: usize) -> Vec<Option<i64>> {
    let column =
        cast(batch.column(index), &DataType::Int64).unwrap_or_else(|_| batch.column(index).clone());
    let values = column.as_primitive::<Int64Type>();
    (0..values.len())
        .map(|i| values.is_valid(i).then(|| values.value(i)))
        .collect()
}

pub fn numbers(batch: &RecordBatch, index: usize) -> Vec<Option<f64>> {
    let column = cast(batch.column(index), &DataType::Float64)
        .unwrap_or_else(|_| batch.column(index).clone());
    let values = column.as_primitive::<Float64Type>();
    (0..values.len())
        .map(|i| values.is_valid(i).then(|| values.value(i)))
        .collect()
}

pub fn texts(batch: &RecordBatch, index: usize) -> Vec<Option<String>> {
    let column: ArrayRef =
        cast(batch.column(index), &DataType::Utf8).unwrap_or_else(|_| batch.column(index).clone());
    let values = column.as_string::<i32>();
    (0..values.len())
        .map(|i| values.is_valid(i).then(|| values.value(i).to_string()))
        .collect()
}

/// Dates: days since 1970-01-01 as Arrow stores them.
pub fn dates(batch: &RecordBatch, index: usize) -> Vec<Option<Date>> {
    let column = cast(batch.column(index), &DataType::Date32)
        .unwrap_or_else(|_| batch.column(index).clone());
    let values = column.as_primitive::<Date32Type>();
    (0..values.len())
        .map(|i| {
            values
                .is_valid(i)
                .then(|| values.value(i))
                .and_then(date_from_days)
        })
        .collect()
}

pub fn date_from_days(days: i32) -> Option<Date> {
    Date::new(1970, 1, 1)
        .ok()?
        .checked_add(i64::from(days).days())
        .ok()
}

/// Days since 1970-01-01, for writing Date32 columns.
pub fn days_from_date(date: Date) -> i32 {
    let epoch = Date::new(1970, 1, 1).unwrap_or_default();
    (date - epoch).get_days()
}
