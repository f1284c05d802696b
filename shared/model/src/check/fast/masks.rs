//! What the compiled rules prove about an interface endpoint, as bit masks over its ENIs (bit
//! `i`: ENI `i` passes), each kept by what it depends on:
//!
//! | hops | depend on | kept in |
//! | --- | --- | --- |
//! | the workload's groups, outbound | group and port (combined per group list) | `MaskCache::egress`, from port views in [`EgressViews`] |
//! | route, workload-side ACL both ways | workload subnet | `MaskCache::workload_side` |
//! | endpoint-side ACL both ways | ENI subnet, ports, workload subnet (address, if an entry splits the subnet) | [`AclAnswers`] (shared by the VPC's endpoints) |
//! | the endpoint's groups, inbound | endpoint groups, ports, workload address | [`IngressAnswers`] (shared by endpoints with the same groups and ports) |
//!
//! A pair is proven reachable through ENI `i` when every one of them has bit `i`. Nothing here
//! explains anything: pairs not proven get their hops from `hop_cache`.

use crate::endpoint::Endpoint;
use crate::fxhash::FxHashMap;
use crate::network_acl::Traffic;
use crate::security_group::RuleDirection;
use crate::space::PortRange;

use super::super::ids::{
    AclColumn, DenseId, GroupIdx, GroupListIdx, IngressColumn, SubnetIdx, Table, WorkloadIdx,
};
use super::super::workloads::VpcWorkloads;
use super::compiled::{Acl, Compiled, GroupSet, PortView};

/// Masks hold one bit per ENI; endpoints with more ENIs (none in AWS today: one per AZ) are
/// not proven here, every pair of theirs takes the explained way.
const MAX_ENIS: usize = 64;

/// Whether the compiled rules prove some hops allowed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
enum Proof {
    /// Allowed, for sure.
    Proven,
    /// Not proven: blocked, or the compiled rules cannot tell.
    Unproven,
}

/// The endpoint-side ACL answer for every workload of one subnet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
enum SubnetProof {
    /// Every workload of the subnet is proven.
    Proven,
    /// No workload of the subnet is proven.
    Unproven,
    /// An ACL entry splits the subnet, or the snapshot lacks the subnet: ask per workload.
    Mixed,
}

/// How an endpoint's groups admit a workload (the service ports are never empty).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
enum Admission {
    /// On no service port.
    NoPort,
    /// On some service ports, not all.
    SomePorts,
    /// On every service port.
    EveryPort,
}

/// Answers the endpoints of a VPC share, each kept per what it depends on.
pub(super) struct VpcAnswers<'w> {
    acl: AclAnswers<'w>,
    ingress: IngressAnswers<'w>,
    egress: EgressViews<'w>,
}

/// The endpoint-side ACL answers (inbound on the service ports, outbound replies to the
/// ephemeral ports) per (ENI subnet, service ports), for each workload subnet or address: the
/// endpoints of a VPC put their ENIs in the same few subnets.
struct AclAnswers<'w> {
    columns: FxHashMap<(SubnetIdx, &'w [u16]), AclColumn>,
    /// Per column: the ENI subnet's ACL and the service ports.
    acls: Table<AclColumn, Option<&'w Acl>>,
    ports: Table<AclColumn, &'w [u16]>,
    /// Per column and workload (`None` until asked).
    by_workload: Table<AclColumn, Table<WorkloadIdx, Option<Proof>>>,
    /// Per column and workload subnet (`None` until asked).
    by_subnet: Table<AclColumn, Table<SubnetIdx, Option<SubnetProof>>>,
}

/// The endpoint groups' answers (inbound on the service ports) per (endpoint groups, service
/// ports) and workload: the endpoints of a VPC often share one group.
struct IngressAnswers<'w> {
    columns: FxHashMap<(&'w [String], &'w [u16]), IngressColumn>,
    /// Per column: what the groups admit on each service port.
    views: Table<IngressColumn, Vec<PortView>>,
    /// Per column and workload (`None` until asked).
    by_workload: Table<IngressColumn, Table<WorkloadIdx, Option<Admission>>>,
}

/// What each workload group lets out per service port, as a port view.
struct EgressViews<'w> {
    /// Each workload group alone, compiled: egress masks are computed per group and combined
    /// per list.
    group_sets: Table<GroupIdx, GroupSet<'w, 'w>>,
    /// What each group lets out on a service port, resolved to addresses once for every ENI
    /// of every endpoint on that port.
    views: FxHashMap<(GroupIdx, u16), PortView>,
}

