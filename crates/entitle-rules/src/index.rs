//! Where a state's records are, by key: hash tables a state builds once (the npm package does,
//! for a snapshot asked many questions), so that a lookup costs the same however many records
//! there are and wherever the record sits.

/// Where a state's records are, by key (and transfers by subject), so that a lookup costs the
/// same whatever the number of records and wherever the record sits: a probe in a hash table,
/// then a comparison of the record found with the key asked.
///
/// A state has none until [`crate::State::index`] builds it (the npm package does, once, when it
/// loads a snapshot for many checks); without it, lookups scan the lists. Either way the
/// answers are the same, first record first. [`crate::State::apply`], [`crate::State::hold`] and
/// [`crate::State::canonical`] drop it, and a list whose length changed since is scanned; a state
/// changed through its public fields otherwise must be indexed again. Like [`crate::read::Reads`], it is
/// not part of the state's value.
#[derive(Clone, Debug, Default)]
pub struct Index {
    /// Per slot (a list, or a relation of one): its length when it was indexed, and its hash
    /// table.
    slots: Vec<(usize, Vec<(u64, u32)>)>,
}

impl PartialEq for Index {
    fn eq(&self, _other: &Self) -> bool {
        true
    }
}

impl Eq for Index {}

/// An empty place of a hash table.
pub(crate) const EMPTY: u32 = u32::MAX;

/// FNV-1a over the key's parts, separated by `\u{1f}` as in [`crate::Record::key`].
pub(crate) fn hash(parts: &[&str]) -> u64 {
    const PRIME: u64 = 0x0100_0000_01b3;
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for (i, part) in parts.iter().enumerate() {
        if i > 0 {
            hash = (hash ^ 0x1f).wrapping_mul(PRIME);
        }
        for byte in part.bytes() {
            hash = (hash ^ u64::from(byte)).wrapping_mul(PRIME);
        }
    }
    hash
}

/// The hash of each record's key, in order.
pub(crate) fn keys<T>(records: &[T], key: impl Fn(&T) -> u64) -> Vec<u64> {
    records.iter().map(key).collect()
}

/// An open-addressing table (linear probing, at most half full) of (hash, position) pairs.
/// Positions go in ascending, so the positions of one hash come out in the lists' order.
fn table(hashes: Vec<u64>) -> (usize, Vec<(u64, u32)>) {
    let size = (hashes.len() * 2).max(8).next_power_of_two();
    let mask = size - 1;
    let mut table = vec![(0, EMPTY); size];
    for (hash, position) in hashes.iter().zip(0..) {
        #[expect(
            clippy::cast_possible_truncation,
            reason = "masked to the table's size"
        )]
        let mut place = (*hash as usize) & mask;
        while let Some(entry) = table.get_mut(place) {
            if entry.1 == EMPTY {
                *entry = (*hash, position);
                break;
            }
            place = (place + 1) & mask;
        }
    }
    (hashes.len(), table)
}

impl Index {
    /// The index of lists whose records' hashes are `slots`, one list per slot, in order.
    pub(crate) fn new(slots: impl IntoIterator<Item = Vec<u64>>) -> Self {
        Self {
            slots: slots.into_iter().map(table).collect(),
        }
    }

    /// The hash table of `slot`; `None` when its list (of `len` records now) is not indexed
    /// as it is.
    pub(crate) fn table(&self, slot: usize, len: usize) -> Option<&[(u64, u32)]> {
        let (indexed, table) = self.slots.get(slot)?;
        (*indexed == len).then_some(table.as_slice())
    }
}
