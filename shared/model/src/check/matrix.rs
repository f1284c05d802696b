//! A [`Report`] as reachability matrices, for people (issue 19, `check --format html`): one
//! per VPC with endpoints, its endpoints as columns and, as rows, the workload groups of the
//! VPC and of the spokes whose workloads pair with its endpoints across a link. A workload
//! group is the key `check` already answers per (`workloads.rs`): same VPC, same subnet, same
//! list of security groups. Each cell counts the group's workloads by verdict, and a blocked
//! cell names the first blocking component on the path of its first blocked workload.
//!
//! A large account has as many groups as workloads, nearly (10,000 workloads, a few hundred
//! group lists): past `max_rows` groups in one matrix, groups whose rows say the same thing
//! (in every column the same state and, when blocked, the same findings on the first blocked
//! pair) are merged into one row, so the matrix shows each distinct problem once, with how
//! many groups and workloads share it.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use crate::finding::{Direction, FindingCode};
use crate::fxhash::FxHashMap;
use crate::intent;
use crate::params::RuleParameters;
use crate::path::{Outcome, Verdict};
use crate::snapshot::Snapshot;

use super::{resolve_endpoints, trace_pair, Report};

/// How many example workloads a row keeps.
pub const MAX_EXAMPLES: usize = 3;

/// What a workload group is keyed by: its VPC, subnet and security groups (in the ENI's order).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct GroupKey {
    /// The workloads' VPC.
    pub vpc: Arc<str>,
    /// Their subnet.
    pub subnet: Arc<str>,
    /// Their security groups.
    pub groups: Vec<Arc<str>>,
}

/// A cell's state as a reader sees it: the worst verdict among its workloads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum CellState {
    /// Some required pair of the cell is blocked.
    Blocked,
    /// Nothing blocks, but some required pair cannot be proven (missing data).
    Unproven,
    /// Every required pair of the cell is reachable.
    Reachable,
    /// No workload of the cell is required to reach the endpoint.
    NotRequired,
}

impl CellState {
    /// The state in words, as the report labels it.
    pub fn as_str(self) -> &'static str {
        match self {
            CellState::Blocked => "blocked",
            CellState::Unproven => "unproven",
            CellState::Reachable => "reachable",
            CellState::NotRequired => "not required",
        }
    }
}

/// The first blocking hop of a blocked pair, in path order (`explain`'s order).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Blame {
    /// The finding code of the hop.
    pub code: FindingCode,
    /// The component blamed (the first one, when several decide the hop together).
    pub component: Arc<str>,
    /// The leg and side blocked, when the code has one.
    pub direction: Option<Direction>,
    /// The workload whose path was traced: the cell's first blocked workload.
    pub workload: Arc<str>,
}

/// One (workload group, endpoint) cell: its workloads counted by verdict.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Cell {
    /// Required pairs proven reachable.
    pub reachable: usize,
    /// Required pairs blocked.
    pub blocked: usize,
    /// Required pairs that cannot be proven.
    pub unproven: usize,
    /// Workloads not required to reach the endpoint.
    pub not_required: usize,
    /// When some pair is blocked: the first blocking hop of the first blocked workload
    /// (`None` if no blocked hop carries a finding code, which `check` never produces).
    pub blame: Option<Blame>,
}

impl Cell {
    /// The worst verdict of the cell.
    pub fn state(&self) -> CellState {
        if self.blocked > 0 {
            CellState::Blocked
        } else if self.unproven > 0 {
            CellState::Unproven
        } else if self.reachable > 0 {
            CellState::Reachable
        } else {
            CellState::NotRequired
        }
    }

    /// How many workloads the cell counts.
    pub fn workloads(&self) -> usize {
        self.reachable + self.blocked + self.unproven + self.not_required
    }

    fn add(&mut self, other: &Cell) {
        self.reachable += other.reachable;
        self.blocked += other.blocked;
        self.unproven += other.unproven;
        self.not_required += other.not_required;
    }
}

/// One row: a workload group, or groups merged because their rows say the same thing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MatrixRow {
    /// The groups of the row (one unless merged), in key order.
    pub keys: Vec<GroupKey>,
    /// How many workloads the groups hold.
    pub workloads: usize,
    /// The first few workloads (at most [`MAX_EXAMPLES`]): of its first group first, each
    /// group's in ENI id order.
    pub examples: Vec<Arc<str>>,
    /// One cell per column of the matrix.
    pub cells: Vec<Cell>,
}

