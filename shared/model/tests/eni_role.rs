//! `intent::eni_role`: the part of the workload rule an ENI's own record decides, as the Config
//! rule applies it to a configuration item without a snapshot. It must agree with
//! `intent::is_workload` on every ENI of a snapshot.

use vpce_reach_model::snapshot::{load, Snapshot, SnapshotBuilder};
use vpce_reach_model::{eni_role, is_workload, EniFacts, EniRole, RuleParameters};

fn facts<'a>(
    interface_type: Option<&'a str>,
    requester_managed: bool,
    description: &'a str,
    status: &'a str,
) -> EniFacts<'a> {
    EniFacts {
        interface_type,
        requester_managed,
        description: Some(description),
        status: Some(status),
    }
}

#[test]
fn roles_of_the_common_enis() {
    let cases = [
        (facts(Some("interface"), false, "web-1", "in-use"), EniRole::Workload),
        (facts(None, false, "", "in-use"), EniRole::Workload),
        (
            facts(Some("interface"), true, "arn:aws:ecs:us-east-1:123456789012:attachment/0f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b", "in-use"),
            EniRole::Workload,
        ),
        (
            facts(Some("lambda"), true, "AWS Lambda VPC ENI-orders-0f1e2d3c", "in-use"),
            EniRole::Workload,
        ),
        (
            facts(Some("interface"), true, "RDSNetworkInterface", "in-use"),
            EniRole::Infrastructure,
        ),
        (
            facts(Some("interface"), true, "ELB app/web/0f1e2d3c4b5a6978", "in-use"),
            EniRole::Infrastructure,
        ),
        (
            facts(Some("nat_gateway"), true, "Interface for NAT Gateway nat-0f1e", "in-use"),
            EniRole::OtherType("nat_gateway"),
        ),
        (
            facts(Some("vpc_endpoint"), true, "VPC Endpoint Interface vpce-0f1e", "in-use"),
            EniRole::OtherType("vpc_endpoint"),
        ),
        (
            facts(Some("interface"), false, "spare", "available"),
            EniRole::Detached,
        ),
        // An ECS task ENI created but not attached yet.
        (
            facts(Some("interface"), true, "arn:aws:ecs:us-east-1:123456789012:attachment/0f1e", "available"),
            EniRole::Detached,
        ),
    ];
    for (f, role) in cases {
        assert_eq!(eni_role(f), role, "{f:?}");
    }
}

/// Every ENI of `snap`: the role alone decides, but for an endpoint's own ENI.
fn assert_agrees(snap: &Snapshot, what: &str) {
    let params = RuleParameters::default();
    let mut roles = std::collections::BTreeSet::new();
    for eni in snap.network_interfaces.values() {
        let role = eni_role(EniFacts::of(eni));
        roles.insert(format!("{role:?}"));
        let endpoint_eni = snap
            .index
            .eni_endpoint
            .contains_key(&eni.network_interface_id);
        let expected = role == EniRole::Workload && !endpoint_eni;
        assert_eq!(
            is_workload(snap, eni, &params),
            expected,
            "{what}: {}",
            eni.network_interface_id
        );
    }
    assert!(roles.len() > 1, "{what}: only {roles:?}");
}

#[test]
fn eni_role_agrees_with_is_workload_on_the_demo() {
    let dir = std::path::Path::new(
        &std::env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR"),
    )
    .join("../../events/demo");
    assert_agrees(&load::load_dir(&dir).unwrap(), "demo");
}

#[test]
fn eni_role_agrees_with_is_workload_on_synthetic_accounts() {
    for seed in 1..=3 {
        let params = vpce_reach_synth::SynthParams::small().with_seed(seed);
        let mut b = SnapshotBuilder::new();
        for (name, doc) in vpce_reach_synth::generate(&params) {
            b.add_json(&name, &doc.to_string()).unwrap();
        }
        assert_agrees(&b.finish(), &format!("seed {seed}"));
    }
}
