//! DNS names: domain matching, wildcards, and the names of an endpoint service
//! (docs/spec.md D8).
//!
//! Every name here is in the form Route 53 stores ([`crate::snapshot::dns::normalise_name`]):
//! lower case, a trailing dot, a wildcard label as `\052`.

use crate::snapshot::dns::normalise_name;
use crate::snapshot::Snapshot;

/// The wildcard label as Route 53 stores it.
pub(crate) const WILDCARD: &str = "\\052";

/// The label that stands for "any name" when a wildcard name of a service is resolved:
/// `\052.dkr.ecr.<region>.amazonaws.com.` is resolved as `vpce-reach-probe.dkr.ecr…`.
const PROBE: &str = "vpce-reach-probe";

/// True when `name` is `domain` or a subdomain of it (both normalised). The root `.` holds
/// every name.
pub(crate) fn within(name: &str, domain: &str) -> bool {
    domain == "." || name == domain || name.ends_with(&format!(".{domain}"))
}

/// The number of labels of a normalised name (`.` has none): the specificity of a domain.
pub(crate) fn labels(name: &str) -> usize {
    name.trim_end_matches('.')
        .split('.')
        .filter(|l| !l.is_empty())
        .count()
}

/// The parent of a normalised name (`a.b.` → `b.`; `b.` → `.`), `None` for the root.
pub(crate) fn parent(name: &str) -> Option<&str> {
    if name == "." {
        return None;
    }
    match name.split_once('.') {
        Some((_, rest)) if !rest.is_empty() => Some(rest),
        _ => Some("."),
    }
}

/// The name a resolver is asked for: a wildcard name becomes a probe name under it.
pub(crate) fn query_name(name: &str) -> String {
    match name.strip_prefix(WILDCARD) {
        Some(rest) => format!("{PROBE}{rest}"),
        None => name.to_string(),
    }
}

/// True when the normalised name has a wildcard first label.
pub(crate) fn is_wildcard(name: &str) -> bool {
    name.starts_with(WILDCARD)
}

/// Where a service's names came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NamesFrom {
    /// `describe-vpc-endpoint-services` (`PrivateDnsNames`, else `PrivateDnsName`).
    EndpointServices,
    /// Derived from the service name (docs/spec.md D8): the snapshot does not list the service.
    Derived,
}

/// The private DNS names of an endpoint service, the main name first: from the snapshot's
/// `describe-vpc-endpoint-services` output when it lists the service, else derived.
pub(crate) fn service_names(snap: &Snapshot, service: &str) -> (Vec<String>, NamesFrom) {
    if let Some(detail) = snap.dns.services.get(service) {
        let mut names: Vec<String> = detail
            .private_dns_name
            .iter()
            .cloned()
            .chain(
                detail
                    .private_dns_names
                    .iter()
                    .map(|n| n.private_dns_name.clone()),
            )
            .collect();
        dedup_keep_order(&mut names);
        if !names.is_empty() {
            // The main name is the non-wildcard one when there is one.
            names.sort_by_key(|n| is_wildcard(n));
            return (names, NamesFrom::EndpointServices);
        }
    }
    (derived_names(service), NamesFrom::Derived)
}

fn dedup_keep_order(names: &mut Vec<String>) {
    let mut seen = std::collections::BTreeSet::new();
    names.retain(|n| seen.insert(n.clone()));
}

/// D8: `com.amazonaws.<region>.<a>.<b>` → `<b>.<a>.<region>.amazonaws.com.` (the labels after
/// the region reversed: `ecr.api` → `api.ecr`, `ecr.dkr` → `dkr.ecr`); China regions
/// (`cn.com.amazonaws.…`) end in `amazonaws.com.cn.`. S3 and `ecr.dkr` add the wildcard name
/// their clients use (bucket and registry names). A service name of another form (a
/// PrivateLink service, `com.amazonaws.vpce.…`) has no derivable name: none.
pub(crate) fn derived_names(service: &str) -> Vec<String> {
    let (rest, suffix) = if let Some(rest) = service.strip_prefix("cn.com.amazonaws.") {
        (rest, "amazonaws.com.cn")
    } else if let Some(rest) = service.strip_prefix("com.amazonaws.") {
        (rest, "amazonaws.com")
    } else {
        return Vec::new();
    };
    let Some((region, svc)) = rest.split_once('.') else {
        return Vec::new();
    };
    if region == "vpce" || svc.is_empty() {
        return Vec::new();
    }
    let reversed: Vec<&str> = svc.rsplit('.').collect();
    let main = normalise_name(&format!("{}.{region}.{suffix}", reversed.join(".")));
    let mut names = vec![main.clone()];
    if matches!(svc, "s3" | "ecr.dkr") {
        names.push(format!("{WILDCARD}.{main}"));
    }
    names
}

/// The near misses of `name` among `zone_names`: a zone named with the labels of the
/// service part in another order (`ecr.api.<region>…` for `api.ecr.<region>…`).
pub(crate) fn near_miss<'z>(name: &str, zone_names: impl Iterator<Item = &'z str>) -> Vec<&'z str> {
    let mut sorted_name: Vec<&str> = name.trim_end_matches('.').split('.').collect();
    sorted_name.sort_unstable();
    zone_names
        .filter(|z| *z != name && !within(name, z))
        .filter(|z| {
            let mut labels: Vec<&str> = z.trim_end_matches('.').split('.').collect();
            labels.sort_unstable();
            labels == sorted_name
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn derived_names_reverse_the_service_labels() {
        assert_eq!(
            derived_names("com.amazonaws.ap-northeast-1.ecr.api"),
            ["api.ecr.ap-northeast-1.amazonaws.com."]
        );
        assert_eq!(
            derived_names("com.amazonaws.ap-northeast-1.ecr.dkr"),
            [
                "dkr.ecr.ap-northeast-1.amazonaws.com.",
                "\\052.dkr.ecr.ap-northeast-1.amazonaws.com."
            ]
        );
        assert_eq!(
            derived_names("com.amazonaws.us-east-1.s3")[1],
            "\\052.s3.us-east-1.amazonaws.com."
        );
        assert_eq!(
            derived_names("cn.com.amazonaws.cn-north-1.ssm"),
            ["ssm.cn-north-1.amazonaws.com.cn."]
        );
        assert!(derived_names("com.amazonaws.vpce.us-east-1.vpce-svc-0123").is_empty());
    }

    #[test]
    fn a_name_is_within_its_domains() {
        assert!(within("a.b.c.", "b.c."));
        assert!(within("b.c.", "b.c."));
        assert!(!within("ab.c.", "b.c."));
        assert!(within("x.", "."));
        assert_eq!(labels("a.b.c."), 3);
        assert_eq!(labels("."), 0);
        assert_eq!(parent("a.b."), Some("b."));
        assert_eq!(parent("b."), Some("."));
        assert_eq!(parent("."), None);
    }

    #[test]
    fn the_wrong_form_of_a_name_is_a_near_miss() {
        let zones = ["ecr.api.x.amazonaws.com.", "ssm.x.amazonaws.com."];
        assert_eq!(
            near_miss("api.ecr.x.amazonaws.com.", zones.into_iter()),
            ["ecr.api.x.amazonaws.com."]
        );
    }
}
