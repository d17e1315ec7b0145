//! Read plans: everything a question or a command may read, stated before any record is loaded.
//!
//! A decision reads records through [`Read`]s, some of them keyed by what other reads returned
//! (the project of a license, the licenses of the customers a reseller manages). A store that
//! discovered them one at a time would wait once per hop. A [`Plan`] states them all up front as
//! *steps*: each step is a lookup on one table whose filter values are given
//! ([`Arg::Is`], [`Arg::AnyOf`]) or taken from the rows of earlier steps ([`Arg::From`]: a
//! column or followed value of those rows, optionally only of the rows that meet a condition).
//! A store compiles the whole plan into one query (subqueries follow the steps), so a request
//! reads in one round trip, however many hops its decision makes.
//!
//! Once the rows are in, each step stands for concrete [`Lookup`]s ([`Plan::lookups`]): one per
//! combination of its filter values, each holding the step's rows that match it. A state that
//! holds them answers the decision without asking for anything else; the rules' tests check
//! that for every scenario step and every generated command ([`Plan::load`]).
//!
//! A plan may read more than one decision needs (it covers every branch the decision may
//! take); what the decision relied on is what it consulted ([`State::used`]), and only that is
//! guarded when a command commits.

use crate::list::Source;
use crate::read::{Lookup, Read, Record, Table};
use crate::state::Row;
#[cfg(feature = "partial")]
use crate::state::State;
use std::collections::BTreeSet;

/// One step of a plan, by its position.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct StepId(usize);

impl StepId {
    /// The step at `index`.
    pub fn at(index: usize) -> Self {
        Self(index)
    }

    /// Its position in the plan.
    pub fn index(self) -> usize {
        self.0
    }
}

/// Where a filter's values come from: a column (or followed value) of an earlier step's rows.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Origin {
    /// The step whose rows give the values.
    pub step: StepId,
    /// The column or followed value of those rows.
    pub column: &'static str,
    /// Put before each value (a transfer's subject is `license:<key>` or `project:<id>`).
    pub prefix: &'static str,
    /// Only the rows whose columns have these values give values.
    pub when: Vec<(&'static str, &'static str)>,
}

impl Origin {
    /// Only the rows of the step whose `column` is `value` give values.
    pub fn when(mut self, column: &'static str, value: &'static str) -> Self {
        self.when.push((column, value));
        self
    }

    /// Each value with `prefix` before it.
    pub fn prefixed(mut self, prefix: &'static str) -> Self {
        self.prefix = prefix;
        self
    }

    fn values(&self, found: &Found, into: &mut BTreeSet<String>) {
        if found.page_step == Some(self.step) {
            into.extend(found.keys.iter().map(|k| format!("{}{k}", self.prefix)));
            return;
        }
        let Some(rows) = found.rows.get(self.step.0) else {
            return;
        };
        let meets =
            |row: &Row| (self.when.iter()).all(|(c, v)| row.column(c).as_deref() == Some(*v));
        for row in rows.iter().filter(|r| meets(r)) {
            into.extend(
                row.values(self.column)
                    .into_iter()
                    .map(|v| format!("{}{v}", self.prefix)),
            );
        }
    }
}

/// The values of `column` of the rows of `step`.
pub fn from(step: StepId, column: &'static str) -> Origin {
    Origin {
        step,
        column,
        prefix: "",
        when: Vec::new(),
    }
}

/// The values a step's filter takes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Arg {
    /// One value.
    Is(String),
    /// Any of these values.
    AnyOf(BTreeSet<String>),
    /// Any value the sources give (none when they give none).
    From(Vec<Origin>),
}

impl Arg {
    /// One value.
    pub fn is(value: impl ToString) -> Self {
        Arg::Is(value.to_string())
    }

    /// The values of one source.
    pub fn from(source: Origin) -> Self {
        Arg::From(vec![source])
    }
}

