//! What the compiled rules prove about an interface endpoint, as bit masks over its ENIs (bit
//! `i`: ENI `i` passes), each kept by what it depends on:
//!
//! | hops | depend on | kept in |
//! | --- | --- | --- |
//! | the workload's groups, outbound | group and port (combined per group list) | `InterfaceMasks::egress`, from port views in [`VpcAnswers`] |
//! | route, workload-side ACL both ways | workload subnet | `InterfaceMasks::workload_side` |
//! | endpoint-side ACL both ways | ENI subnet, ports, workload subnet (address, if an entry splits the subnet) | [`VpcAnswers`] (shared by the VPC's endpoints) |
//! | the endpoint's groups, inbound | endpoint groups, ports, workload address | [`VpcAnswers`] (shared by endpoints with the same groups and ports) |
//!
//! A pair is proven reachable through ENI `i` when every one of them has bit `i`. Nothing here
//! explains anything: pairs not proven get their hops from `hop_cache`.

use super::compiled::{Acl, Compiled, GroupSet, PortView};
use crate::endpoint::Endpoint;
use crate::fxhash::FxHashMap;
use crate::network_acl::Traffic;
use crate::security_group::RuleDirection;
use crate::space::PortRange;

use super::super::workloads::VpcWorkloads;

/// Masks hold one bit per ENI; endpoints with more ENIs (none in AWS today: one per AZ) are
/// not proven here, every pair of theirs takes the explained way.
const MAX_ENIS: usize = 64;

/// Answers not computed yet.
const UNSEEN: u8 = 0;
const PROVEN: u8 = 1;
const UNPROVEN: u8 = 2;
const MIXED: u8 = 3;

/// Answers the endpoints of a VPC share, each kept per what it depends on:
/// - the endpoint-side ACL answers (inbound on the service ports, outbound replies to the
///   ephemeral ports) per (ENI subnet, service ports), for each workload subnet or address:
///   the endpoints of a VPC put their ENIs in the same few subnets;
/// - the endpoint groups' answers (inbound on the service ports) per (endpoint groups,
///   service ports) and workload: the endpoints of a VPC often share one group;
/// - what each workload group lets out per service port, as a port view.
pub(super) struct VpcAnswers<'w> {
    columns: FxHashMap<(u32, &'w [u16]), usize>,
    acls: Vec<Option<&'w Acl>>,
    ports: Vec<&'w [u16]>,
    /// Per column and workload.
    answers: Vec<Vec<u8>>,
    /// Per column and workload subnet: the answer of every workload of the subnet when the
    /// ACL cannot tell them apart, else `MIXED`.
    by_subnet: Vec<Vec<u8>>,
    /// Column of ingress answers per (endpoint groups, service ports).
    ingress_columns: FxHashMap<(&'w [String], &'w [u16]), usize>,
    /// Per column: what the groups admit on each service port.
    ingress_views: Vec<Vec<PortView>>,
    /// Per column and workload: `UNSEEN`, else `SEEN` with `ADMITS_ANY` and `ADMITS_ALL`.
    ingress: Vec<Vec<u8>>,
    /// Each workload group alone, compiled: egress masks are computed per group and combined
    /// per list.
    group_sets: Vec<GroupSet<'w, 'w>>,
    /// What each workload group lets out on a service port, resolved to addresses once for
    /// every ENI of every endpoint on that port.
    egress: FxHashMap<(u32, u16), PortView>,
}

const SEEN: u8 = 1;
const ADMITS_ANY: u8 = 2;
const ADMITS_ALL: u8 = 4;

impl<'w> VpcAnswers<'w> {
    pub(super) fn new(compiled: &'w Compiled<'w>, vw: &VpcWorkloads<'w>) -> Self {
        let group_sets = (0..vw.groups.len() as u32)
            .map(|g| compiled.group_set(&[vw.groups.value(g)]))
            .collect();
        VpcAnswers {
            group_sets,
            columns: FxHashMap::default(),
            acls: Vec::new(),
            ports: Vec::new(),
            answers: Vec::new(),
            by_subnet: Vec::new(),
            ingress_columns: FxHashMap::default(),
            ingress_views: Vec::new(),
            ingress: Vec::new(),
            egress: FxHashMap::default(),
        }
    }

