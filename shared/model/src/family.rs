//! Which address families a workload/endpoint pair needs (docs/spec.md section 12, V10).
//!
//! The workload's families come from its ENI (a private IPv4 address, `Ipv6Addresses`) and
//! its subnet (IPv6-only, DNS64); the endpoint's from what its DNS answers (interface
//! endpoints: `IpAddressType` and `DnsOptions.DnsRecordIpType`, V1, V2) or what it carries
//! (gateway endpoints: `IpAddressType` and its prefix list's entries, V4). A family the
//! snapshot cannot say is missing data, never a verdict.

use crate::snapshot::{NetworkInterface, Snapshot, VpcEndpoint};

/// An address family.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Family {
    /// IPv4.
    V4,
    /// IPv6.
    V6,
}

/// The families a holder of addresses has (a workload), or answers (an endpoint's DNS: A for
/// IPv4, AAAA for IPv6).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Families {
    /// IPv4 (an address; an A record).
    pub v4: bool,
    /// IPv6 (an address; an AAAA record).
    pub v6: bool,
}

impl Families {
    const V4: Families = Families {
        v4: true,
        v6: false,
    };
    const V6: Families = Families {
        v4: false,
        v6: true,
    };
    const BOTH: Families = Families { v4: true, v6: true };
}

/// An endpoint's `IpAddressType` (V1, V4).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum IpAddressType {
    /// `ipv4`, and the type of an endpoint that does not say (older dumps).
    Ipv4,
    /// `dualstack`.
    Dualstack,
    /// `ipv6`.
    Ipv6,
}

impl IpAddressType {
    /// The endpoint's type; an unknown value is an error naming it.
    pub(crate) fn of(ep: &VpcEndpoint) -> Result<Self, String> {
        match ep
            .ip_address_type
            .as_deref()
            .map(str::to_ascii_lowercase)
            .as_deref()
        {
            None | Some("ipv4") => Ok(IpAddressType::Ipv4),
            Some("dualstack") => Ok(IpAddressType::Dualstack),
            Some("ipv6") => Ok(IpAddressType::Ipv6),
            Some(_) => Err(format!(
                "{}: unknown `IpAddressType` {:?}",
                ep.vpc_endpoint_id,
                ep.ip_address_type.as_deref().unwrap_or_default()
            )),
        }
    }

    /// The families the endpoint's ENIs have addresses of.
    fn families(self) -> Families {
        match self {
            IpAddressType::Ipv4 => Families::V4,
            IpAddressType::Dualstack => Families::BOTH,
            IpAddressType::Ipv6 => Families::V6,
        }
    }
}

/// Which records an interface endpoint's names get (V2): `DnsRecordIpType`, else following
/// the address type. `service-defined` counts as both: the Regional and zonal names answer
/// AAAA and a client may use any of them.
pub(crate) fn interface_answers(ep: &VpcEndpoint) -> Result<Families, String> {
    let addresses = IpAddressType::of(ep)?.families();
    let record = ep
        .dns_options
        .as_ref()
        .and_then(|o| o.dns_record_ip_type.as_deref())
        .map(str::to_ascii_lowercase);
    let answers = match record.as_deref() {
        None => addresses,
        Some("ipv4") => Families::V4,
        Some("ipv6") => Families::V6,
        Some("dualstack" | "service-defined") => Families::BOTH,
        Some(other) => {
            return Err(format!(
                "{}: unknown `DnsOptions.DnsRecordIpType` {other:?}",
                ep.vpc_endpoint_id
            ))
        }
    };
    // AWS refuses a record type the address type cannot serve; a dump that has one anyway
    // answers only what the ENIs can hold.
    Ok(Families {
        v4: answers.v4 && addresses.v4,
        v6: answers.v6 && addresses.v6,
    })
}

/// The families of a workload ENI, and whether its subnet synthesizes DNS64 answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Client {
    /// The ENI's address families.
    pub families: Families,
    /// The subnet's `EnableDns64`.
    pub dns64: bool,
}

