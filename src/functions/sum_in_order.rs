//! `kql_sum_in_order(x)`: the sum of reals added one after another in the order the rows come,
//! as Kusto adds them. DataFusion's `sum` of a whole column adds in several lanes at once,
//! which rounds differently (`1.1 + 2.2 + 3.3` is 6.6 in order, 6.6000000000000005 in lanes);
//! grouped sums already add in order, so the translator uses this for `summarize` without
//! `by`. Null when no value is given.

use std::sync::Arc;

use datafusion::arrow::array::{ArrayRef, AsArray};
use datafusion::arrow::datatypes::{DataType, Field, FieldRef, Float64Type};
use datafusion::common::{Result, ScalarValue, exec_err};
use datafusion::logical_expr::function::{AccumulatorArgs, StateFieldsArgs};
use datafusion::logical_expr::{Accumulator, AggregateUDFImpl, Signature, Volatility};

#[derive(Debug, PartialEq, Eq, Hash)]
pub(super) struct SumInOrder {
    signature: Signature,
}

impl SumInOrder {
    pub fn new() -> SumInOrder {
        SumInOrder { signature: Signature::exact(vec![DataType::Float64], Volatility::Immutable) }
    }
}

impl AggregateUDFImpl for SumInOrder {
    fn name(&self) -> &str {
        "kql_sum_in_order"
    }
    fn signature(&self) -> &Signature {
        &self.signature
    }
    fn return_type(&self, _: &[DataType]) -> Result<DataType> {
        Ok(DataType::Float64)
    }
    fn accumulator(&self, _: AccumulatorArgs) -> Result<Box<dyn Accumulator>> {
        Ok(Box::new(RunningSum::default()))
    }
    fn state_fields(&self, args: StateFieldsArgs) -> Result<Vec<FieldRef>> {
        Ok(vec![Arc::new(Field::new(format!("{}[sum]", args.name), DataType::Float64, true))])
    }
}

/// The sum so far; `None` until a value comes.
#[derive(Debug, Default)]
struct RunningSum {
    sum: Option<f64>,
}

impl RunningSum {
    fn add_all(&mut self, values: &ArrayRef) -> Result<()> {
        let Some(values) = values.as_primitive_opt::<Float64Type>() else {
            return exec_err!("kql_sum_in_order takes reals, not {}", values.data_type());
        };
        for value in values.iter().flatten() {
            self.sum = Some(self.sum.unwrap_or(0.0) + value);
        }
        Ok(())
    }
}

impl Accumulator for RunningSum {
    fn update_batch(&mut self, values: &[ArrayRef]) -> Result<()> {
        self.add_all(&values[0])
    }

    fn merge_batch(&mut self, states: &[ArrayRef]) -> Result<()> {
        self.add_all(&states[0])
    }

    fn state(&mut self) -> Result<Vec<ScalarValue>> {
        Ok(vec![ScalarValue::Float64(self.sum)])
    }

    fn evaluate(&mut self) -> Result<ScalarValue> {
        Ok(ScalarValue::Float64(self.sum))
    }

    fn size(&self) -> usize {
        size_of_val(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use datafusion::arrow::array::Float64Array;

    #[test]
    fn reals_are_added_in_the_order_they_come() {
        let mut sum = RunningSum::default();
        let values: ArrayRef = Arc::new(Float64Array::from(vec![Some(1.1), None, Some(2.2)]));
        sum.update_batch(&[values]).expect("reals");
        let more: ArrayRef = Arc::new(Float64Array::from(vec![3.3]));
        sum.update_batch(&[more]).expect("reals");
        assert_eq!(sum.evaluate().expect("a sum"), ScalarValue::Float64(Some(1.1 + 2.2 + 3.3)));
        assert_eq!(RunningSum::default().evaluate().ok(), Some(ScalarValue::Float64(None)));
    }
}
