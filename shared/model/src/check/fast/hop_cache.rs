//! The explained hops of pairs the masks do not prove, each built once per key (what the hop
//! depends on, see `path::interface` and `path::gateway`) and shared by every pair with that
//! key. Hops that name the workload's address (endpoint-side ACLs, the endpoint's groups) are
//! kept per workload, and the VPC's endpoints share them when they share subnets and ports.
//! The IPv6 hops (`interface6`) are keyed the same way, per IPv6 target (`Target6Idx`: an ENI
//! address) where the IPv4 ones are per ENI, and proven per subnet first (`subnet6`).

use std::borrow::Cow;
use std::net::Ipv6Addr;

use crate::endpoint::Endpoint;
use crate::fxhash::FxHashMap;
use crate::params::RuleParameters;
use crate::path::{self, gateway, interface6, Ctx, Hop, HopKind};
use crate::security_group::RuleDirection;
use crate::snapshot::{NetworkInterface, PrefixList, Snapshot};

use super::super::findings::PairHops;
use super::super::ids::{
    DenseId, EndpointIdx, EniIdx, GroupIdx, GroupListIdx, HopIdx, SubnetIdx, Table, Target6Idx,
    WorkloadIdx,
};
use super::super::workloads::VpcWorkloads;
use super::compiled::Compiled;
use super::masks::ProvenHops;
use super::shortcut;
use super::subnet6::{self, SubnetBlocks};

/// What one hop depends on. `ports` is the first endpoint with the same service ports,
/// `groups` the first endpoint with the same groups and service ports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Key {
    Egress {
        list: GroupListIdx,
        eni: EniIdx,
    },
    /// Egress of a workload without groups (it is blamed itself).
    EgressOf {
        workload: WorkloadIdx,
        eni: EniIdx,
    },
    Route {
        subnet: SubnetIdx,
        eni: EniIdx,
    },
    AclOut {
        subnet: SubnetIdx,
        eni: EniIdx,
    },
    AclIn {
        subnet: SubnetIdx,
        workload: WorkloadIdx,
        ports: EndpointIdx,
    },
    Ingress {
        workload: WorkloadIdx,
        groups: EndpointIdx,
    },
    ReplyOut {
        subnet: SubnetIdx,
        workload: WorkloadIdx,
    },
    ReplyIn {
        subnet: SubnetIdx,
        eni: EniIdx,
    },
    Egress6 {
        list: GroupListIdx,
        target: Target6Idx,
    },
    Egress6Of {
        workload: WorkloadIdx,
        target: Target6Idx,
    },
    Route6 {
        subnet: SubnetIdx,
        target: Target6Idx,
    },
    AclOut6 {
        subnet: SubnetIdx,
        target: Target6Idx,
    },
    AclIn6 {
        subnet: SubnetIdx,
        workload: WorkloadIdx,
        ports: EndpointIdx,
    },
    Ingress6 {
        workload: WorkloadIdx,
        groups: EndpointIdx,
    },
    ReplyOut6 {
        subnet: SubnetIdx,
        workload: WorkloadIdx,
    },
    ReplyIn6 {
        subnet: SubnetIdx,
        target: Target6Idx,
    },
    GatewayEgress {
        list: GroupListIdx,
        ep: EndpointIdx,
    },
    GatewayEgressOf {
        workload: WorkloadIdx,
        ep: EndpointIdx,
    },
    GatewayRoute {
        subnet: SubnetIdx,
        ep: EndpointIdx,
    },
    GatewayAclOut {
        subnet: SubnetIdx,
        ep: EndpointIdx,
    },
    GatewayReplyIn {
        subnet: SubnetIdx,
        ep: EndpointIdx,
    },
}

/// What an IPv6 hop is proven for at once (`subnet6`): every workload of a subnet, for the
/// hops that depend on the workload's address (`from`/`to`: the workload subnet), or every
/// ENI address of an endpoint subnet, for those that depend on the target's (`to`/`from`: the
/// ENI subnet). `ports`: the first endpoint with the same service ports, `groups` the first
/// with the same groups and ports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum SubnetKey {
    Egress6 {
        list: GroupListIdx,
        to: SubnetIdx,
        ports: EndpointIdx,
    },
    AclOut6 {
        subnet: SubnetIdx,
        to: SubnetIdx,
        ports: EndpointIdx,
    },
    AclIn6 {
        subnet: SubnetIdx,
        from: SubnetIdx,
        ports: EndpointIdx,
    },
    Ingress6 {
        from: SubnetIdx,
        groups: EndpointIdx,
    },
    ReplyOut6 {
        subnet: SubnetIdx,
        to: SubnetIdx,
    },
    ReplyIn6 {
        subnet: SubnetIdx,
        from: SubnetIdx,
    },
}

