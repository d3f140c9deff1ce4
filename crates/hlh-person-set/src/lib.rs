//! A set of person ids as a SQL function of the embedded session, `hlh_persons_N(person_id)`, for the
//! scans that keep the rows of the exposed or the included.
//!
//! `person_id IN (…)` with thousands of literals tests the id of every row of the warehouse (100
//! million rows of `measurement` at 1 M persons) in a general-purpose hash set, and each file's scan
//! first tries to turn the list into a statistics test, literal by literal. This set keeps one bit
//! per value of a multiplicative hash of the ids, 64 values to an id, and a table of the ids a quarter
//! full: most rows cost a multiplication and one load of a clear bit, without a branch mispredicted;
//! the one in 64 that find their bit set look for their id in the table. A function is opaque to the
//! statistics, which could not have used a list of thousands of ids anyway (docs/benchmarks.md has
//! the figures).
//!
//! A Ballista executor started from the stock binaries does not know the function, so a cluster's
//! queries keep the `IN` list: `hlh_omop::Cdm::person_filter` chooses.

use std::sync::Arc;

use datafusion::arrow::array::{Array, AsArray, BooleanArray};
use datafusion::arrow::buffer::BooleanBuffer;
use datafusion::arrow::datatypes::{DataType, Int64Type};
use datafusion::common::{exec_err, Result, ScalarValue};
use datafusion::logical_expr::{
    ColumnarValue, ScalarFunctionArgs, ScalarUDFImpl, Signature, Volatility,
};

/// Fibonacci hashing's multiplier, 2^64 divided by the golden ratio: consecutive or evenly spaced ids
/// (the usual numbering of a warehouse's persons) land in slots far apart.
const GOLDEN: u64 = 0x9E37_79B9_7F4A_7C15;

fn hash(id: i64) -> u64 {
    (id as u64).wrapping_mul(GOLDEN)
}

/// A set of person ids, tested by [`ScalarUDFImpl::invoke_with_args`] on a `BIGINT` column.
#[derive(PartialEq, Eq, Hash)]
pub struct PersonSet {
    name: String,
    signature: Signature,
    /// Open addressing with linear probing; a power of two of slots, at least four per id.
    slots: Vec<i64>,
    /// The value of an empty slot: an id that is not in the set.
    vacant: i64,
    /// 64 minus the log2 of the number of slots: the hash's top bits pick the first slot.
    shift: u32,
    /// Bit `h` is set when a member's hash has `h` in its top bits: a clear bit is no member.
    filter: Vec<u64>,
    /// 64 minus the log2 of the filter's number of bits.
    filter_shift: u32,
    len: usize,
}

impl std::fmt::Debug for PersonSet {
    // The ids are patients' identifiers: a plan or an error that prints the function says how many.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PersonSet")
            .field("name", &self.name)
            .field("persons", &self.len)
            .finish()
    }
}

impl PersonSet {
    /// The set of `ids` (repeats count once) as the function `name`.
    pub fn new(name: String, ids: &[i64]) -> PersonSet {
        let mut distinct = ids.to_vec();
        distinct.sort_unstable();
        distinct.dedup();
        // The set is finite: among its size + 1 first naturals one is not in it.
        let vacant = (0..)
            .find(|v| distinct.binary_search(v).is_err())
            .unwrap_or(-1);
        let log2 = (distinct.len() * 4)
            .next_power_of_two()
            .trailing_zeros()
            .max(6);
        let filter_log2 = (distinct.len() * 64)
            .next_power_of_two()
            .trailing_zeros()
            .max(6);
        let mut set = PersonSet {
            name,
            signature: Signature::exact(vec![DataType::Int64], Volatility::Immutable),
            slots: vec![vacant; 1 << log2],
            vacant,
            shift: 64 - log2,
            filter: vec![0; 1 << (filter_log2 - 6)],
            filter_shift: 64 - filter_log2,
            len: distinct.len(),
        };
        for id in distinct {
            let bit = hash(id) >> set.filter_shift;
            set.filter[(bit / 64) as usize] |= 1 << (bit % 64);
            let mut slot = set.first_slot(id);
            while set.slots[slot] != vacant {
                slot = set.next_slot(slot);
            }
            set.slots[slot] = id;
        }
        set
    }