/// One step of a plan.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Step {
    /// A lookup on one table, its filter values given or taken from earlier steps.
    Lookup {
        /// The table.
        table: Table,
        /// Column and values pairs, all of which must match, in column order.
        filters: Vec<(&'static str, Arg)>,
    },
    /// One page of a list: the keys of its items after `after`, in key order, at most `limit`
    /// of them (a store reads one more, to know whether more follow). Later steps read the
    /// items through [`from`]`(page, "key")`.
    Page {
        /// Where the list's items come from.
        source: Source,
        /// The key the page starts after (empty: from the start).
        after: String,
        /// How many items the page holds at most.
        limit: usize,
    },
}

/// What the steps of a plan found: each lookup step's rows, and the page's keys.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Found {
    /// The rows of each step, in step order (none for the page step).
    pub rows: Vec<Vec<Row>>,
    /// The page step, if the plan has one.
    pub page_step: Option<StepId>,
    /// The keys of the page's items, at most its limit.
    pub keys: Vec<String>,
    /// Whether more items follow the page's.
    pub more: bool,
}

/// Everything a question or a command may read, in steps that only look back.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Plan {
    steps: Vec<Step>,
}

impl Plan {
    /// An empty plan.
    pub fn new() -> Self {
        Self::default()
    }

    /// Its steps, in order: each one only takes values from steps before it.
    pub fn steps(&self) -> &[Step] {
        &self.steps
    }