impl SubnetKey {
    /// The subnet whose IPv6 blocks the proof is about.
    fn blocks(self) -> SubnetIdx {
        match self {
            SubnetKey::Egress6 { to, .. }
            | SubnetKey::AclOut6 { to, .. }
            | SubnetKey::ReplyOut6 { to, .. } => to,
            SubnetKey::AclIn6 { from, .. }
            | SubnetKey::Ingress6 { from, .. }
            | SubnetKey::ReplyIn6 { from, .. } => from,
        }
    }
}

/// An IPv6 target of an interface endpoint: one address of one of its ENIs, in the order of
/// the exact trace (`path::interface6::targets`).
#[derive(Debug, Clone, Copy)]
pub(super) struct Target6<'w> {
    /// Its VPC-wide number.
    pub no: Target6Idx,
    /// The ENI holding the address.
    pub eni: &'w NetworkInterface,
    /// The address.
    pub addr: Ipv6Addr,
    /// The ENI's subnet.
    pub subnet: SubnetIdx,
}

/// The IPv6 targets of `ep`, numbered from `first`: every IPv6 address of each of its ENIs
/// the snapshot holds (absent ENIs are the endpoint's missing data, in its common hops).
pub(super) fn targets6<'w>(
    snap: &'w Snapshot,
    ep: &Endpoint<'w>,
    vw: &mut VpcWorkloads<'w>,
    first: Target6Idx,
) -> Vec<Target6<'w>> {
    let mut out = Vec::new();
    for id in &ep.raw.network_interface_ids {
        let Some(eni) = snap.network_interfaces.get(id) else {
            continue;
        };
        let subnet = vw.subnets.id(eni.subnet_id.as_str());
        for a in &eni.ipv6_addresses {
            let no = Target6Idx::at(first.position() + out.len());
            out.push(Target6 {
                no,
                eni,
                addr: a.ipv6_address,
                subnet,
            });
        }
    }
    out
}

/// Where a pair's endpoint sits in the VPC's numbering.
#[derive(Debug, Clone, Copy)]
pub(super) struct EndpointNumbers {
    /// The endpoint's number.
    pub ep: EndpointIdx,
    /// The VPC-wide number of its first ENI.
    pub first_eni: EniIdx,
    /// The endpoint whose service ports equal this one's and that came first: endpoint-side
    /// ACL hops inbound depend on the ports, so endpoints with equal ports share them.
    pub ports_ep: EndpointIdx,
    /// The same for the endpoint's groups and ports together, on which its ingress hops
    /// depend (its own number when it has no groups).
    pub ingress_ep: EndpointIdx,
}

/// Hops by key, for one VPC.
pub(super) struct HopCache {
    arena: Table<HopIdx, Hop>,
    index: FxHashMap<Key, HopIdx>,
    /// IPv6 hops proven for a whole workload subnet: the proven hop, or `None`.
    proofs: FxHashMap<SubnetKey, Option<HopIdx>>,
    /// The IPv6 blocks of workload and ENI subnets, as far as asked.
    blocks: FxHashMap<SubnetIdx, SubnetBlocks>,
    /// A group's IPv6 egress to a whole ENI subnet, port by port (`egress6_proven`).
    egress_ports: FxHashMap<(GroupIdx, SubnetIdx, u16), bool>,
}

/// The hops of one pair: arena numbers in path order (hops not crossed left out), target
/// after target; `ends[t]` is where target `t`'s hops end.
#[derive(Debug, Default)]
pub(super) struct PairPlan {
    hops: Vec<HopIdx>,
    ends: Vec<usize>,
}

impl PairPlan {
    /// Empties the plan for the next pair, keeping its buffers.
    pub(super) fn clear(&mut self) {
        self.hops.clear();
        self.ends.clear();
    }

    /// How many targets the plan has.
    pub(super) fn target_count(&self) -> usize {
        self.ends.len()
    }

    fn end_target(&mut self) {
        self.ends.push(self.hops.len());
    }

    fn targets(&self) -> impl Iterator<Item = &[HopIdx]> {
        let starts = std::iter::once(0).chain(self.ends.iter().copied());
        starts
            .zip(self.ends.iter())
            .map(|(start, &end)| &self.hops[start..end])
    }
}

