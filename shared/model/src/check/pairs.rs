//! The report's required pairs, stored compactly (issue 14): a hub-and-spoke organisation has
//! millions of them, and a result carrying two shared ids (56 bytes, two reference counts to
//! bump) was most of a clean check's time and memory. Pairs are stored in runs of 16 bytes:
//! numbers into the report's tables of workload and endpoint ids, the reasons, verdict and
//! counts, and how many workloads numbered in a row share them. The workloads of a VPC are
//! numbered in a row and most of a hub endpoint's pairs fare alike, so a run holds many pairs:
//! an organisation's millions of pairs take a few thousand runs. Readers get [`PairResult`]
//! views, one per pair.

use std::fmt;
use std::sync::Arc;

use crate::intent::Reasons;
use crate::path::Verdict;

/// A workload's number in the report's table of workload ids.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct WorkloadNo(u32);

impl WorkloadNo {
    /// The number `offset` places after this one (the workloads of one VPC, or the cross-VPC
    /// candidates, are numbered in a run).
    pub(super) fn plus(self, offset: usize) -> WorkloadNo {
        WorkloadNo(self.0 + to_u32(offset))
    }
}

/// An endpoint's number in the report's table of endpoint ids.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct EndpointNo(u32);

/// A run of pairs as stored: the workloads `workload`, `workload + 1`, ... `workload + more`
/// against one endpoint, all with the same result.
#[derive(Debug, Clone, Copy)]
struct Packed {
    workload: WorkloadNo,
    endpoint: EndpointNo,
    reasons: Reasons,
    verdict: Verdict,
    reached: u16,
    targets: u16,
    /// How many pairs follow the first in the run.
    more: u16,
}

/// Every required pair of a report, by VPC, then endpoint, then workload.
#[derive(Default, Clone)]
pub struct Pairs {
    /// Workload ENI ids, numbered by [`WorkloadNo`] (the check's workloads, some possibly
    /// without a required pair).
    workloads: Vec<Arc<str>>,
    /// Endpoint ids, numbered by [`EndpointNo`].
    endpoints: Vec<Arc<str>>,
    /// The runs, in report order.
    list: Vec<Packed>,
    /// How many pairs the runs hold.
    len: usize,
}

/// A required pair and how it fared: a view into the report's [`Pairs`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PairResult<'r> {
    /// The workload ENI.
    pub workload: &'r str,
    /// The endpoint.
    pub endpoint: &'r str,
    /// Why the pair must work.
    pub reasons: Reasons,
    /// The verdict.
    pub verdict: Verdict,
    /// Targets (ENIs, or the prefix list) fully reachable.
    pub reached: usize,
    /// Targets in all.
    pub targets: usize,
}

