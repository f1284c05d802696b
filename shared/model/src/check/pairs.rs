//! The report's required pairs, stored compactly (issue 14): a hub-and-spoke organisation has
//! millions of them, and a result carrying two shared ids (56 bytes, two reference counts to
//! bump) was most of a clean check's time and memory. Each pair is 16 bytes here: numbers
//! into the report's tables of workload and endpoint ids, its reasons, verdict and counts.
//! Readers get [`PairResult`] views.

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

/// One pair as stored.
#[derive(Debug, Clone, Copy)]
struct Packed {
    workload: WorkloadNo,
    endpoint: EndpointNo,
    reasons: Reasons,
    verdict: Verdict,
    reached: u16,
    targets: u16,
}

/// Every required pair of a report, by VPC, then endpoint, then workload.
#[derive(Default, Clone)]
pub struct Pairs {
    /// Workload ENI ids, numbered by [`WorkloadNo`] (the check's workloads, some possibly
    /// without a required pair).
    workloads: Vec<Arc<str>>,
    /// Endpoint ids, numbered by [`EndpointNo`].
    endpoints: Vec<Arc<str>>,
    list: Vec<Packed>,
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

    /// Room for `n` more pairs.
    pub(super) fn reserve(&mut self, n: usize) {
        self.list.reserve(n);
    }

    /// Adds a pair.
    pub(super) fn push(
        &mut self,
        (workload, endpoint): (WorkloadNo, EndpointNo),
        reasons: Reasons,
        verdict: Verdict,
        (reached, targets): (usize, usize),
    ) {
        self.list.push(Packed {
            workload,
            endpoint,
            reasons,
            verdict,
            reached: to_u16(reached),
            targets: to_u16(targets),
        });
    }

    /// How many required pairs.
    pub fn len(&self) -> usize {
        self.list.len()
    }

    /// True when no pair is required.
    pub fn is_empty(&self) -> bool {
        self.list.is_empty()
    }

    /// The pair at `index`, in report order.
    pub fn get(&self, index: usize) -> Option<PairResult<'_>> {
        self.list.get(index).map(|p| self.view(p))
    }

    /// The pairs in report order.
    pub fn iter(&self) -> Iter<'_> {
        Iter {
            pairs: self,
            list: self.list.iter(),
        }
    }

    fn view<'r>(&'r self, p: &Packed) -> PairResult<'r> {
        PairResult {
            workload: &self.workloads[p.workload.0 as usize],
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
}

impl<'r> Iterator for Iter<'r> {
    type Item = PairResult<'r>;

    fn next(&mut self) -> Option<PairResult<'r>> {
        self.list.next().map(|p| self.pairs.view(p))
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        self.list.size_hint()
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