/// What building a hop needs.
pub(super) struct HopSite<'s, 'w> {
    pub snap: &'w Snapshot,
    pub params: &'w RuleParameters,
    pub compiled: &'w Compiled<'w>,
    pub vw: &'s VpcWorkloads<'w>,
    pub ep: &'w Endpoint<'w>,
    pub numbers: EndpointNumbers,
    /// The subnet of each of the endpoint's ENIs.
    pub eni_subnets: &'s [SubnetIdx],
}

impl HopCache {
    pub(super) fn new() -> Self {
        HopCache {
            arena: Table::from(Vec::new()),
            index: FxHashMap::default(),
            proofs: FxHashMap::default(),
            blocks: FxHashMap::default(),
            egress_ports: FxHashMap::default(),
        }
    }

    /// The IPv6 hop with `key` about `addr` (the workload's or the target's address): the
    /// proven hop of `proof_key` when `proof` holds for its subnet's IPv6 blocks (and `addr`
    /// is in them), else built by `build`.
    fn hop6(
        &mut self,
        site: &HopSite,
        (key, addr): (Key, Ipv6Addr),
        (proof_key, kind): (SubnetKey, HopKind),
        proof: impl FnOnce(&SubnetBlocks) -> bool,
        build: impl FnOnce() -> Hop,
    ) -> HopIdx {
        if let Some(&at) = self.index.get(&key) {
            return at;
        }
        let subnet = proof_key.blocks();
        let blocks = self
            .blocks
            .entry(subnet)
            .or_insert_with(|| SubnetBlocks::of(site.snap, site.vw.subnets.value(subnet)));
        let proven = match blocks.hold(addr) {
            false => None,
            true => match self.proofs.get(&proof_key) {
                Some(&known) => known,
                None => {
                    let proven = proof(blocks).then(|| self.arena.push(Hop::proven(kind)));
                    self.proofs.insert(proof_key, proven);
                    proven
                }
            },
        };
        let at = proven.unwrap_or_else(|| self.arena.push(build()));
        self.index.insert(key, at);
        at
    }

    /// The hop with `key`, built by `build` the first time.
    fn hop(&mut self, key: Key, build: impl FnOnce() -> Hop) -> HopIdx {
        if let Some(&at) = self.index.get(&key) {
            return at;
        }
        let at = self.arena.push(build());
        self.index.insert(key, at);
        at
    }

    /// The hops of an interface pair, per ENI, leaving out those `proven` allowed (they
    /// never block, never lack data).
    pub(super) fn interface(
        &mut self,
        site: &HopSite,
        w: WorkloadIdx,
        proven: ProvenHops,
        plan: &mut PairPlan,
    ) {
        let cx = ctx(site, w);
        let (vw, n) = (site.vw, site.numbers);
        let (workload, subnet) = (w, vw.subnet[w]);
        let list = vw.group_list[w];
        let ingress = (!proven.ingress).then(|| {
            self.hop(
                Key::Ingress {
                    workload,
                    groups: n.ingress_ep,
                },
                || shortcut::ingress(&cx, site.compiled),
            )
        });
        for (i, eni) in site.ep.enis.iter().enumerate() {
            let (eni_no, bit) = (
                EniIdx::at(n.first_eni.position() + i),
                1u64.checked_shl(i as u32).unwrap_or(0),
            );
            let (egress, workload_side) =
                (proven.egress & bit == 0, proven.workload_side & bit == 0);
            if egress {
                let key = match vw.group_lists.get(list).is_empty() {
                    false => Key::Egress { list, eni: eni_no },
                    true => Key::EgressOf {
                        workload,
                        eni: eni_no,
                    },
                };
                plan.hops
                    .push(self.hop(key, || shortcut::egress(&cx, site.compiled, eni)));
            }
            if workload_side {
                plan.hops.push(self.hop(
                    Key::Route {
                        subnet,
                        eni: eni_no,
                    },
                    || shortcut::route(&cx, site.compiled, eni),
                ));
            }
            let eni_subnet = site.eni_subnets[i];
            if eni_subnet == subnet {
                // Same subnet: no network ACL between them.
                plan.hops.extend(ingress);
                plan.end_target();
                continue;
            }
            let endpoint_side = proven.endpoint_side & bit == 0;
            if workload_side {
                plan.hops.push(self.hop(
                    Key::AclOut {
                        subnet,
                        eni: eni_no,
                    },
                    || shortcut::acl_out(&cx, site.compiled, eni),
                ));
            }
            if endpoint_side {
                let key = Key::AclIn {
                    subnet: eni_subnet,
                    workload,
                    ports: n.ports_ep,
                };
                plan.hops
                    .push(self.hop(key, || shortcut::acl_in(&cx, site.compiled, eni)));
            }
            plan.hops.extend(ingress);
            if endpoint_side {
                plan.hops.push(self.hop(
                    Key::ReplyOut {
                        subnet: eni_subnet,
                        workload,
                    },
                    || shortcut::reply_out(&cx, site.compiled, eni),
                ));
            }
            if workload_side {
                plan.hops.push(self.hop(
                    Key::ReplyIn {
                        subnet,
                        eni: eni_no,
                    },
                    || shortcut::reply_in(&cx, site.compiled, eni),
                ));
            }
            plan.end_target();
        }
    }