/// A workload ENI's families (V10): IPv4 with a private IPv4 address, IPv6 with
/// `Ipv6Addresses`; an ENI of an IPv6-only subnet has IPv6 only.
pub(crate) fn client(snap: &Snapshot, eni: &NetworkInterface) -> Result<Client, String> {
    let id = &eni.network_interface_id;
    let Some(subnet) = snap.subnets.get(&eni.subnet_id) else {
        return Err(format!(
            "subnet {} (of {id}) is not in the snapshot's describe-subnets output",
            eni.subnet_id
        ));
    };
    let v6 = !eni.ipv6_addresses.is_empty();
    let v4 = !subnet.ipv6_native
        && (eni.private_ip_address.is_some() || !eni.private_ip_addresses.is_empty());
    if subnet.ipv6_native && !v6 {
        return Err(format!(
            "{id} is in the IPv6-only subnet {} but the snapshot shows no `Ipv6Addresses`",
            eni.subnet_id
        ));
    }
    if !v4 && !v6 {
        return Err(format!("{id} has no IPv4 or IPv6 address in the snapshot"));
    }
    Ok(Client {
        families: Families { v4, v6 },
        dns64: subnet.enable_dns64,
    })
}

/// Why no answer of the endpoint is usable by the workload: the pair is blocked (V10).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Unusable {
    /// An IPv4-only workload, an endpoint that answers AAAA only.
    Ipv6OnlyEndpoint,
    /// An IPv6-only workload, an interface endpoint that answers A only, no DNS64.
    Ipv4OnlyEndpointNoDns64,
    /// An IPv6-only workload, a gateway endpoint that carries IPv4 only (V4: the workload
    /// never uses it; DNS64 would send it through NAT, not the endpoint).
    Ipv4OnlyGateway,
}

/// What a pair needs (V10).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Need {
    /// One family's path.
    One(Family),
    /// Both families' paths (a dual-stack client of an endpoint answering both: V3).
    Both,
    /// An IPv6-only workload to an IPv4-only interface endpoint through DNS64 and a NAT64
    /// route (V9).
    Dns64,
    /// No usable answer: blocked.
    Unusable(Unusable),
    /// The snapshot cannot say: missing data, naming what is absent.
    Missing(String),
}

/// Which kind of endpoint answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Via {
    /// An interface endpoint, through DNS (DNS64 applies).
    Interface,
    /// A gateway endpoint, through its prefix-list route (DNS64 does not bring traffic to it).
    Gateway,
}

/// The decision table of V10: the workload's families against the endpoint's answers.
pub(crate) fn need(client: Client, answers: Families, via: Via) -> Need {
    let usable = Families {
        v4: client.families.v4 && answers.v4,
        v6: client.families.v6 && answers.v6,
    };
    match (usable.v4, usable.v6) {
        (true, true) => Need::Both,
        (true, false) => Need::One(Family::V4),
        (false, true) => Need::One(Family::V6),
        (false, false) if client.families.v6 && answers.v4 => match via {
            Via::Interface if client.dns64 => Need::Dns64,
            Via::Interface => Need::Unusable(Unusable::Ipv4OnlyEndpointNoDns64),
            Via::Gateway => Need::Unusable(Unusable::Ipv4OnlyGateway),
        },
        (false, false) => Need::Unusable(Unusable::Ipv6OnlyEndpoint),
    }
}

/// What a workload ENI needs to reach an interface endpoint: [`need`] from the snapshot, with
/// the endpoint ENIs' IPv6 addresses required when IPv6 is needed (V1: moto and older
/// collections give none).
pub(crate) fn interface_need(snap: &Snapshot, eni: &NetworkInterface, ep: &VpcEndpoint) -> Need {
    interface_need_of(client(snap, eni), interface_answers(ep), || {
        endpoint_ipv6_gap(snap, ep)
    })
}

/// [`interface_need`] from its parts, for a caller that keeps them (the workload's
/// [`client`], the endpoint's [`interface_answers`] and the gap in its ENIs' IPv6 addresses,
/// asked only when IPv6 is needed).
pub(crate) fn interface_need_of(
    client: Result<Client, String>,
    answers: Result<Families, String>,
    ipv6_gap: impl FnOnce() -> Option<String>,
) -> Need {
    let decided = client.and_then(|c| Ok(need(c, answers?, Via::Interface)));
    let need = match decided {
        Ok(need) => need,
        Err(missing) => return Need::Missing(missing),
    };
    if matches!(need, Need::Both | Need::One(Family::V6)) {
        if let Some(gap) = ipv6_gap() {
            return Need::Missing(gap);
        }
    }
    need
}