impl<'w> VpcAnswers<'w> {
    pub(super) fn new(compiled: &'w Compiled<'w>, vw: &VpcWorkloads<'w>) -> Self {
        let group_sets = vw
            .groups
            .ids()
            .map(|g| compiled.group_set(&[vw.groups.value(g)]))
            .collect();
        VpcAnswers {
            acl: AclAnswers {
                columns: FxHashMap::default(),
                acls: Table::from(Vec::new()),
                ports: Table::from(Vec::new()),
                by_workload: Table::from(Vec::new()),
                by_subnet: Table::from(Vec::new()),
            },
            ingress: IngressAnswers {
                columns: FxHashMap::default(),
                views: Table::from(Vec::new()),
                by_workload: Table::from(Vec::new()),
            },
            egress: EgressViews {
                group_sets,
                views: FxHashMap::default(),
            },
        }
    }
}

impl<'w> IngressAnswers<'w> {
    /// The column for the endpoint's groups (compiled in `groups`) and ports.
    fn column(
        &mut self,
        ep: &'w Endpoint<'w>,
        groups: &GroupSet,
        workloads: usize,
    ) -> IngressColumn {
        let key = (ep.group_ids(), ep.ports.as_slice());
        if let Some(&column) = self.columns.get(&key) {
            return column;
        }
        self.views.push(
            ep.ports
                .iter()
                .map(|&p| groups.port_view(RuleDirection::Ingress, p))
                .collect(),
        );
        let column = self.by_workload.push(Table::filled(None, workloads));
        self.columns.insert(key, column);
        column
    }

    /// How the column's groups admit workload `w`, whose address is `ip`.
    fn admission(&mut self, column: IngressColumn, w: WorkloadIdx, ip: u32) -> Admission {
        if let Some(admission) = self.by_workload[column][w] {
            return admission;
        }
        let (mut any, mut all) = (false, true);
        for view in &self.views[column] {
            let allowed = view.allows(ip) == Some(true);
            any |= allowed;
            all &= allowed;
        }
        let admission = match (any, all) {
            (true, true) => Admission::EveryPort,
            (true, false) => Admission::SomePorts,
            (false, _) => Admission::NoPort,
        };
        self.by_workload[column][w] = Some(admission);
        admission
    }
}

impl<'w> AclAnswers<'w> {
    /// The column for ENIs in `subnet` serving `ports`.
    fn column(
        &mut self,
        compiled: &'w Compiled<'w>,
        vw: &VpcWorkloads<'w>,
        subnet: SubnetIdx,
        ports: &'w [u16],
    ) -> AclColumn {
        if let Some(&column) = self.columns.get(&(subnet, ports)) {
            return column;
        }
        self.acls
            .push(compiled.subnet_acl(vw.subnets.value(subnet)));
        self.ports.push(ports);
        self.by_subnet
            .push(Table::filled(None, vw.subnet_range.len()));
        let column = self.by_workload.push(Table::filled(None, vw.len()));
        self.columns.insert((subnet, ports), column);
        column
    }

    /// Does the column's ACL pass the workload's packets in and the replies out?
    fn proven(
        &mut self,
        column: AclColumn,
        vw: &VpcWorkloads,
        w: WorkloadIdx,
        ephemeral: PortRange,
    ) -> bool {
        let shared = if vw.in_subnet[w] {
            self.subnet_proof(column, vw, vw.subnet[w], ephemeral)
        } else {
            SubnetProof::Mixed
        };
        match shared {
            SubnetProof::Proven => true,
            SubnetProof::Unproven => false,
            SubnetProof::Mixed => {
                let proof = match self.by_workload[column][w] {
                    Some(proof) => proof,
                    None => {
                        let proof = self.proof(column, vw.ip[w], ephemeral);
                        *self.by_workload[column][w].insert(proof)
                    }
                };
                proof == Proof::Proven
            }
        }
    }