    /// The workload's groups let it send to every address of the ENI subnet's IPv6 blocks on
    /// every service port of the endpoint, one group covering each port alone (a sufficient
    /// condition: a block covered only by several groups together is left to the exact hop).
    /// Kept per (group, subnet, port): workloads carry many distinct lists of few groups.
    fn egress6_proven(&mut self, site: &HopSite, w: WorkloadIdx, to: SubnetIdx) -> bool {
        let (vw, snap) = (site.vw, site.snap);
        let blocks = self
            .blocks
            .entry(to)
            .or_insert_with(|| SubnetBlocks::of(snap, vw.subnets.value(to)));
        let groups = vw.group_lists.get(vw.group_list[w]);
        site.ep.ports.iter().all(|&port| {
            groups.iter().any(|&g| {
                *self.egress_ports.entry((g, to, port)).or_insert_with(|| {
                    subnet6::egress_proven(snap, &[vw.groups.value(g)], &[port], blocks)
                })
            })
        })
    }

    /// The IPv6 hops of an interface pair (docs/spec.md section 12), target after target, as
    /// `path::interface6` builds them (hops not crossed left out): from the workload's first
    /// IPv6 address, none when it has none.
    pub(super) fn interface6(
        &mut self,
        site: &HopSite,
        w: WorkloadIdx,
        targets: &[Target6],
        plan: &mut PairPlan,
    ) {
        let cx = ctx(site, w);
        let Some(src) = interface6::source(&cx) else {
            return;
        };
        let (vw, n) = (site.vw, site.numbers);
        let (workload, subnet, list) = (w, vw.subnet[w], vw.group_list[w]);
        let (snap, ep) = (site.snap, site.ep);
        let ingress = self.hop6(
            site,
            (
                Key::Ingress6 {
                    workload,
                    groups: n.ingress_ep,
                },
                src,
            ),
            (
                SubnetKey::Ingress6 {
                    from: subnet,
                    groups: n.ingress_ep,
                },
                HopKind::SecurityGroupIngress,
            ),
            |b| subnet6::ingress_proven(snap, ep.group_ids(), &ep.ports, b),
            || {
                let (groups, ingress) = (ep.group_ids(), RuleDirection::Ingress);
                match subnet6::by_reference(snap, groups, ingress, &ep.ports, src) {
                    true => Hop::proven(HopKind::SecurityGroupIngress),
                    false => interface6::ingress(&cx, src),
                }
            },
        );
        for t in targets {
            let target = t.no;
            let egress = || {
                let (groups, out) = (&cx.workload.groups, RuleDirection::Egress);
                match subnet6::by_reference(snap, groups, out, &ep.ports, t.addr) {
                    true => Hop::proven(HopKind::SecurityGroupEgress),
                    false => interface6::egress(&cx, t.eni, t.addr),
                }
            };
            let egress = match vw.group_lists.get(list).is_empty() {
                false => match self.index.get(&Key::Egress6 { list, target }) {
                    Some(&at) => at,
                    None => {
                        let proven = self.egress6_proven(site, w, t.subnet);
                        self.hop6(
                            site,
                            (Key::Egress6 { list, target }, t.addr),
                            (
                                SubnetKey::Egress6 {
                                    list,
                                    to: t.subnet,
                                    ports: n.ports_ep,
                                },
                                HopKind::SecurityGroupEgress,
                            ),
                            |_| proven,
                            egress,
                        )
                    }
                },
                // A workload without groups is blamed itself, and nothing passes.
                true => self.hop(Key::Egress6Of { workload, target }, egress),
            };
            plan.hops.push(egress);
            plan.hops.push(self.hop(Key::Route6 { subnet, target }, || {
                interface6::route_hop(&cx, t.addr)
            }));
            if t.subnet == subnet {
                // Same subnet: no network ACL between them.
                plan.hops.push(ingress);
                plan.end_target();
                continue;
            }
            let (here, eni_subnet) = (vw.subnets.value(subnet), vw.subnets.value(t.subnet));
            plan.hops.push(self.hop6(
                site,
                (Key::AclOut6 { subnet, target }, t.addr),
                (
                    SubnetKey::AclOut6 {
                        subnet,
                        to: t.subnet,
                        ports: n.ports_ep,
                    },
                    HopKind::AclOutbound,
                ),
                |b| subnet6::acl_out_proven(snap, here, &ep.ports, b),
                || interface6::acl_out(&cx, t.eni, t.addr),
            ));
            plan.hops.push(self.hop6(
                site,
                (
                    Key::AclIn6 {
                        subnet: t.subnet,
                        workload,
                        ports: n.ports_ep,
                    },
                    src,
                ),
                (
                    SubnetKey::AclIn6 {
                        subnet: t.subnet,
                        from: subnet,
                        ports: n.ports_ep,
                    },
                    HopKind::AclInbound,
                ),
                |b| subnet6::acl_in_proven(snap, eni_subnet, &ep.ports, b),
                || interface6::acl_in(&cx, t.eni, src),
            ));
            plan.hops.push(ingress);
            plan.hops.push(self.hop6(
                site,
                (
                    Key::ReplyOut6 {
                        subnet: t.subnet,
                        workload,
                    },
                    src,
                ),
                (
                    SubnetKey::ReplyOut6 {
                        subnet: t.subnet,
                        to: subnet,
                    },
                    HopKind::AclReturnOutbound,
                ),
                |b| subnet6::reply_out_proven(snap, eni_subnet, site.params.ephemeral_ports, b),
                || interface6::reply_out(&cx, t.eni, src),
            ));
            plan.hops.push(self.hop6(
                site,
                (Key::ReplyIn6 { subnet, target }, t.addr),
                (
                    SubnetKey::ReplyIn6 {
                        subnet,
                        from: t.subnet,
                    },
                    HopKind::AclReturnInbound,
                ),
                |b| subnet6::reply_in_proven(snap, here, site.params.ephemeral_ports, b),
                || interface6::reply_in(&cx, t.eni, t.addr),
            ));
            plan.end_target();
        }
    }