    fn first_slot(&self, id: i64) -> usize {
        // The top `64 - shift` bits of a u64: less than the number of slots.
        (hash(id) >> self.shift) as usize
    }

    fn next_slot(&self, slot: usize) -> usize {
        (slot + 1) & (self.slots.len() - 1)
    }

    fn contains(&self, id: i64) -> bool {
        let bit = hash(id) >> self.filter_shift;
        if self.filter[(bit / 64) as usize] >> (bit % 64) & 1 == 0 {
            return false;
        }
        let mut slot = self.first_slot(id);
        loop {
            // The vacant value first: it is never a member, even when it is the id asked about. The
            // table is at most a quarter full, so a vacant slot ends every search.
            let held = self.slots[slot];
            if held == self.vacant {
                return false;
            }
            if held == id {
                return true;
            }
            slot = self.next_slot(slot);
        }
    }
}

impl ScalarUDFImpl for PersonSet {
    fn name(&self) -> &str {
        &self.name
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn return_type(&self, _arg_types: &[DataType]) -> Result<DataType> {
        Ok(DataType::Boolean)
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        let [ids] = args.args.as_slice() else {
            return exec_err!("{} takes one person id", self.name);
        };
        match ids {
            ColumnarValue::Scalar(ScalarValue::Int64(id)) => Ok(ColumnarValue::Scalar(
                ScalarValue::Boolean(id.map(|id| self.contains(id))),
            )),
            ColumnarValue::Array(array) => {
                let Some(ids) = array.as_primitive_opt::<Int64Type>() else {
                    return exec_err!("{} takes a BIGINT, not {}", self.name, array.data_type());
                };
                let values = ids.values();
                let found = BooleanBuffer::collect_bool(values.len(), |i| self.contains(values[i]));
                // A null id is in no set: the result is null, which a filter drops.
                Ok(ColumnarValue::Array(Arc::new(BooleanArray::new(
                    found,
                    ids.nulls().cloned(),
                ))))
            }
            ColumnarValue::Scalar(other) => {
                exec_err!("{} takes a BIGINT, not {}", self.name, other.data_type())
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(ids: &[i64], probes: impl IntoIterator<Item = i64>) {
        let set = PersonSet::new("s".into(), ids);
        for id in probes {
            assert_eq!(set.contains(id), ids.contains(&id), "id {id} of {ids:?}");
        }
    }

    #[test]
    fn members_and_non_members() {
        let ids = [-3, 0, 5, 63, 64, 200, 200];
        check(&ids, -70..300);
        assert_eq!(
            PersonSet::new("s".into(), &ids).len,
            6,
            "the repeated id counts once"
        );
        // The ends of the integers, and ids far apart.
        let extremes = [
            i64::MIN,
            i64::MIN + 1,
            -1 << 40,
            1 << 40,
            i64::MAX - 1,
            i64::MAX,
        ];
        check(&ids, extremes);
        check(&extremes, extremes.into_iter().chain(-5..5));
    }

    #[test]
    fn the_vacant_value_is_never_a_member() {
        // 0..=9 are members, so the empty slots hold 10, which must still read as no member.
        let ids: Vec<i64> = (0..10).collect();
        let set = PersonSet::new("s".into(), &ids);
        assert_eq!(set.vacant, 10);
        check(&ids, -2..30);
        check(&[], [0, 1, -1, i64::MIN, i64::MAX]);
    }

    #[test]
    fn ids_that_share_their_first_slot() {
        // Multiples of a large power of two collide in a small table's first slots more than
        // consecutive ids do; every member is still found and no neighbour is.
        let ids: Vec<i64> = (0..500).map(|i| i << 40).collect();
        check(&ids, ids.iter().flat_map(|&id| [id - 1, id, id + 1]));
        let spaced: Vec<i64> = (0..5_000)
            .map(|i| -1_152_921_504_607_845_976 + 2_000 * i)
            .collect();
        check(
            &spaced,
            spaced
                .iter()
                .flat_map(|&id| [id - 2_000, id - 1, id, id + 1]),
        );
    }
}