    /// Adds a lookup of `R` on `filters`. A filter may only take values from steps already in
    /// the plan, which [`StepId`]s guarantee.
    pub fn step<R: Record>(&mut self, filters: Vec<(&'static str, Arg)>) -> StepId {
        self.step_on(R::TABLE, filters)
    }

    fn step_on(&mut self, table: Table, mut filters: Vec<(&'static str, Arg)>) -> StepId {
        filters.sort_by_key(|(column, _)| *column);
        let step = Step::Lookup { table, filters };
        if let Some(i) = self.steps.iter().position(|s| s == &step) {
            return StepId(i);
        }
        self.steps.push(step);
        StepId(self.steps.len() - 1)
    }

    /// Adds the page of `source` after `after`, at most `limit` items. A plan has at most one
    /// page; a second call returns the first.
    pub fn page(&mut self, source: Source, after: &str, limit: usize) -> StepId {
        if let Some(i) = (self.steps.iter()).position(|s| matches!(s, Step::Page { .. })) {
            return StepId(i);
        }
        self.steps.push(Step::Page {
            source,
            after: after.to_owned(),
            limit,
        });
        StepId(self.steps.len() - 1)
    }

    /// Adds one read whose keys are known now.
    pub fn read(&mut self, read: &Read) -> StepId {
        let lookup = read.lookup();
        let filters = (lookup.filters.into_iter())
            .map(|(column, value)| (column, Arg::Is(value)))
            .collect();
        self.step_on(lookup.table, filters)
    }

    /// Adds reads whose keys are known now: reads of one table on one column become one step
    /// (any of their values), the others a step each.
    pub fn reads(&mut self, reads: impl IntoIterator<Item = Read>) {
        self.extend(Self::fetch(reads.into_iter().map(|r| r.lookup())));
    }

    /// A plan of lookups whose values are known: lookups of one table on one column become one
    /// step (any of their values), the others a step each. What a store reads for a decision
    /// that wanted more than its plan.
    pub fn fetch(lookups: impl IntoIterator<Item = Lookup>) -> Self {
        let mut plan = Self::new();
        let mut grouped: Vec<(Table, &'static str, BTreeSet<String>)> = Vec::new();
        for lookup in lookups {
            match lookup.filters.as_slice() {
                [(column, value)] => {
                    match (grouped.iter_mut()).find(|(t, c, _)| *t == lookup.table && c == column) {
                        Some((_, _, values)) => {
                            values.insert(value.clone());
                        }
                        None => {
                            grouped.push((lookup.table, column, BTreeSet::from([value.clone()])));
                        }
                    }
                }
                _ => {
                    let filters = (lookup.filters.into_iter())
                        .map(|(column, value)| (column, Arg::Is(value)))
                        .collect();
                    plan.step_on(lookup.table, filters);
                }
            }
        }
        for (table, column, values) in grouped {
            plan.step_on(table, vec![(column, Arg::AnyOf(values))]);
        }
        plan
    }

    /// Adds every step of `other`, after this plan's.
    pub fn extend(&mut self, other: Plan) {
        let mut map = Vec::with_capacity(other.steps.len());
        for step in other.steps {
            let id = match step {
                Step::Lookup { table, filters } => {
                    let filters = (filters.into_iter())
                        .map(|(column, arg)| (column, shift(arg, &map)))
                        .collect();
                    self.step_on(table, filters)
                }
                Step::Page {
                    source,
                    after,
                    limit,
                } => self.page(source, &after, limit),
            };
            map.push(id);
        }
    }

    /// The lookups step `step` stands for, given what the steps before it found: one per
    /// combination of its filters' values (none for the page step).
    pub fn lookups(&self, step: StepId, found: &Found) -> Vec<Lookup> {
        let Some(Step::Lookup { table, filters }) = self.steps.get(step.0) else {
            return Vec::new();
        };
        let mut combinations: Vec<Vec<(&'static str, String)>> = vec![Vec::new()];
        for (column, arg) in filters {
            let values: BTreeSet<String> = match arg {
                Arg::Is(value) => BTreeSet::from([value.clone()]),
                Arg::AnyOf(values) => values.clone(),
                Arg::From(sources) => {
                    let mut values = BTreeSet::new();
                    for source in sources {
                        source.values(found, &mut values);
                    }
                    values
                }
            };
            combinations = (combinations.into_iter())
                .flat_map(|filters| {
                    values.iter().map(move |v| {
                        let mut next = filters.clone();
                        next.push((*column, v.clone()));
                        next
                    })
                })
                .collect();
        }
        (combinations.into_iter())
            .map(|filters| Lookup::new(*table, filters))
            .collect()
    }

    /// Runs `decide` on what this plan reads from `full`, as a store would: its answer, and the
    /// lookups it wanted that the plan did not read (none, for a plan that covers the
    /// decision). For tests of the plans.
    #[cfg(feature = "partial")]
    pub fn run<T>(&self, full: &State, decide: impl FnOnce(&State) -> T) -> (T, BTreeSet<Lookup>) {
        let (state, _) = self.load(full);
        let answer = decide(&state);
        (answer, state.missing())
    }

    /// A partial state holding what this plan reads from `full`, as a store loads it, and what
    /// its steps found: for tests of the plans (the decision run on it must want nothing more).
    #[cfg(feature = "partial")]
    pub fn load(&self, full: &State) -> (State, Found) {
        let mut state = State::partial();
        let mut found = Found::default();
        for (i, step) in self.steps.iter().enumerate() {
            let mut step_rows: Vec<Row> = Vec::new();
            if let Step::Page {
                source,
                after,
                limit,
            } = step
            {
                found.page_step = Some(StepId(i));
                found.keys = (source.keys(full).into_iter())
                    .filter(|k| k.as_str() > after.as_str())
                    .take(limit.saturating_add(1))
                    .collect();
                found.more = found.keys.len() > *limit;
                found.keys.truncate(*limit);
            }
            for lookup in self.lookups(StepId(i), &found) {
                let rows = full.rows(&lookup);
                for row in &rows {
                    if !step_rows.iter().any(|r| r.key() == row.key()) {
                        step_rows.push(row.clone());
                    }
                }
                state.hold(lookup, rows);
            }
            found.rows.push(step_rows);
        }
        (state, found)
    }
}

/// `arg` with its sources renumbered by `map` (old step index to new step).
fn shift(arg: Arg, map: &[StepId]) -> Arg {
    match arg {
        Arg::From(sources) => Arg::From(
            (sources.into_iter())
                .filter_map(|s| {
                    let step = *map.get(s.step.0)?;
                    Some(Origin { step, ..s })
                })
                .collect(),
        ),
        other => other,
    }
}
