//! The exact judge of [`check_exact`](super::check_exact): every pair's reasons decided by
//! `intent` and its path traced by `path`, on its own, as `explain` does. It shares nothing
//! with the fast path: it is the oracle the property tests compare `check` with.

use crate::intent::{self, Reasons};
use crate::params::RuleParameters;
use crate::path::{self, PairTrace};
use crate::snapshot::Snapshot;

use super::cross::{self, RemoteVerdict, RemoteVpc};
use super::findings::PairHops;
use super::ids::WorkloadIdx;
use super::vpc::{EndpointFacts, Judge};
use super::workloads::VpcWorkloads;

/// Traces every pair.
pub(super) struct ExactJudge<'w> {
    pub snap: &'w Snapshot,
    pub params: &'w RuleParameters,
}

impl<'w> Judge<'w> for ExactJudge<'w> {
    type Endpoint = ();
    type Evidence = PairTrace;

    fn start_endpoint(&mut self, _: &mut VpcWorkloads<'w>, _: &EndpointFacts<'w, '_>) {}

    fn judge(
        &mut self,
        vw: &VpcWorkloads<'w>,
        facts: &EndpointFacts<'w, '_>,
        _: &mut (),
        w: WorkloadIdx,
    ) -> (Reasons, PairTrace) {
        let workload = vw.list[w];
        let reasons = intent::reasons(self.snap, self.params, workload, facts.ep);
        let trace = path::trace(self.snap, self.params, workload, facts.ep);
        (reasons, trace)
    }

    fn reached(&self, trace: &PairTrace) -> usize {
        trace.reached()
    }

    fn targets(&self, facts: &EndpointFacts<'w, '_>, trace: &PairTrace) -> usize {
        // A stopped endpoint's trace has no target; its pairs fail on the state hop. A
        // gateway pair's families may give it other targets than the prefix list (an IPv6
        // leg, no usable family: docs/spec.md V4), as the fast judge's traced pairs count.
        if facts.stopped {
            facts.targets
        } else {
            trace.targets.len()
        }
    }

    fn hops<'h>(
        &'h mut self,
        _: &VpcWorkloads<'w>,
        _: &EndpointFacts<'w, 'h>,
        _: &mut (),
        _: WorkloadIdx,
        trace: &'h PairTrace,
    ) -> PairHops<'h> {
        PairHops::of(trace)
    }

    fn remote(
        &mut self,
        facts: &EndpointFacts<'w, '_>,
        vpc: &RemoteVpc<'_, 'w>,
        out: &mut Vec<(RemoteVerdict, usize)>,
    ) {
        out.extend(vpc.list.iter().map(|r| {
            let verdict = cross::exact_remote(
                self.snap,
                self.params,
                r.workload,
                facts.ep,
                vpc.served_locally,
            );
            (verdict, 1)
        }));
    }
}
