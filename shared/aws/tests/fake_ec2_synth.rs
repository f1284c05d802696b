//! A synthetic account (`vpce_reach_synth`) served by the test kit's fake EC2 (EC2's XML
//! answers, paged), collected both ways: by `collect` (whole JSON documents, as the `snapshot`
//! command writes them) and by `collect_and_check_accounts` (each page loaded as it arrives,
//! as the functions and `check --live` do). Both must load into the same snapshot as the
//! generator's own JSON, the oracle. This checks the collection's conversions field by field
//! on realistic data, with real pages: the two routes share no conversion for security groups
//! and ENIs (`collect` goes through JSON documents, page-by-page loading converts the SDK's
//! types straight into the model's describe types, `SnapshotBuilder::add_items`), so
//! `loading_page_by_page_gives_the_snapshot_of_the_whole_documents` compares the typed route
//! with the JSON route and both with the oracle.

use vpce_reach_aws::{collect, collect_and_check_accounts, ec2_client, Clients, Dns, Scope};
use vpce_reach_model::snapshot::Snapshot;
use vpce_reach_model::{from_documents, RuleParameters};
use vpce_reach_synth::SynthParams;
use vpce_reach_testkit::{sdk_config, FakeEc2};

/// Asserts two snapshots hold the same resources and attributes, and check alike (notes
/// aside: the generator splits ENIs over several files).
fn assert_same(collected: &Snapshot, expected: &Snapshot) {
    assert_eq!(collected.vpcs, expected.vpcs);
    assert_eq!(collected.subnets, expected.subnets);
    assert_eq!(collected.route_tables, expected.route_tables);
    assert_eq!(collected.network_acls, expected.network_acls);
    assert_eq!(collected.security_groups, expected.security_groups);
    assert_eq!(collected.network_interfaces, expected.network_interfaces);
    assert_eq!(collected.vpc_endpoints, expected.vpc_endpoints);
    assert_eq!(collected.prefix_lists, expected.prefix_lists);
    assert_eq!(
        collected.prefix_lists_without_entries,
        expected.prefix_lists_without_entries
    );
    assert_eq!(collected.vpc_dns, expected.vpc_dns);
    // Coverage is not compared: a collection also reads the (empty) link calls, which the
    // generator writes no document for.
    let params = RuleParameters::default();
    let (ours, theirs) = (
        vpce_reach_model::check(collected, &params),
        vpce_reach_model::check(expected, &params),
    );
    assert_eq!(ours.findings, theirs.findings);
    assert_eq!(ours.pairs, theirs.pairs);
    assert_eq!(ours.missing, theirs.missing);
    assert_eq!(ours.on_path, theirs.on_path);
    // Notes differ by the same link calls: the generator's account "has no TGW attachments
    // output", the collected one has an empty one.
}

#[tokio::test]
async fn a_synthetic_account_collected_through_fake_ec2_loads_as_its_own_json() {
    let documents = vpce_reach_synth::generate(&SynthParams::medium());
    let expected = from_documents(documents.clone()).unwrap();
    let fake = FakeEc2::serve(&documents);
    let client = ec2_client(&sdk_config(&fake.endpoint_url())).await;
    let collected = collect(&client, &Scope::region(), &|_| {}).await.unwrap();
    assert!(
        fake.calls("DescribeNetworkInterfaces") >= 2,
        "medium has more ENIs than one page of 1,000"
    );
    let loaded = from_documents(collected.documents).unwrap();
    assert!(loaded.network_interfaces.len() > 1000);
    assert_same(&loaded, &expected);
}

#[tokio::test]
async fn loading_page_by_page_gives_the_snapshot_of_the_whole_documents() {
    let documents = vpce_reach_synth::generate(&SynthParams::medium());
    let expected = from_documents(documents.clone()).unwrap();
    let fake = FakeEc2::serve(&documents);
    let clients = Clients::new(&sdk_config(&fake.endpoint_url()));
    let params = RuleParameters::default();
    let checked =
        collect_and_check_accounts(&clients, &[], &Scope::region(), Dns::Off, &params, &|_| {})
            .await
            .unwrap();
    assert!(fake.calls("DescribeNetworkInterfaces") >= 2);
    // The typed route (security groups and ENIs without JSON) against the oracle, and
    // against the JSON route's documents collected from the same fake.
    assert_same(&checked.snapshot, &expected);
    let client = ec2_client(&sdk_config(&fake.endpoint_url())).await;
    let by_json = collect(&client, &Scope::region(), &|_| {}).await.unwrap();
    assert_same(
        &checked.snapshot,
        &from_documents(by_json.documents).unwrap(),
    );
    assert_eq!(
        checked.report,
        vpce_reach_model::check(&checked.snapshot, &params)
    );
}