/// A column: an endpoint of the matrix's VPC.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MatrixEndpoint {
    /// `vpce-…`
    pub id: Arc<str>,
    /// Its service name, `com.amazonaws.<region>.ssm`.
    pub service: Arc<str>,
}

/// The matrix of one VPC with endpoints (a hub, when spokes' workloads pair with them).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VpcMatrix {
    /// The VPC of the endpoints.
    pub vpc: Arc<str>,
    /// Other VPCs whose workloads have a required pair with an endpoint of this one.
    pub spokes: Vec<Arc<str>>,
    /// The columns, by service name then id.
    pub endpoints: Vec<MatrixEndpoint>,
    /// The rows: this VPC's groups first, then each spoke's, each by subnet and groups.
    pub rows: Vec<MatrixRow>,
    /// How many workload groups the rows hold (more than rows when some were merged).
    pub groups: usize,
}

impl VpcMatrix {
    /// True when rows were merged (the matrix had more than `max_rows` groups).
    pub fn merged(&self) -> bool {
        self.groups > self.rows.len()
    }
}

/// Every matrix of a report.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Matrices {
    /// One per VPC with modelled endpoints, by VPC id.
    pub vpcs: Vec<VpcMatrix>,
    /// VPCs with workloads that are in no matrix (no endpoint of their own, none across a
    /// link), with their workload counts.
    pub unserved: Vec<(Arc<str>, usize)>,
}

/// The workload groups of a snapshot: keys, each group's workloads, each workload's group.
struct Groups {
    keys: Vec<GroupKey>,
    members: Vec<Vec<Arc<str>>>,
    of: FxHashMap<Arc<str>, usize>,
}

impl Groups {
    fn new(snap: &Snapshot, params: &RuleParameters) -> Self {
        let mut slots: FxHashMap<GroupKey, usize> = FxHashMap::default();
        let mut groups = Groups {
            keys: Vec::new(),
            members: Vec::new(),
            of: FxHashMap::default(),
        };
        for w in intent::workloads(snap, params) {
            let key = GroupKey {
                vpc: w.vpc_id.into(),
                subnet: w.subnet_id.into(),
                groups: w.groups.iter().map(|&g| Arc::from(g)).collect(),
            };
            let slot = *slots.entry(key.clone()).or_insert_with(|| {
                groups.keys.push(key);
                groups.members.push(Vec::new());
                groups.keys.len() - 1
            });
            let id: Arc<str> = w.id().into();
            groups.members[slot].push(Arc::clone(&id));
            groups.of.insert(id, slot);
        }
        groups
    }

    /// The groups of `vpc`, in key order.
    fn of_vpc(&self, vpc: &str) -> Vec<usize> {
        let mut slots: Vec<usize> = (0..self.keys.len())
            .filter(|&g| &*self.keys[g].vpc == vpc)
            .collect();
        slots.sort_by(|&a, &b| self.keys[a].cmp(&self.keys[b]));
        slots
    }
}

/// The report's matrices. `max_rows`: past that many groups in one matrix, rows that say the
/// same thing are merged. The blocked cells of the final rows are traced (one exact trace each)
/// to find their first blocking hop.
pub fn matrices(
    snap: &Snapshot,
    params: &RuleParameters,
    report: &Report,
    max_rows: usize,
) -> Matrices {
    let groups = Groups::new(snap, params);
    let columns = columns(snap, params);
    let mut drafts = drafts(report, &groups, &columns);
    let causes = Causes::new(report);
    let mut out = Matrices::default();
    let mut served: BTreeSet<Arc<str>> = BTreeSet::new();
    for (vpc, endpoints) in &columns {
        let mut matrix = vpc_matrix(&groups, (vpc, endpoints), &mut drafts, &causes, max_rows);
        for (row, first) in matrix.rows.iter_mut().zip(&matrix.first) {
            for ((cell, workload), ep) in row.cells.iter_mut().zip(first).zip(endpoints) {
                if let Some(workload) = workload {
                    cell.blame = blame(snap, params, workload, &ep.id);
                }
            }
        }
        served.extend(matrix.matrix.spokes.iter().cloned());
        served.insert(Arc::clone(vpc));
        out.vpcs.push(matrix.matrix_with_rows());
    }
    let mut counts: BTreeMap<&Arc<str>, usize> = BTreeMap::new();
    for (key, members) in groups.keys.iter().zip(&groups.members) {
        if !served.contains(&key.vpc) {
            *counts.entry(&key.vpc).or_default() += members.len();
        }
    }
    out.unserved = counts
        .into_iter()
        .map(|(v, n)| (Arc::clone(v), n))
        .collect();
    out
}