    /// The column of ingress answers for the endpoint's groups (compiled in `groups`) and ports.
    fn ingress_column(
        &mut self,
        ep: &'w Endpoint<'w>,
        groups: &GroupSet,
        workloads: usize,
    ) -> usize {
        let next = self.ingress.len();
        let column = *self
            .ingress_columns
            .entry((ep.group_ids(), &ep.ports))
            .or_insert(next);
        if column == next {
            self.ingress_views.push(
                ep.ports
                    .iter()
                    .map(|&p| groups.port_view(RuleDirection::Ingress, p))
                    .collect(),
            );
            self.ingress.push(vec![UNSEEN; workloads]);
        }
        column
    }

    /// The column of answers for ENIs in `subnet` serving `ports`.
    fn column(
        &mut self,
        compiled: &'w Compiled<'w>,
        vw: &VpcWorkloads<'w>,
        subnet: u32,
        ports: &'w [u16],
    ) -> usize {
        let next = self.answers.len();
        let column = *self.columns.entry((subnet, ports)).or_insert(next);
        if column == next {
            self.acls
                .push(compiled.subnet_acl(vw.subnets.value(subnet)));
            self.ports.push(ports);
            self.answers.push(vec![UNSEEN; vw.len()]);
            self.by_subnet.push(vec![UNSEEN; vw.subnet_range.len()]);
        }
        column
    }

    /// Does the column's ACL pass the workload's packets in and the replies out?
    fn proven(&mut self, column: usize, vw: &VpcWorkloads, w: usize, ephemeral: PortRange) -> bool {
        let shared = if vw.in_subnet[w] {
            self.subnet_answer(column, vw, vw.subnet[w] as usize, ephemeral)
        } else {
            MIXED
        };
        if shared != MIXED {
            return shared == PROVEN;
        }
        if self.answers[column][w] == UNSEEN {
            self.answers[column][w] = self.answer(column, vw.ip[w], ephemeral);
        }
        self.answers[column][w] == PROVEN
    }

    /// The answer of every workload of `subnet`, or `MIXED` (also when the snapshot lacks the
    /// subnet).
    fn subnet_answer(
        &mut self,
        column: usize,
        vw: &VpcWorkloads,
        subnet: usize,
        ephemeral: PortRange,
    ) -> u8 {
        let Some(range) = vw.subnet_range[subnet] else {
            return MIXED;
        };
        if self.by_subnet[column][subnet] == UNSEEN {
            self.by_subnet[column][subnet] = match self.acls[column] {
                Some(acl) if !acl.uniform_over(range) => MIXED,
                _ => self.answer(column, range.first, ephemeral),
            };
        }
        self.by_subnet[column][subnet]
    }

    fn answer(&self, column: usize, ip: u32, ephemeral: PortRange) -> u8 {
        let passes = self.acls[column].is_some_and(|acl| {
            acl.allows_ports(Traffic::Inbound, ip, self.ports[column])
                && acl.allows(Traffic::Outbound, ip, ephemeral)
        });
        if passes {
            PROVEN
        } else {
            UNPROVEN
        }
    }
}

/// What the compiled rules prove for one pair.
#[derive(Debug, Clone, Copy)]
pub(super) struct Proven {
    /// ENIs proven fully reachable, forward and reply legs.
    pub reached: usize,
    /// The endpoint's groups admit the workload on some service port (R2).
    pub admits: bool,
    /// The hops proven, when the endpoint's groups admit the workload on every port (else
    /// they are worked out only if the pair turns out to be required).
    pub hops: Option<ProvenHops>,
}

/// Which hops of a pair the compiled rules prove allowed: per group of hops, a mask over the
/// endpoint's ENIs. The explained way builds only the others.
#[derive(Debug, Clone, Copy, Default)]
pub(super) struct ProvenHops {
    /// The workload's groups, outbound.
    pub egress: u64,
    /// Route, workload-side ACL out and replies in.
    pub workload_side: u64,
    /// Endpoint-side ACL in and replies out (set for ENIs in the workload's subnet: not
    /// crossed).
    pub endpoint_side: u64,
    /// The endpoint's groups, inbound, on every service port.
    pub ingress: bool,
}

/// One interface endpoint's masks.
pub(super) struct InterfaceMasks<'w> {
    compiled: &'w Compiled<'w>,
    ep: &'w Endpoint<'w>,
    ephemeral: PortRange,
    ingress_column: usize,
    eni_ip: Vec<u32>,
    eni_subnet: Vec<u32>,
    eni_column: Vec<usize>,
    /// Every ENI's bit.
    all: u64,
    /// Per group and service port, the ENIs the group alone lets out to (`None` until asked).
    group_egress: Vec<Option<u64>>,
    /// Per group list, the ENIs its groups together let every service port out to.
    egress: Vec<Option<u64>>,
    /// (ENIs proven on the workload side, ENIs in the workload's own subnet).
    workload_side: Vec<Option<(u64, u64)>>,
    /// Per workload subnet, the ENIs proven on the endpoint side for every workload of the
    /// subnet, when the ACLs cannot tell them apart (`Some(None)` when they can).
    endpoint_side: Vec<Option<Option<u64>>>,
}