/// A table position as a stored number. A check numbers its workloads and endpoints (tens of
/// thousands): more than four billion would not fit in memory anyway.
fn to_u32(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

/// A target count as stored: an interface endpoint has one ENI per Availability Zone, a
/// gateway endpoint one prefix list, so counts stay far below the bound.
fn to_u16(n: usize) -> u16 {
    u16::try_from(n).unwrap_or(u16::MAX)
}

impl Pairs {
    /// Numbers workload ids in a run: the first one's number.
    pub(super) fn add_workloads(&mut self, ids: impl IntoIterator<Item = Arc<str>>) -> WorkloadNo {
        let first = WorkloadNo(to_u32(self.workloads.len()));
        self.workloads.extend(ids);
        first
    }

    /// Numbers an endpoint id.
    pub(super) fn add_endpoint(&mut self, id: Arc<str>) -> EndpointNo {
        self.endpoints.push(id);
        EndpointNo(to_u32(self.endpoints.len() - 1))
    }

    /// Room for `n` more pairs stored alone.
    pub(super) fn reserve(&mut self, n: usize) {
        self.list.reserve(n);
    }

    /// Adds a pair, as a run of its own: a pair decided alone is appended without comparing
    /// it with the last (that compare cost every same-VPC pair more than the memory it saves:
    /// runs of many pairs come from [`push_run`](Self::push_run)).
    pub(super) fn push(
        &mut self,
        (workload, endpoint): (WorkloadNo, EndpointNo),
        reasons: Reasons,
        verdict: Verdict,
        (reached, targets): (usize, usize),
    ) {
        let pair = Packed {
            workload,
            endpoint,
            reasons,
            verdict,
            reached: to_u16(reached),
            targets: to_u16(targets),
            more: 0,
        };
        self.len += 1;
        self.list.push(pair);
    }

    /// Adds `n` pairs alike: the workloads numbered from `first` against one endpoint.
    pub(super) fn push_run(
        &mut self,
        (first, endpoint): (WorkloadNo, EndpointNo),
        n: usize,
        reasons: Reasons,
        verdict: Verdict,
        counts: (usize, usize),
    ) {
        let Some(n) = n.checked_sub(1) else {
            return;
        };
        self.push((first, endpoint), reasons, verdict, counts);
        let mut left = n;
        while left > 0 {
            let run = self.list.last_mut().expect("just pushed");
            // A run holds at most `u16::MAX + 1` pairs: a longer one goes on in the next.
            let room = usize::from(u16::MAX - run.more);
            if room == 0 {
                let next = WorkloadNo(run.workload.0 + u32::from(run.more) + 1);
                self.push((next, endpoint), reasons, verdict, counts);
                left -= 1;
                continue;
            }
            let add = room.min(left);
            run.more += to_u16(add);
            self.len += add;
            left -= add;
        }
    }

    /// How many required pairs.
    pub fn len(&self) -> usize {
        self.len
    }

    /// True when no pair is required.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The pair at `index`, in report order (a walk over the runs: for tests and tools, not
    /// for loops over every pair, which `iter` serves).
    pub fn get(&self, index: usize) -> Option<PairResult<'_>> {
        self.iter().nth(index)
    }

    /// The pairs in report order.
    pub fn iter(&self) -> Iter<'_> {
        Iter {
            pairs: self,
            list: self.list.iter(),
            run: None,
            left: self.len,
        }
    }

    /// The pair `offset` places into run `p`.
    fn view<'r>(&'r self, p: &Packed, offset: u32) -> PairResult<'r> {
        PairResult {
            workload: &self.workloads[(p.workload.0 + offset) as usize],
            endpoint: &self.endpoints[p.endpoint.0 as usize],
            reasons: p.reasons,
            verdict: p.verdict,
            reached: usize::from(p.reached),
            targets: usize::from(p.targets),
        }
    }
}

/// The pairs of a report, as [`PairResult`] views.
pub struct Iter<'r> {
    pairs: &'r Pairs,
    list: std::slice::Iter<'r, Packed>,
    /// The run being read and the offset of its next pair.
    run: Option<(&'r Packed, u32)>,
    /// Pairs not yet read.
    left: usize,
}

impl<'r> Iterator for Iter<'r> {
    type Item = PairResult<'r>;

    fn next(&mut self) -> Option<PairResult<'r>> {
        let (run, offset) = match self.run {
            Some((run, offset)) if offset <= u32::from(run.more) => (run, offset),
            _ => (self.list.next()?, 0),
        };
        self.run = Some((run, offset + 1));
        self.left -= 1;
        Some(self.pairs.view(run, offset))
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        (self.left, Some(self.left))
    }
}

impl ExactSizeIterator for Iter<'_> {}

impl<'r> IntoIterator for &'r Pairs {
    type Item = PairResult<'r>;
    type IntoIter = Iter<'r>;

    fn into_iter(self) -> Iter<'r> {
        self.iter()
    }
}

/// Two reports' pairs are equal when they list the same pairs, whatever their tables' order.
impl PartialEq for Pairs {
    fn eq(&self, other: &Pairs) -> bool {
        self.len() == other.len() && self.iter().eq(other.iter())
    }
}

impl Eq for Pairs {}