/// One group's cells in the matrix of one VPC, before blame: the counts, and each cell's first
/// blocked workload (the pair that is traced for the blame).
struct Draft {
    cells: Vec<Cell>,
    first: Vec<Option<Arc<str>>>,
}

/// The drafts of every (endpoint VPC, group) with a required pair, from the pairs.
fn drafts(
    report: &Report,
    groups: &Groups,
    columns: &BTreeMap<Arc<str>, Vec<MatrixEndpoint>>,
) -> BTreeMap<(Arc<str>, usize), Draft> {
    let mut drafts: BTreeMap<(Arc<str>, usize), Draft> = BTreeMap::new();
    let column_of = column_index(columns);
    for pair in &report.pairs {
        let (Some(&group), Some(&(ref vpc, col))) =
            (groups.of.get(pair.workload), column_of.get(pair.endpoint))
        else {
            continue;
        };
        let width = columns[vpc].len();
        let draft = drafts
            .entry((Arc::clone(vpc), group))
            .or_insert_with(|| Draft {
                cells: vec![Cell::default(); width],
                first: vec![None; width],
            });
        let cell = &mut draft.cells[col];
        match pair.verdict {
            Verdict::Reachable => cell.reachable += 1,
            Verdict::Unknown => cell.unproven += 1,
            Verdict::Blocked => {
                cell.blocked += 1;
                draft.first[col].get_or_insert_with(|| Arc::from(pair.workload));
            }
        }
    }
    drafts
}

/// What a pair finding says blocks: (code, component, direction).
type Cause<'r> = (FindingCode, &'r str, Option<Direction>);

/// The findings of each (workload, endpoint) pair, in the report's order. Rows are merged on
/// them: they are what blocks a pair, known without tracing it (tracing every blocked cell of
/// a large account before merging would take most of the time).
struct Causes<'r> {
    all: Vec<Cause<'r>>,
    by_pair: FxHashMap<(&'r str, &'r str), (usize, usize)>,
}

impl<'r> Causes<'r> {
    fn new(report: &'r Report) -> Self {
        let mut grouped: FxHashMap<(&str, &str), Vec<Cause>> = FxHashMap::default();
        for f in &report.findings {
            if let (Some(source), Some(endpoint)) = (f.source.as_deref(), f.endpoint.as_deref()) {
                grouped.entry((source, endpoint)).or_default().push((
                    f.code,
                    &f.component,
                    f.direction,
                ));
            }
        }
        let mut causes = Causes {
            all: Vec::new(),
            by_pair: FxHashMap::default(),
        };
        for (pair, found) in grouped {
            let start = causes.all.len();
            causes.all.extend(found);
            causes.by_pair.insert(pair, (start, causes.all.len()));
        }
        causes
    }

    /// The findings of one pair.
    fn of(&self, workload: &str, endpoint: &str) -> Option<&[Cause<'r>]> {
        let &(start, end) = self.by_pair.get(&(workload, endpoint))?;
        Some(&self.all[start..end])
    }
}

/// The modelled endpoints of each VPC, by service name then id.
fn columns(snap: &Snapshot, params: &RuleParameters) -> BTreeMap<Arc<str>, Vec<MatrixEndpoint>> {
    let mut columns: BTreeMap<Arc<str>, Vec<MatrixEndpoint>> = BTreeMap::new();
    for ep in resolve_endpoints(snap, params, &mut Vec::new()) {
        columns
            .entry(ep.raw.vpc_id.as_str().into())
            .or_default()
            .push(MatrixEndpoint {
                id: ep.id().into(),
                service: ep.raw.service_name.as_str().into(),
            });
    }
    for endpoints in columns.values_mut() {
        endpoints.sort_by(|a, b| (&a.service, &a.id).cmp(&(&b.service, &b.id)));
    }
    columns
}

/// Endpoint id -> (its VPC, its column).
fn column_index(
    columns: &BTreeMap<Arc<str>, Vec<MatrixEndpoint>>,
) -> FxHashMap<&str, (Arc<str>, usize)> {
    let mut index = FxHashMap::default();
    for (vpc, endpoints) in columns {
        for (col, ep) in endpoints.iter().enumerate() {
            index.insert(&*ep.id, (Arc::clone(vpc), col));
        }
    }
    index
}