impl<'w> InterfaceMasks<'w> {
    /// `eni_subnets`: the subnet id of each of the endpoint's ENIs. `None` when the endpoint
    /// has more ENIs than a mask holds.
    pub(super) fn new(
        compiled: &'w Compiled<'w>,
        ep: &'w Endpoint<'w>,
        eni_subnets: &[u32],
        ephemeral: PortRange,
        vw: &VpcWorkloads<'w>,
        shared: &mut VpcAnswers<'w>,
    ) -> Option<Self> {
        if ep.enis.len() > MAX_ENIS {
            return None;
        }
        let eni_subnet = eni_subnets.to_vec();
        let eni_column = eni_subnet
            .iter()
            .map(|&s| shared.column(compiled, vw, s, &ep.ports))
            .collect();
        Some(InterfaceMasks {
            compiled,
            ep,
            ephemeral,
            ingress_column: shared.ingress_column(ep, &compiled.group_set(&ep.groups), vw.len()),
            eni_ip: ep.enis.iter().map(|e| u32::from(e.ip)).collect(),
            eni_subnet,
            eni_column,
            all: if ep.enis.len() == MAX_ENIS {
                u64::MAX
            } else {
                (1u64 << ep.enis.len()) - 1
            },
            group_egress: vec![None; vw.groups.len() * ep.ports.len()],
            egress: vec![None; vw.group_lists.len()],
            workload_side: vec![None; vw.subnets.len()],
            endpoint_side: vec![None; vw.subnet_range.len()],
        })
    }

    /// What the compiled rules prove for workload `w`.
    pub(super) fn judge(
        &mut self,
        vw: &VpcWorkloads<'w>,
        shared: &mut VpcAnswers<'w>,
        w: usize,
    ) -> Proven {
        let (admits, admits_all) = self.ingress(shared, w, vw.ip[w]);
        if !admits_all {
            return Proven {
                reached: 0,
                admits,
                hops: None,
            };
        }
        let hops = self.proven_hops(vw, shared, w, true);
        let reached = (hops.egress & hops.workload_side & hops.endpoint_side).count_ones() as usize;
        Proven {
            reached,
            admits,
            hops: Some(hops),
        }
    }

    /// Every group of hops the compiled rules prove for workload `w`; `ingress`: whether the
    /// endpoint's groups admit it on every service port.
    pub(super) fn proven_hops(
        &mut self,
        vw: &VpcWorkloads<'w>,
        shared: &mut VpcAnswers<'w>,
        w: usize,
        ingress: bool,
    ) -> ProvenHops {
        let (egress, workload_side, same) = self.workload_masks(vw, shared, w);
        let endpoint_side = same | self.endpoint_side(vw, shared, w, same);
        ProvenHops {
            egress,
            workload_side,
            endpoint_side,
            ingress,
        }
    }

    /// The ENIs outside the workload's subnet (`same`: those in it) whose subnet's ACL passes
    /// the workload's packets in and its replies out: one answer for the whole subnet when
    /// the ACLs allow it, else ENI by ENI.
    fn endpoint_side(
        &mut self,
        vw: &VpcWorkloads<'w>,
        shared: &mut VpcAnswers<'w>,
        w: usize,
        same: u64,
    ) -> u64 {
        let subnet = vw.subnet[w] as usize;
        if vw.in_subnet[w] {
            let shared = match self.endpoint_side[subnet] {
                Some(shared) => shared,
                None => {
                    let shared = self.subnet_side(vw, shared, subnet, same);
                    *self.endpoint_side[subnet].insert(shared)
                }
            };
            if let Some(mask) = shared {
                return mask;
            }
        }
        let mut mask = 0;
        for i in 0..self.eni_ip.len() {
            if same & (1 << i) == 0 && shared.proven(self.eni_column[i], vw, w, self.ephemeral) {
                mask |= 1 << i;
            }
        }
        mask
    }

