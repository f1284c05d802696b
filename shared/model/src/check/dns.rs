//! R6 with DNS (docs/spec.md section 10): a required service is satisfied, in a VPC with
//! workloads, by whatever its names resolve to from that VPC; when they resolve to no endpoint
//! of the service, one finding for the most specific known cause (a `DNS_*` code, replacing
//! `NO_ENDPOINT_FOR_SERVICE`), else `NO_ENDPOINT_FOR_SERVICE` with the DNS reason in its detail.
//!
//! Decided per (VPC, service) from the snapshot alone, after the pairs: `check` and
//! `check_exact` run this same code once, so they agree on it.

use crate::dns::verdict::{self, Blame, Cause, Local};
use crate::dns::Gap;
use crate::endpoint::{Endpoint, EndpointKind};
use crate::finding::Finding;
use crate::snapshot::Snapshot;

use super::{MissingData, Report};

/// What DNS says of one required service in one VPC.
pub(super) enum Outcome {
    /// Satisfied (an endpoint of the service answers), or left to the pair hops (a local
    /// endpoint whose private DNS or VPC attributes the hops judge): nothing to add.
    Done,
    /// A finding (replaces `NO_ENDPOINT_FOR_SERVICE`).
    Finding(Finding),
    /// No endpoint, and this is the DNS reason, for `NO_ENDPOINT_FOR_SERVICE`'s detail.
    NoEndpoint(String),
    /// DNS cannot decide (no DNS data, no full service name): as before issue 15.
    NotChecked,
}

/// Decides one required `service` for `vpc` (whose local endpoints are `local`): the verdict
/// of `dns::verdict`, the one the DNS hops of the VPC's cross-VPC pairs read too.
pub(super) fn decide(
    snap: &Snapshot,
    vpc: &str,
    service: &str,
    local: &[&Endpoint],
    report: &mut Report,
) -> Outcome {
    let local = Local {
        gateway: local.iter().any(|e| e.kind == EndpointKind::Gateway),
        interface: local.iter().any(|e| e.kind == EndpointKind::Interface),
    };
    match verdict::required_service(snap, vpc, service, local) {
        Cause::Served(_) | Cause::Local => Outcome::Done,
        Cause::Blocked(blame) => Outcome::Finding(finding(blame)),
        Cause::NotAmazonProvided(blame, gap) => {
            unproven(vpc, service, &gap, report);
            Outcome::Finding(finding(blame))
        }
        Cause::Unproven(gap) => {
            unproven(vpc, service, &gap, report);
            Outcome::Done
        }
        Cause::NoEndpoint(why) => Outcome::NoEndpoint(why),
        Cause::NotChecked => Outcome::NotChecked,
    }
}

fn unproven(vpc: &str, service: &str, gap: &Gap, report: &mut Report) {
    report.missing.insert(MissingData {
        resource: vpc.to_string(),
        what: format!("what {service} resolves to from {vpc}: {}", gap.describe()),
    });
}

fn finding(blame: Blame) -> Finding {
    let Blame {
        code,
        component,
        problem,
        fix,
    } = blame;
    Finding {
        code,
        component: component.into(),
        direction: None,
        source: None,
        endpoint: None,
        detail: format!("{problem}. Fix: {fix}"),
        account: None,
        problem: problem.into(),
        fix: fix.into(),
        traffic: "".into(),
    }
}