    /// The hops of a gateway pair (one target), or none without the prefix list.
    pub(super) fn gateway(
        &mut self,
        site: &HopSite,
        w: WorkloadIdx,
        pl: &PrefixList,
        plan: &mut PairPlan,
    ) {
        let cx = ctx(site, w);
        let (vw, ep) = (site.vw, site.numbers.ep);
        let (workload, subnet, list) = (w, vw.subnet[w], vw.group_list[w]);
        let egress = match vw.group_lists.get(list).is_empty() {
            false => Key::GatewayEgress { list, ep },
            true => Key::GatewayEgressOf { workload, ep },
        };
        let hops = [
            self.hop(egress, || shortcut::gateway_egress(&cx, site.compiled, pl)),
            self.hop(Key::GatewayRoute { subnet, ep }, || {
                gateway::route_hop(&cx, pl)
            }),
            self.hop(Key::GatewayAclOut { subnet, ep }, || {
                gateway::acl_out(&cx, pl)
            }),
            self.hop(Key::GatewayReplyIn { subnet, ep }, || {
                gateway::reply_in(&cx, pl)
            }),
        ];
        plan.hops.extend(hops);
        plan.end_target();
    }

    /// The hops of a plan, with the endpoint's common hops.
    pub(super) fn view<'h>(&'h self, common: &'h [Hop], plan: &'h PairPlan) -> PairHops<'h> {
        let hops = plan.hops.iter().map(|&at| &self.arena[at]).collect();
        PairHops {
            common,
            hops,
            ends: Cow::Borrowed(&plan.ends),
        }
    }

    /// How many targets of the plan every hop lets the traffic through to.
    pub(super) fn passes(&self, plan: &PairPlan) -> usize {
        plan.targets()
            .filter(|t| path::passes(t.iter().map(|&at| &self.arena[at])))
            .count()
    }
}

/// The hop builders' context: no explanation of allowed hops (nobody reads them in `check`).
fn ctx<'s, 'w>(site: &'s HopSite<'s, 'w>, w: WorkloadIdx) -> Ctx<'s> {
    Ctx {
        snap: site.snap,
        params: site.params,
        workload: site.vw.list[w],
        endpoint: site.ep,
        detail: false,
        // Hops within a VPC: no route table is asked more than once per key here.
        lookups: None,
    }
}