    /// `endpoint_side` for every workload of `subnet`, if the ACLs answer them alike.
    fn subnet_side(
        &self,
        vw: &VpcWorkloads<'w>,
        shared: &mut VpcAnswers<'w>,
        subnet: usize,
        same: u64,
    ) -> Option<u64> {
        let mut mask = 0;
        for i in 0..self.eni_ip.len() {
            if same & (1 << i) != 0 {
                continue;
            }
            match shared.subnet_answer(self.eni_column[i], vw, subnet, self.ephemeral) {
                MIXED => return None,
                PROVEN => mask |= 1 << i,
                _ => {}
            }
        }
        Some(mask)
    }

    /// (admitted on some service port, admitted on every one).
    fn ingress(&self, shared: &mut VpcAnswers<'w>, w: usize, ip: u32) -> (bool, bool) {
        let answer = &mut shared.ingress[self.ingress_column][w];
        if *answer == UNSEEN {
            let (mut any, mut all) = (false, true);
            for view in &shared.ingress_views[self.ingress_column] {
                let allowed = view.allows(ip) == Some(true);
                any |= allowed;
                all &= allowed;
            }
            *answer = SEEN | if any { ADMITS_ANY } else { 0 } | if all { ADMITS_ALL } else { 0 };
        }
        (*answer & ADMITS_ANY != 0, *answer & ADMITS_ALL != 0)
    }

    /// (egress, workload side, ENIs in the workload's subnet), each kept by its key.
    fn workload_masks(
        &mut self,
        vw: &VpcWorkloads<'w>,
        shared: &mut VpcAnswers<'w>,
        w: usize,
    ) -> (u64, u64, u64) {
        let list = vw.group_list[w] as usize;
        let egress = match self.egress[list] {
            Some(mask) => mask,
            None => {
                let mask = self.egress_mask(vw, shared, list);
                *self.egress[list].insert(mask)
            }
        };
        let subnet = vw.subnet[w];
        let (workload_side, same) = match self.workload_side[subnet as usize] {
            Some(masks) => masks,
            None => {
                let masks = self.workload_side_masks(vw, subnet);
                *self.workload_side[subnet as usize].insert(masks)
            }
        };
        (egress, workload_side, same)
    }

    /// ENIs that, on every service port, some group of the list lets out to.
    fn egress_mask(
        &mut self,
        vw: &VpcWorkloads<'w>,
        shared: &mut VpcAnswers<'w>,
        list: usize,
    ) -> u64 {
        let mut mask = self.all;
        for port in 0..self.ep.ports.len() {
            let mut any = 0;
            for &g in vw.group_lists.get(list) {
                any |= self.group_egress_mask(shared, g as usize, port);
            }
            mask &= any;
        }
        mask
    }

    /// ENIs that group `g` alone lets service port number `port` out to.
    fn group_egress_mask(&mut self, shared: &mut VpcAnswers<'w>, g: usize, port: usize) -> u64 {
        let at = g * self.ep.ports.len() + port;
        if let Some(mask) = self.group_egress[at] {
            return mask;
        }
        let number = self.ep.ports[port];
        let view = shared
            .egress
            .entry((g as u32, number))
            .or_insert_with(|| shared.group_sets[g].port_view(RuleDirection::Egress, number));
        let mut mask = 0;
        for (i, &ip) in self.eni_ip.iter().enumerate() {
            if view.allows(ip) == Some(true) {
                mask |= 1 << i;
            }
        }
        *self.group_egress[at].insert(mask)
    }

    /// ENIs routed `local` from the subnet whose ACL (when crossed) passes the service ports
    /// out and the replies in; and the ENIs in that very subnet (no ACL crossed).
    fn workload_side_masks(&self, vw: &VpcWorkloads<'w>, subnet: u32) -> (u64, u64) {
        let subnet_id = vw.subnets.value(subnet);
        let acl = self.compiled.subnet_acl(subnet_id);
        let (mut proven, mut same) = (0, 0);
        for (i, &ip) in self.eni_ip.iter().enumerate() {
            let bit = 1u64 << i;
            if self.eni_subnet[i] == subnet {
                same |= bit;
            }
            let routed = self.compiled.routes_locally(subnet_id, ip) == Some(true);
            let acl_passes = || {
                acl.is_some_and(|a| {
                    a.allows_ports(Traffic::Outbound, ip, &self.ep.ports)
                        && a.allows(Traffic::Inbound, ip, self.ephemeral)
                })
            };
            if routed && (same & bit != 0 || acl_passes()) {
                proven |= bit;
            }
        }
        (proven, same)
    }
}
