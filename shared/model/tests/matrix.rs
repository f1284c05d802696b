//! `matrices` (issue 19): the report as per-VPC matrices of workload groups x endpoints. On the
//! demo, the blocked cells blame the components events/demo/README.md names; on synthetic
//! accounts, merged or not, every required pair is counted in exactly one cell and every blame
//! is one of its pair's findings.

use std::path::Path;

use vpce_reach_model::snapshot::SnapshotBuilder;
use vpce_reach_model::{
    check, load_dir, matrices, CellState, Direction, FindingCode, Matrices, Report, RuleParameters,
    Snapshot, Verdict, VpcMatrix,
};

fn demo() -> (Snapshot, RuleParameters) {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../events/demo");
    (load_dir(&dir).unwrap(), RuleParameters::default())
}

fn matrix<'m>(m: &'m Matrices, vpc: &str) -> &'m VpcMatrix {
    m.vpcs
        .iter()
        .find(|v| &*v.vpc == vpc)
        .unwrap_or_else(|| panic!("no matrix for {vpc}"))
}

/// (state, blamed component, code, direction) of the cell of the row holding `eni`.
fn cell_of(
    m: &VpcMatrix,
    eni: &str,
    endpoint: &str,
) -> (CellState, Option<(String, FindingCode, Option<Direction>)>) {
    let row = m
        .rows
        .iter()
        .find(|r| r.examples.iter().any(|e| &**e == eni))
        .unwrap_or_else(|| panic!("no row holds {eni}"));
    let col = m.endpoints.iter().position(|e| &*e.id == endpoint).unwrap();
    let cell = &row.cells[col];
    let blame = cell
        .blame
        .as_ref()
        .map(|b| (b.component.to_string(), b.code, b.direction));
    (cell.state(), blame)
}

#[test]
fn demo_cells_blame_the_first_blocking_component() {
    let (snap, params) = demo();
    let report = check(&snap, &params);
    let m = matrices(&snap, &params, &report, 40);
    let a = matrix(&m, "vpc-0f3c8e21d4b7a695a");
    // Columns by service name: s3 before ssm (other endpoints may join the demo).
    let column = |id: &str| a.endpoints.iter().position(|e| &*e.id == id).unwrap();
    assert!(column("vpce-0f4b8d2a6c9e13a57") < column("vpce-0a7c3e9f1b5d28e64"));
    assert!(!a.merged());
    // VPC B's private zone resolves ssm to A's endpoint (R7 across VPCs), but B has no route
    // to A: B is A's spoke, its workload blocked at its own route table.
    assert_eq!(
        a.spokes.iter().map(|s| &**s).collect::<Vec<_>>(),
        ["vpc-06b2d9e4c1a8f370b"]
    );
    assert_eq!(
        cell_of(a, "eni-0f6c1a8d3e9b54d27", "vpce-0a7c3e9f1b5d28e64"),
        (
            CellState::Blocked,
            Some((
                "rtb-06f1c3e8a5d2b97c4".to_string(),
                FindingCode::NoRouteToDestination,
                Some(Direction::Egress)
            ))
        )
    );
    let sg = |id: &str| {
        Some((
            id.to_string(),
            FindingCode::EniSgRulesMismatch,
            Some(Direction::Egress),
        ))
    };
    assert_eq!(
        cell_of(a, "eni-05d9a3f7c2e1b8d64", "vpce-0a7c3e9f1b5d28e64"),
        (CellState::Blocked, sg("sg-0b3a8e6d2f5c94a17"))
    );
    assert_eq!(
        cell_of(a, "eni-0c8e2f6b4a9d17a35", "vpce-0f4b8d2a6c9e13a57"),
        (CellState::Blocked, sg("sg-08e4c2a7f1b9d6e35"))
    );
    assert_eq!(
        cell_of(a, "eni-0a1f5c8e3d7b29f46", "vpce-0a7c3e9f1b5d28e64"),
        (CellState::Reachable, None)
    );
    // VPC B: the endpoint subnet's NACL drops the replies (the endpoint itself, blamed by
    // R5, is not the first blocking hop).
    let b = matrix(&m, "vpc-06b2d9e4c1a8f370b");
    assert_eq!(
        cell_of(b, "eni-0f6c1a8d3e9b54d27", "vpce-0c2e6a9d3f7b41c85").1,
        Some((
            "acl-0c4d7b2a9e5f13c68".to_string(),
            FindingCode::SubnetAclRestriction,
            Some(Direction::ReturnEgress)
        ))
    );
    // The hub: its rows are its spoke's workloads, blamed on the hub's return route.
    let hub = matrix(&m, "vpc-0c7d1e4a9b2f6385e");
    assert_eq!(hub.spokes.len(), 1);
    assert_eq!(&*hub.spokes[0], "vpc-0e2a9c5d7f1b4e683");
    assert_eq!(&*hub.rows[0].keys[0].vpc, "vpc-0e2a9c5d7f1b4e683");
    assert_eq!(
        cell_of(hub, "eni-0b5d9f3a1e7c2468d", "vpce-0d5f1b8e3a6c9247f").1,
        Some((
            "rtb-0a6c2e8f4b1d9357c".to_string(),
            FindingCode::NoRouteToDestination,
            Some(Direction::ReturnEgress)
        ))
    );
    // The DNS spokes have no endpoint, in their VPC or across a link.
    let unserved: Vec<(&str, usize)> = m.unserved.iter().map(|(v, n)| (&**v, *n)).collect();
    assert!(
        unserved.contains(&("vpc-0c7d2e9a4f1b63c58", 1)),
        "{unserved:?}"
    );
    assert!(
        unserved.contains(&("vpc-0d9e4a1c7b3f25d86", 1)),
        "{unserved:?}"
    );
}