    /// The answer of every workload of `subnet` (`Mixed` also when the snapshot lacks the
    /// subnet).
    fn subnet_proof(
        &mut self,
        column: AclColumn,
        vw: &VpcWorkloads,
        subnet: SubnetIdx,
        ephemeral: PortRange,
    ) -> SubnetProof {
        let Some(range) = vw.subnet_range[subnet] else {
            return SubnetProof::Mixed;
        };
        if let Some(proof) = self.by_subnet[column][subnet] {
            return proof;
        }
        let uniform = self.acls[column].is_none_or(|acl| acl.uniform_over(range));
        let proof = if uniform {
            match self.proof(column, range.first, ephemeral) {
                Proof::Proven => SubnetProof::Proven,
                Proof::Unproven => SubnetProof::Unproven,
            }
        } else {
            SubnetProof::Mixed
        };
        *self.by_subnet[column][subnet].insert(proof)
    }

    fn proof(&self, column: AclColumn, ip: u32, ephemeral: PortRange) -> Proof {
        let passes = self.acls[column].is_some_and(|acl| {
            acl.allows_ports(Traffic::Inbound, ip, self.ports[column])
                && acl.allows(Traffic::Outbound, ip, ephemeral)
        });
        if passes {
            Proof::Proven
        } else {
            Proof::Unproven
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
pub(in crate::check) struct ProvenHops {
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

/// The endpoint's ENIs, side by side, as the masks read them.
struct MaskedEnis {
    ip: Vec<u32>,
    subnet: Vec<SubnetIdx>,
    /// The column of endpoint-side ACL answers of each ENI.
    column: Vec<AclColumn>,
    /// Every ENI's bit.
    all: u64,
}

/// The endpoint-side answers shared by every workload of one subnet.
#[derive(Debug, Clone, Copy)]
enum SubnetSide {
    /// Not worked out yet.
    Unseen,
    /// The ENIs proven for every workload of the subnet.
    Alike(u64),
    /// The ACLs tell the subnet's workloads apart: ask per workload.
    PerWorkload,
}

/// One endpoint's masks, per key, as far as worked out (`None` until asked).
struct MaskCache {
    /// Per group and service port (`group * ports + port`), the ENIs the group alone lets out
    /// to.
    group_egress: Vec<Option<u64>>,
    /// Per group list, the ENIs its groups together let every service port out to.
    egress: Table<GroupListIdx, Option<u64>>,
    /// Per workload subnet: (ENIs proven on the workload side, ENIs in the subnet itself).
    workload_side: Table<SubnetIdx, Option<(u64, u64)>>,
    /// Per workload subnet, the ENIs proven on the endpoint side.
    endpoint_side: Table<SubnetIdx, SubnetSide>,
}

/// One interface endpoint's masks.
pub(super) struct InterfaceMasks<'w> {
    compiled: &'w Compiled<'w>,
    ep: &'w Endpoint<'w>,
    ephemeral: PortRange,
    ingress_column: IngressColumn,
    enis: MaskedEnis,
    cache: MaskCache,
}

impl<'w> InterfaceMasks<'w> {
    /// `eni_subnets`: the subnet of each of the endpoint's ENIs. `None` when the endpoint has
    /// more ENIs than a mask holds.
    pub(super) fn new(
        compiled: &'w Compiled<'w>,
        ep: &'w Endpoint<'w>,
        eni_subnets: &[SubnetIdx],
        ephemeral: PortRange,
        vw: &VpcWorkloads<'w>,
        shared: &mut VpcAnswers<'w>,
    ) -> Option<Self> {
        if ep.enis.len() > MAX_ENIS {
            return None;
        }
        let column = eni_subnets
            .iter()
            .map(|&s| shared.acl.column(compiled, vw, s, &ep.ports))
            .collect();
        let enis = MaskedEnis {
            ip: ep.enis.iter().map(|e| u32::from(e.ip)).collect(),
            subnet: eni_subnets.to_vec(),
            column,
            all: if ep.enis.len() == MAX_ENIS {
                u64::MAX
            } else {
                (1u64 << ep.enis.len()) - 1
            },
        };
        let groups = compiled.group_set(&ep.groups);
        Some(InterfaceMasks {
            compiled,
            ep,
            ephemeral,
            ingress_column: shared.ingress.column(ep, &groups, vw.len()),
            enis,
            cache: MaskCache {
                group_egress: vec![None; vw.groups.len() * ep.ports.len()],
                egress: Table::filled(None, vw.group_lists.len()),
                workload_side: Table::filled(None, vw.subnets.len()),
                endpoint_side: Table::filled(SubnetSide::Unseen, vw.subnet_range.len()),
            },
        })
    }

    /// What the compiled rules prove for workload `w`.
    pub(super) fn judge(
        &mut self,
        vw: &VpcWorkloads<'w>,
        shared: &mut VpcAnswers<'w>,
        w: WorkloadIdx,
    ) -> Proven {
        let admission = shared.ingress.admission(self.ingress_column, w, vw.ip[w]);
        let admits = admission != Admission::NoPort;
        if admission != Admission::EveryPort {
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
        w: WorkloadIdx,
        ingress: bool,
    ) -> ProvenHops {
        let egress = self.egress_mask(vw, shared, vw.group_list[w]);
        let (workload_side, same) = self.workload_side(vw, vw.subnet[w]);
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
        w: WorkloadIdx,
        same: u64,
    ) -> u64 {
        let subnet = vw.subnet[w];
        if vw.in_subnet[w] {
            let side = match self.cache.endpoint_side[subnet] {
                SubnetSide::Unseen => {
                    let side = self.subnet_side(vw, shared, subnet, same);
                    self.cache.endpoint_side[subnet] = side;
                    side
                }
                known => known,
            };
            match side {
                SubnetSide::Alike(mask) => return mask,
                SubnetSide::PerWorkload | SubnetSide::Unseen => {}
            }
        }
        let mut mask = 0;
        for (i, &column) in self.enis.column.iter().enumerate() {
            if same & (1 << i) == 0 && shared.acl.proven(column, vw, w, self.ephemeral) {
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
        subnet: SubnetIdx,
        same: u64,
    ) -> SubnetSide {
        let mut mask = 0;
        for (i, &column) in self.enis.column.iter().enumerate() {
            if same & (1 << i) != 0 {
                continue;
            }
            match shared.acl.subnet_proof(column, vw, subnet, self.ephemeral) {
                SubnetProof::Mixed => return SubnetSide::PerWorkload,
                SubnetProof::Proven => mask |= 1 << i,
                SubnetProof::Unproven => {}
            }
        }
        SubnetSide::Alike(mask)
    }

    /// ENIs that, on every service port, some group of the list lets out to.
    fn egress_mask(
        &mut self,
        vw: &VpcWorkloads<'w>,
        shared: &mut VpcAnswers<'w>,
        list: GroupListIdx,
    ) -> u64 {
        if let Some(mask) = self.cache.egress[list] {
            return mask;
        }
        let mut mask = self.enis.all;
        for port in 0..self.ep.ports.len() {
            let mut any = 0;
            for &g in vw.group_lists.get(list) {
                any |= self.group_egress_mask(&mut shared.egress, g, port);
            }
            mask &= any;
        }
        *self.cache.egress[list].insert(mask)
    }

    /// ENIs that group `g` alone lets service port number `port` out to.
    fn group_egress_mask(&mut self, views: &mut EgressViews<'w>, g: GroupIdx, port: usize) -> u64 {
        let at = g.position() * self.ep.ports.len() + port;
        if let Some(mask) = self.cache.group_egress[at] {
            return mask;
        }
        let number = self.ep.ports[port];
        let group_sets = &views.group_sets;
        let view = views
            .views
            .entry((g, number))
            .or_insert_with(|| group_sets[g].port_view(RuleDirection::Egress, number));
        let mut mask = 0;
        for (i, &ip) in self.enis.ip.iter().enumerate() {
            if view.allows(ip) == Some(true) {
                mask |= 1 << i;
            }
        }
        *self.cache.group_egress[at].insert(mask)
    }

    /// ENIs routed `local` from the subnet whose ACL (when crossed) passes the service ports
    /// out and the replies in; and the ENIs in that very subnet (no ACL crossed).
    fn workload_side(&mut self, vw: &VpcWorkloads<'w>, subnet: SubnetIdx) -> (u64, u64) {
        if let Some(masks) = self.cache.workload_side[subnet] {
            return masks;
        }
        let subnet_id = vw.subnets.value(subnet);
        let acl = self.compiled.subnet_acl(subnet_id);
        let (mut proven, mut same) = (0, 0);
        for (i, &ip) in self.enis.ip.iter().enumerate() {
            let bit = 1u64 << i;
            if self.enis.subnet[i] == subnet {
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
        *self.cache.workload_side[subnet].insert((proven, same))
    }
}