impl fmt::Debug for Pairs {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.iter()).finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::intent::Reason;

    #[test]
    fn a_pair_reads_back_as_pushed() {
        let mut pairs = Pairs::default();
        let w = pairs.add_workloads(["eni-a", "eni-b"].map(Arc::from));
        let e = pairs.add_endpoint(Arc::from("vpce-1"));
        let mut reasons = Reasons::default();
        reasons.insert(Reason::EndpointAdmits);
        pairs.push((w.plus(1), e), reasons, Verdict::Blocked, (1, 3));
        assert_eq!(pairs.len(), 1);
        let p = pairs.get(0).unwrap();
        assert_eq!((p.workload, p.endpoint), ("eni-b", "vpce-1"));
        assert_eq!(
            (p.reasons, p.verdict, p.reached, p.targets),
            (reasons, Verdict::Blocked, 1, 3)
        );
        assert!(std::mem::size_of::<Packed>() <= 16);
    }

    #[test]
    fn runs_and_single_pairs_read_back_one_by_one() {
        let mut pairs = Pairs::default();
        let w = pairs.add_workloads(["eni-a", "eni-b", "eni-c", "eni-d"].map(Arc::from));
        let e = pairs.add_endpoint(Arc::from("vpce-1"));
        let ok = Reasons::default();
        pairs.push_run((w, e), 3, ok, Verdict::Reachable, (2, 2));
        // Single pairs, one of them out of numbering order: a run each.
        pairs.push((w.plus(3), e), ok, Verdict::Blocked, (0, 2));
        pairs.push((w.plus(1), e), ok, Verdict::Blocked, (0, 2));
        assert_eq!(pairs.list.len(), 3);
        assert_eq!(pairs.len(), 5);
        let read: Vec<(&str, Verdict)> = pairs.iter().map(|p| (p.workload, p.verdict)).collect();
        assert_eq!(
            read,
            [
                ("eni-a", Verdict::Reachable),
                ("eni-b", Verdict::Reachable),
                ("eni-c", Verdict::Reachable),
                ("eni-d", Verdict::Blocked),
                ("eni-b", Verdict::Blocked),
            ]
        );
        assert_eq!(pairs.iter().len(), 5);
        assert_eq!(pairs.get(2).map(|p| p.workload), Some("eni-c"));
        assert_eq!(pairs.get(5), None);
    }

    #[test]
    fn a_run_reads_back_as_its_pairs_pushed_one_by_one() {
        let n = usize::from(u16::MAX) + 5;
        let ids = (0..n + 1).map(|i| Arc::from(format!("eni-{i}")));
        let (mut one, mut run) = (Pairs::default(), Pairs::default());
        let (w1, w2) = (one.add_workloads(ids.clone()), run.add_workloads(ids));
        let (e1, e2) = (
            one.add_endpoint(Arc::from("vpce-1")),
            run.add_endpoint(Arc::from("vpce-1")),
        );
        let ok = Reasons::default();
        one.push((w1, e1), ok, Verdict::Blocked, (0, 2));
        run.push((w2, e2), ok, Verdict::Blocked, (0, 2));
        for i in 1..=n {
            one.push((w1.plus(i), e1), ok, Verdict::Reachable, (2, 2));
        }
        run.push_run((w2.plus(1), e2), n, ok, Verdict::Reachable, (2, 2));
        run.push_run((w2.plus(1), e2), 0, ok, Verdict::Reachable, (2, 2));
        assert_eq!(run.len(), n + 1);
        assert_eq!(one, run);
        assert_eq!(
            run.list.len(),
            3,
            "a blocked pair, then two runs of the longest size"
        );
    }

    #[test]
    fn equal_pairs_compare_equal_whatever_the_numbering() {
        let mut a = Pairs::default();
        let wa = a.add_workloads(["eni-x", "eni-a"].map(Arc::from));
        let ea = a.add_endpoint(Arc::from("vpce-1"));
        a.push(
            (wa.plus(1), ea),
            Reasons::default(),
            Verdict::Reachable,
            (2, 2),
        );
        let mut b = Pairs::default();
        let wb = b.add_workloads(["eni-a"].map(Arc::from));
        let eb = b.add_endpoint(Arc::from("vpce-1"));
        b.push((wb, eb), Reasons::default(), Verdict::Reachable, (2, 2));
        assert_eq!(a, b);
        b.push((wb, eb), Reasons::default(), Verdict::Blocked, (0, 2));
        assert_ne!(a, b);
    }
}