/// [`gateway_need`] from its parts, as [`interface_need_of`].
pub(crate) fn gateway_need_of(
    client: Result<Client, String>,
    answers: Result<Families, String>,
) -> Need {
    match client.and_then(|c| Ok(need(c, answers?, Via::Gateway))) {
        Ok(need) => need,
        Err(missing) => Need::Missing(missing),
    }
}

/// [`interface_need`] behind a cheap gate: a workload ENI without an IPv6 address and an
/// endpoint of address type `ipv4` (or none, older dumps) need the IPv4 path and nothing else,
/// decided without a subnet lookup, so IPv4-only accounts take the IPv4 path as before and
/// no slower.
pub(crate) fn interface_need_gated(
    snap: &Snapshot,
    eni: &NetworkInterface,
    ep: &VpcEndpoint,
) -> Need {
    // No allocation here: the fast `check` asks for every pair.
    if eni.ipv6_addresses.is_empty() && ipv4_type(ep) {
        return Need::One(Family::V4);
    }
    interface_need(snap, eni, ep)
}

/// What a workload ENI needs to use a gateway endpoint (V4): its families against the records
/// the service's names answer in the VPC, which follow the endpoint's `IpAddressType` and
/// `DnsRecordIpType` as an interface endpoint's do ([`interface_answers`]; `service-defined`:
/// the Regional name answers A, the dual-stack name A and AAAA, and a client may call either).
/// A gateway endpoint has no ENI whose addresses could be missing.
pub(crate) fn gateway_need(snap: &Snapshot, eni: &NetworkInterface, ep: &VpcEndpoint) -> Need {
    gateway_need_of(client(snap, eni), interface_answers(ep))
}

/// [`gateway_need`] behind the cheap gate of [`interface_need_gated`].
pub(crate) fn gateway_need_gated(
    snap: &Snapshot,
    eni: &NetworkInterface,
    ep: &VpcEndpoint,
) -> Need {
    if eni.ipv6_addresses.is_empty() && ipv4_type(ep) {
        return Need::One(Family::V4);
    }
    gateway_need(snap, eni, ep)
}

/// The endpoint's `IpAddressType` is `ipv4` or absent (older dumps), without allocating.
fn ipv4_type(ep: &VpcEndpoint) -> bool {
    ep.ip_address_type
        .as_deref()
        .is_none_or(|t| t.eq_ignore_ascii_case("ipv4"))
}

