//! The template's `Timeout` for the Config rule covers, by design, a scheduled run of the large
//! synthetic account at the template's `MemorySize`: its collection and check (measured by
//! `scripts/bench-lambda.sh`, BENCHMARKS.md "The Config rule at scale", scaled to the CPU share
//! Lambda gives that memory size, with headroom), then every `PutEvaluations` batch of a first
//! run at the budget the put phase asks for before the first batch (put.rs: the deadline
//! margin plus `BATCH_BUDGET` per batch). A run that would not fit fails before its first batch
//! (`DeadlineTooClose`) rather than being cut off: this test keeps the shipped timeout above
//! that line for the account size the project measures.

use std::time::Duration;

use vpce_reach_config_rule::put::{BATCH_BUDGET, BATCH_SIZE, DEADLINE_MARGIN};
use vpce_reach_testkit::template_function;

/// Evaluations a first scheduled run of the large account puts (BENCHMARKS.md).
const LARGE_EVALUATIONS: usize = 2_532;

/// The large account's collection and check at 128 MB, with headroom for API latency and
/// retries: BENCHMARKS.md ("The Config rule at scale") gives the CPU time measured and the
/// share of a vCPU Lambda allots 128 MB.
const LARGE_COLLECT_AND_CHECK: Duration = Duration::from_secs(60);

#[test]
fn the_timeout_covers_collection_and_every_put_batch_of_the_large_account() {
    let timeout = template_function("ConfigRuleFunction").timeout;
    let batches = LARGE_EVALUATIONS.div_ceil(BATCH_SIZE);
    assert_eq!(batches, 26);
    let put = DEADLINE_MARGIN + BATCH_BUDGET * u32::try_from(batches).unwrap();
    assert_eq!(
        put,
        Duration::from_secs(80),
        "the budget asked before the first batch"
    );
    assert!(
        timeout >= LARGE_COLLECT_AND_CHECK + put,
        "Timeout {timeout:?} < {LARGE_COLLECT_AND_CHECK:?} collection and check + {put:?} put"
    );
}
