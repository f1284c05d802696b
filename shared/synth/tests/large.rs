//! The large preset generates (its time is printed, not asserted) and matches its parameters.

mod common;

use common::{assert_no_duplicate_rules, check_counts};
use std::time::Instant;
use vpce_reach_synth::{count_objects, generate, SynthParams};

#[test]
fn large_preset_generates_with_the_stated_sizes() {
    let p = SynthParams::large();
    let start = Instant::now();
    let docs = generate(&p);
    eprintln!(
        "large: generated {} documents in {:?}",
        docs.len(),
        start.elapsed()
    );
    let c = count_objects(&docs);
    assert_eq!(c["Vpcs"], 10);
    assert_eq!(c["NetworkInterfaces"], 10_000 + 150 * 3);
    assert_eq!(c["SecurityGroups"], 2_000 + 10);
    assert_eq!(c["NetworkAcls"], 300 + 10);
    assert_eq!(c["VpcEndpoints"], 152);
    check_counts(&p, &docs);
    // What AWS can hold: no entry repeated (the generator once wrote 39,825 rules of which
    // 29,779 were distinct); still about `rules_per_sg` rules per group.
    let rules = assert_no_duplicate_rules(&docs);
    assert!(rules >= 2_000 * 15, "{rules} rules");
}