/// The first endpoint ENI the snapshot shows without IPv6 addresses, as a missing-data note.
/// An ENI absent from the snapshot is left to the path (it is missing data there already).
pub(crate) fn endpoint_ipv6_gap(snap: &Snapshot, ep: &VpcEndpoint) -> Option<String> {
    ep.network_interface_ids
        .iter()
        .filter_map(|id| snap.network_interfaces.get(id))
        .find(|eni| eni.ipv6_addresses.is_empty())
        .map(|eni| {
            format!(
                "{} (ENI of {}, `IpAddressType` {}) has no `Ipv6Addresses` in the snapshot's \
                 describe-network-interfaces output",
                eni.network_interface_id,
                ep.vpc_endpoint_id,
                ep.ip_address_type.as_deref().unwrap_or("ipv4")
            )
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::snapshot::SnapshotBuilder;

    /// Subnets: dual-stack, dual-stack with DNS64, IPv6-only with DNS64, IPv6-only without,
    /// IPv4-only. Workload ENIs in each; endpoint ENIs with and without IPv6 addresses.
    const SNAP: &str = r#"{
      "Subnets": [
        {"SubnetId": "s-dual", "VpcId": "v", "CidrBlock": "10.0.1.0/24",
         "Ipv6CidrBlockAssociationSet": [{"Ipv6CidrBlock": "2600:1f18:0:1::/64"}]},
        {"SubnetId": "s-dual64", "VpcId": "v", "CidrBlock": "10.0.2.0/24", "EnableDns64": true,
         "Ipv6CidrBlockAssociationSet": [{"Ipv6CidrBlock": "2600:1f18:0:2::/64"}]},
        {"SubnetId": "s-v4", "VpcId": "v", "CidrBlock": "10.0.3.0/24"},
        {"SubnetId": "s-v6-64", "VpcId": "v", "Ipv6Native": true, "EnableDns64": true,
         "Ipv6CidrBlockAssociationSet": [{"Ipv6CidrBlock": "2600:1f18:0:4::/64"}]},
        {"SubnetId": "s-v6", "VpcId": "v", "Ipv6Native": true,
         "Ipv6CidrBlockAssociationSet": [{"Ipv6CidrBlock": "2600:1f18:0:5::/64"}]}
      ],
      "NetworkInterfaces": [
        {"NetworkInterfaceId": "eni-dual", "SubnetId": "s-dual", "VpcId": "v", "PrivateIpAddress": "10.0.1.5",
         "Ipv6Addresses": [{"Ipv6Address": "2600:1f18:0:1::5"}]},
        {"NetworkInterfaceId": "eni-v4", "SubnetId": "s-v4", "VpcId": "v", "PrivateIpAddress": "10.0.3.5"},
        {"NetworkInterfaceId": "eni-v4-in-dual", "SubnetId": "s-dual", "VpcId": "v", "PrivateIpAddress": "10.0.1.6"},
        {"NetworkInterfaceId": "eni-nothing", "SubnetId": "s-v4", "VpcId": "v"},
        {"NetworkInterfaceId": "eni-v6-64", "SubnetId": "s-v6-64", "VpcId": "v",
         "Ipv6Addresses": [{"Ipv6Address": "2600:1f18:0:4::5"}]},
        {"NetworkInterfaceId": "eni-v6", "SubnetId": "s-v6", "VpcId": "v",
         "Ipv6Addresses": [{"Ipv6Address": "2600:1f18:0:5::5"}]},
        {"NetworkInterfaceId": "eni-v6-bare", "SubnetId": "s-v6", "VpcId": "v"},
        {"NetworkInterfaceId": "eni-lost", "SubnetId": "s-gone", "VpcId": "v", "PrivateIpAddress": "10.0.9.5"},
        {"NetworkInterfaceId": "eni-ep-dual", "SubnetId": "s-dual", "VpcId": "v", "PrivateIpAddress": "10.0.1.20",
         "Ipv6Addresses": [{"Ipv6Address": "2600:1f18:0:1::20"}]},
        {"NetworkInterfaceId": "eni-ep-moto", "SubnetId": "s-dual", "VpcId": "v", "PrivateIpAddress": "10.0.1.21"}
      ],
      "VpcEndpoints": [
        {"VpcEndpointId": "vpce-v4", "VpcEndpointType": "Interface", "VpcId": "v", "ServiceName": "com.amazonaws.us-east-1.ssm"},
        {"VpcEndpointId": "vpce-dual", "VpcEndpointType": "Interface", "VpcId": "v", "ServiceName": "com.amazonaws.us-east-1.ssm",
         "IpAddressType": "dualstack", "DnsOptions": {"DnsRecordIpType": "dualstack"}, "NetworkInterfaceIds": ["eni-ep-dual"]},
        {"VpcEndpointId": "vpce-dual-a", "VpcEndpointType": "Interface", "VpcId": "v", "ServiceName": "com.amazonaws.us-east-1.ssm",
         "IpAddressType": "dualstack", "DnsOptions": {"DnsRecordIpType": "ipv4"}, "NetworkInterfaceIds": ["eni-ep-dual"]},
        {"VpcEndpointId": "vpce-v6", "VpcEndpointType": "Interface", "VpcId": "v", "ServiceName": "com.amazonaws.us-east-1.ssm",
         "IpAddressType": "ipv6", "NetworkInterfaceIds": ["eni-ep-dual"]},
        {"VpcEndpointId": "vpce-svc", "VpcEndpointType": "Interface", "VpcId": "v", "ServiceName": "com.amazonaws.us-east-1.ssm",
         "IpAddressType": "dualstack", "DnsOptions": {"DnsRecordIpType": "service-defined"}, "NetworkInterfaceIds": ["eni-ep-dual"]},
        {"VpcEndpointId": "vpce-moto", "VpcEndpointType": "Interface", "VpcId": "v", "ServiceName": "com.amazonaws.us-east-1.ssm",
         "IpAddressType": "dualstack", "NetworkInterfaceIds": ["eni-ep-moto"]},
        {"VpcEndpointId": "vpce-odd", "VpcEndpointType": "Interface", "VpcId": "v", "ServiceName": "com.amazonaws.us-east-1.ssm",
         "IpAddressType": "quadstack"},
        {"VpcEndpointId": "vpce-s3", "VpcEndpointType": "Gateway", "VpcId": "v", "ServiceName": "com.amazonaws.us-east-1.s3"},
        {"VpcEndpointId": "vpce-s3-dual", "VpcEndpointType": "Gateway", "VpcId": "v", "ServiceName": "com.amazonaws.us-east-1.s3",
         "IpAddressType": "dualstack"},
        {"VpcEndpointId": "vpce-s3-dual-a", "VpcEndpointType": "Gateway", "VpcId": "v", "ServiceName": "com.amazonaws.us-east-1.s3",
         "IpAddressType": "dualstack", "DnsOptions": {"DnsRecordIpType": "ipv4"}},
        {"VpcEndpointId": "vpce-s3-v6", "VpcEndpointType": "Gateway", "VpcId": "v", "ServiceName": "com.amazonaws.us-east-1.s3",
         "IpAddressType": "ipv6"}
      ]}"#;

    fn snap() -> &'static Snapshot {
        static SNAPSHOT: std::sync::OnceLock<Snapshot> = std::sync::OnceLock::new();
        SNAPSHOT.get_or_init(|| {
            let mut b = SnapshotBuilder::new();
            b.add_json("family", SNAP).unwrap();
            b.finish()
        })
    }

    fn iface(eni: &str, ep: &str) -> Need {
        let s = snap();
        interface_need(s, &s.network_interfaces[eni], &s.vpc_endpoints[ep])
    }

    fn gateway(eni: &str, ep: &str) -> Need {
        let s = snap();
        gateway_need_gated(s, &s.network_interfaces[eni], &s.vpc_endpoints[ep])
    }

    /// An IPv6-only client, for the decision table alone.
    fn v6_only(dns64: bool) -> Client {
        Client {
            families: Families::V6,
            dns64,
        }
    }

    #[test]
    fn ipv4_only_everywhere_is_ipv4() {
        assert_eq!(iface("eni-v4", "vpce-v4"), Need::One(Family::V4));
        assert_eq!(iface("eni-v4", "vpce-dual"), Need::One(Family::V4));
        // An ENI without IPv6 addresses in a dual-stack subnet is IPv4 only.
        assert_eq!(iface("eni-v4-in-dual", "vpce-dual"), Need::One(Family::V4));
    }

    /// V3: a dual-stack client of an endpoint answering both families needs both paths.
    #[test]
    fn dual_stack_client_of_dual_stack_endpoint_needs_both() {
        assert_eq!(iface("eni-dual", "vpce-dual"), Need::Both);
        assert_eq!(
            iface("eni-dual", "vpce-svc"),
            Need::Both,
            "service-defined answers AAAA too"
        );
        assert_eq!(
            iface("eni-dual", "vpce-dual-a"),
            Need::One(Family::V4),
            "A records only"
        );
        assert_eq!(iface("eni-dual", "vpce-v4"), Need::One(Family::V4));
        assert_eq!(iface("eni-dual", "vpce-v6"), Need::One(Family::V6));
    }

    #[test]
    fn ipv4_client_of_ipv6_only_endpoint_is_unusable() {
        assert_eq!(
            iface("eni-v4", "vpce-v6"),
            Need::Unusable(Unusable::Ipv6OnlyEndpoint)
        );
    }

    /// V9: an IPv6-only client of an IPv4-only endpoint goes through DNS64 when its subnet
    /// has it, and has no usable answer otherwise.
    #[test]
    fn ipv6_only_client_of_ipv4_endpoint_needs_dns64() {
        let a_only = Families::V4;
        assert_eq!(need(v6_only(true), a_only, Via::Interface), Need::Dns64);
        assert_eq!(
            need(v6_only(false), a_only, Via::Interface),
            Need::Unusable(Unusable::Ipv4OnlyEndpointNoDns64)
        );
        assert_eq!(
            need(v6_only(true), Families::BOTH, Via::Interface),
            Need::One(Family::V6)
        );
        // A dual-stack client never needs DNS64: it has IPv4.
        let dual64 = Client {
            families: Families::BOTH,
            dns64: true,
        };
        assert_eq!(need(dual64, a_only, Via::Interface), Need::One(Family::V4));
    }

    /// V4: a gateway endpoint answers what its address type and DNS record IP type say (as
    /// an interface endpoint); an IPv6-only client of an `ipv4` gateway endpoint never uses
    /// it, DNS64 or not.
    #[test]
    fn gateway_endpoints_answer_their_types() {
        assert_eq!(gateway("eni-dual", "vpce-s3"), Need::One(Family::V4));
        assert_eq!(
            gateway("eni-dual", "vpce-s3-dual"),
            Need::Both,
            "service-defined: the dual-stack name answers AAAA"
        );
        assert_eq!(gateway("eni-dual", "vpce-s3-dual-a"), Need::One(Family::V4));
        assert_eq!(gateway("eni-v4", "vpce-s3-dual"), Need::One(Family::V4));
        assert_eq!(gateway("eni-v6", "vpce-s3-v6"), Need::One(Family::V6));
        assert_eq!(gateway("eni-v6", "vpce-s3-dual"), Need::One(Family::V6));
        for eni in ["eni-v6", "eni-v6-64"] {
            assert_eq!(
                gateway(eni, "vpce-s3"),
                Need::Unusable(Unusable::Ipv4OnlyGateway)
            );
        }
        assert_eq!(
            gateway("eni-v4", "vpce-s3-v6"),
            Need::Unusable(Unusable::Ipv6OnlyEndpoint)
        );
    }

    /// V8: ENIs of IPv6-only subnets are IPv6-only clients, read from the snapshot.
    #[test]
    fn ipv6_only_subnets_give_ipv6_only_clients() {
        assert_eq!(iface("eni-v6-64", "vpce-v4"), Need::Dns64);
        assert_eq!(
            iface("eni-v6", "vpce-v4"),
            Need::Unusable(Unusable::Ipv4OnlyEndpointNoDns64)
        );
        assert_eq!(iface("eni-v6", "vpce-dual"), Need::One(Family::V6));
        assert_eq!(iface("eni-v6-64", "vpce-v6"), Need::One(Family::V6));
        let Need::Missing(m) = iface("eni-v6-bare", "vpce-v4") else {
            panic!()
        };
        assert!(m.contains("eni-v6-bare") && m.contains("s-v6"), "{m}");
    }

    /// Missing data: no family is decided from absent facts.
    #[test]
    fn absent_data_is_missing_not_a_verdict() {
        let Need::Missing(m) = iface("eni-dual", "vpce-moto") else {
            panic!()
        };
        assert!(
            m.contains("eni-ep-moto") && m.contains("Ipv6Addresses"),
            "{m}"
        );
        // The same endpoint is fine for an IPv4 client: the IPv6 addresses are not needed.
        assert_eq!(iface("eni-v4", "vpce-moto"), Need::One(Family::V4));
        let Need::Missing(m) = iface("eni-nothing", "vpce-v4") else {
            panic!()
        };
        assert!(m.contains("eni-nothing"), "{m}");
        let Need::Missing(m) = iface("eni-lost", "vpce-v4") else {
            panic!()
        };
        assert!(m.contains("s-gone"), "{m}");
        let Need::Missing(m) = iface("eni-v4", "vpce-odd") else {
            panic!()
        };
        assert!(m.contains("quadstack"), "{m}");
    }
}