#[test]
fn rows_that_say_the_same_thing_merge_past_the_limit() {
    let (snap, params) = demo();
    let report = check(&snap, &params);
    let whole = matrices(&snap, &params, &report, 40);
    let merged = matrices(&snap, &params, &report, 0);
    let (before, after) = (
        matrix(&whole, "vpc-0f3c8e21d4b7a695a"),
        matrix(&merged, "vpc-0f3c8e21d4b7a695a"),
    );
    // The groups that reach every endpoint become one row (four in today's demo); each
    // broken group keeps its own, with its blame.
    assert!(after.rows.len() < before.rows.len(), "{:#?}", after.rows);
    assert!(after.merged() && after.groups == before.rows.len());
    let reaching = after
        .rows
        .iter()
        .find(|r| r.examples.iter().any(|e| &**e == "eni-0a1f5c8e3d7b29f46"))
        .unwrap();
    assert!(reaching.keys.len() > 1 && reaching.workloads == reaching.keys.len());
    assert_eq!(
        cell_of(after, "eni-05d9a3f7c2e1b8d64", "vpce-0a7c3e9f1b5d28e64"),
        cell_of(before, "eni-05d9a3f7c2e1b8d64", "vpce-0a7c3e9f1b5d28e64")
    );
    assert_counts(&merged, &report);
}

/// Every required pair is in exactly one cell, with its verdict; every cell counts each of
/// its row's workloads once; every blame is one of its pair's findings.
fn assert_counts(m: &Matrices, report: &Report) {
    let (mut reachable, mut blocked, mut unproven) = (0, 0, 0);
    for vpc in &m.vpcs {
        for row in &vpc.rows {
            assert_eq!(row.cells.len(), vpc.endpoints.len());
            for (cell, ep) in row.cells.iter().zip(&vpc.endpoints) {
                assert_eq!(cell.workloads(), row.workloads, "{row:?}");
                reachable += cell.reachable;
                blocked += cell.blocked;
                unproven += cell.unproven;
                assert_eq!(cell.blame.is_some(), cell.blocked > 0, "{cell:?}");
                if let Some(b) = &cell.blame {
                    // An endpoint-level hop (state, policy, DNS) is blamed by a finding
                    // without a source.
                    let found = report.findings.iter().any(|f| {
                        f.component == b.component
                            && f.code == b.code
                            && f.endpoint.as_deref() == Some(&*ep.id)
                            && f.source.as_ref().is_none_or(|s| *s == b.workload)
                    });
                    assert!(found, "{b:?} is no finding of {}", ep.id);
                }
            }
        }
    }
    let count = |v: Verdict| report.pairs.iter().filter(|p| p.verdict == v).count();
    assert_eq!(reachable, count(Verdict::Reachable));
    assert_eq!(blocked, count(Verdict::Blocked));
    assert_eq!(unproven, count(Verdict::Unknown));
}

#[test]
fn synthetic_accounts_count_every_pair_once_merged_or_not() {
    for seed in 1..=2 {
        let mut synth = vpce_reach_synth::SynthParams::small().with_seed(seed);
        synth.misconfig_percent = 30;
        let mut b = SnapshotBuilder::new();
        for (name, doc) in vpce_reach_synth::generate(&synth) {
            b.add_json(&name, &doc.to_string()).unwrap();
        }
        let snap = b.finish();
        let params = RuleParameters::default();
        let report = check(&snap, &params);
        assert!(report.pairs.iter().any(|p| p.verdict == Verdict::Blocked));
        for max_rows in [0, 5, 1000] {
            let m = matrices(&snap, &params, &report, max_rows);
            assert_counts(&m, &report);
            assert!(m.vpcs.iter().all(|v| v.merged() == (v.groups > max_rows)));
        }
    }
}