/// The first blocked hop of the pair's exact trace, in path order (what `explain` prints
/// first as BLOCKED).
fn blame(
    snap: &Snapshot,
    params: &RuleParameters,
    workload: &Arc<str>,
    endpoint: &str,
) -> Option<Blame> {
    let (trace, _) = trace_pair(snap, params, workload, endpoint).ok()?;
    let hop = trace
        .hops()
        .find(|h| h.outcome == Outcome::Blocked && h.code.is_some() && !h.components.is_empty())?;
    Some(Blame {
        code: hop.code?,
        component: Arc::clone(&hop.components[0]),
        direction: hop.kind.direction(),
        workload: Arc::clone(workload),
    })
}

/// Each cell's first blocked workload, for one row.
type FirstBlocked = Vec<Option<Arc<str>>>;

/// A matrix before blame, with each cell's first blocked workload.
struct DraftMatrix {
    matrix: VpcMatrix,
    rows: Vec<MatrixRow>,
    first: Vec<FirstBlocked>,
}

impl DraftMatrix {
    fn matrix_with_rows(self) -> VpcMatrix {
        VpcMatrix {
            rows: self.rows,
            ..self.matrix
        }
    }
}

/// One VPC's matrix: its groups, then its spokes' groups, merged past `max_rows`.
fn vpc_matrix(
    groups: &Groups,
    (vpc, endpoints): (&Arc<str>, &[MatrixEndpoint]),
    drafts: &mut BTreeMap<(Arc<str>, usize), Draft>,
    causes: &Causes,
    max_rows: usize,
) -> DraftMatrix {
    let spokes: BTreeSet<Arc<str>> = drafts
        .range((Arc::clone(vpc), 0)..=(Arc::clone(vpc), usize::MAX))
        .map(|((_, g), _)| Arc::clone(&groups.keys[*g].vpc))
        .filter(|v| v != vpc)
        .collect();
    let mut rows = Vec::new();
    let mut first = Vec::new();
    for source in std::iter::once(vpc).chain(&spokes) {
        for g in groups.of_vpc(source) {
            let members = &groups.members[g];
            let mut draft = drafts
                .remove(&(Arc::clone(vpc), g))
                .unwrap_or_else(|| Draft {
                    cells: vec![Cell::default(); endpoints.len()],
                    first: vec![None; endpoints.len()],
                });
            for cell in &mut draft.cells {
                cell.not_required = members.len() - (cell.reachable + cell.blocked + cell.unproven);
            }
            rows.push(MatrixRow {
                keys: vec![groups.keys[g].clone()],
                workloads: members.len(),
                examples: members.iter().take(MAX_EXAMPLES).cloned().collect(),
                cells: draft.cells,
            });
            first.push(draft.first);
        }
    }
    let count = rows.len();
    if count > max_rows {
        (rows, first) = merge(rows, first, endpoints, causes);
    }
    DraftMatrix {
        matrix: VpcMatrix {
            vpc: Arc::clone(vpc),
            spokes: spokes.into_iter().collect(),
            endpoints: endpoints.to_vec(),
            rows: Vec::new(),
            groups: count,
        },
        rows,
        first,
    }
}

/// Rows of one VPC's workloads whose cells have the same states and the same findings on
/// their first blocked pairs, merged into the first of them (whose first blocked workloads
/// stay the cells' examples).
fn merge(
    rows: Vec<MatrixRow>,
    first: Vec<FirstBlocked>,
    endpoints: &[MatrixEndpoint],
    causes: &Causes,
) -> (Vec<MatrixRow>, Vec<FirstBlocked>) {
    type Signature<'c> = (Arc<str>, Vec<(CellState, Option<&'c [Cause<'c>]>)>);
    let (mut merged, mut merged_first): (Vec<MatrixRow>, Vec<_>) = (Vec::new(), Vec::new());
    let mut slots: FxHashMap<Signature, usize> = FxHashMap::default();
    for (row, row_first) in rows.into_iter().zip(first) {
        let cells = row.cells.iter().zip(&row_first).zip(endpoints);
        let signature: Signature = (
            Arc::clone(&row.keys[0].vpc),
            cells
                .map(|((cell, workload), ep)| {
                    let found = workload.as_deref().and_then(|w| causes.of(w, &ep.id));
                    (cell.state(), found)
                })
                .collect(),
        );
        match slots.get(&signature) {
            Some(&at) => {
                let into = &mut merged[at];
                into.keys.extend(row.keys);
                into.workloads += row.workloads;
                let room = MAX_EXAMPLES.saturating_sub(into.examples.len());
                into.examples.extend(row.examples.into_iter().take(room));
                for (cell, other) in into.cells.iter_mut().zip(&row.cells) {
                    cell.add(other);
                }
            }
            None => {
                slots.insert(signature, merged.len());
                merged.push(row);
                merged_first.push(row_first);
            }
        }
    }
    (merged, merged_first)
}
