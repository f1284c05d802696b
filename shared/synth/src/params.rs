//! Size and shape of a synthetic snapshot.

use crate::ip::USABLE_HOSTS;

/// What to generate. Counts are totals over the snapshot, spread round-robin over the VPCs.
/// Each VPC also gets its default security group and default network ACL, which
/// `security_groups` and `nacls` do not count.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SynthParams {
    /// Number of VPCs (`10.<n>.0.0/16`, at most 200).
    pub vpcs: usize,
    /// Subnets (/24) per VPC, spread over 3 AZs (3..=200). With 6 or more, the first
    /// subnet of each AZ is public.
    pub subnets_per_vpc: usize,
    /// Workload ENIs (EC2 instances mostly, some Lambda and requester-managed RDS ENIs).
    pub workload_enis: usize,
    /// Non-default security groups, workload and endpoint ones (at least 2 per VPC).
    pub security_groups: usize,
    /// Average rules (one per source) of a workload security group, give or take 25%.
    pub rules_per_sg: usize,
    /// Custom (non-default) network ACLs.
    pub nacls: usize,
    /// Average entries of a custom network ACL, both directions and the two `32767`
    /// entries included, give or take 25% (at least 12).
    pub entries_per_nacl: usize,
    /// Interface endpoints, each with one ENI in each of the 3 AZs.
    pub interface_endpoints: usize,
    /// Gateway endpoints, alternately S3 and DynamoDB, in pairs per VPC (at most 2 per VPC).
    pub gateway_endpoints: usize,
    /// Seed of every random choice: the same parameters give byte-identical output.
    pub seed: u64,
    /// Chance, in percent, of each misconfiguration (SG forgetting the endpoint or a gateway
    /// prefix list, endpoint SG admitting the wrong traffic, NACL without ephemeral return,
    /// gateway route missing, private DNS off, ...). At 0 the account is clean: every pair
    /// somebody requires gets through (the model's tests check it).
    pub misconfig_percent: u32,
    /// Share, in percent, of dual-stack VPCs (issue 17): the first VPCs (rounded up) get an
    /// IPv6 block, and their subnets, ENIs, interface endpoints (`dualstack`), route tables,
    /// ACL entries and group rules the IPv6 twins of their IPv4 data. 0 in the `small`,
    /// `medium` and `large` presets (their documents are the same as before the parameter);
    /// the `<preset>:ipv6` presets take 50.
    pub dualstack_percent: u32,
}

impl SynthParams {
    /// About 1 VPC, 50 workload ENIs and 5 endpoints (4 interface, 1 gateway).
    pub fn small() -> Self {
        SynthParams {
            vpcs: 1,
            subnets_per_vpc: 6,
            workload_enis: 50,
            security_groups: 12,
            rules_per_sg: 10,
            nacls: 3,
            entries_per_nacl: 14,
            interface_endpoints: 4,
            gateway_endpoints: 1,
            seed: 1,
            misconfig_percent: 10,
            dualstack_percent: 0,
        }
    }

    /// About 3 VPCs, 1,000 workload ENIs and 30 endpoints (26 interface, 4 gateway).
    pub fn medium() -> Self {
        SynthParams {
            vpcs: 3,
            subnets_per_vpc: 9,
            workload_enis: 1_000,
            security_groups: 150,
            rules_per_sg: 15,
            nacls: 30,
            entries_per_nacl: 16,
            interface_endpoints: 26,
            gateway_endpoints: 4,
            seed: 1,
            misconfig_percent: 5,
            dualstack_percent: 0,
        }
    }

    /// 10 VPCs, 10,000 workload ENIs, 150 interface endpoints x 3 ENIs, 2 gateway endpoints
    /// (S3 and DynamoDB), 2,000 security groups x ~20 rules, 300 NACLs x ~20 entries.
    pub fn large() -> Self {
        SynthParams {
            vpcs: 10,
            subnets_per_vpc: 12,
            workload_enis: 10_000,
            security_groups: 2_000,
            rules_per_sg: 20,
            nacls: 300,
            entries_per_nacl: 20,
            interface_endpoints: 150,
            gateway_endpoints: 2,
            seed: 1,
            misconfig_percent: 5,
            dualstack_percent: 0,
        }
    }

    /// The share of dual-stack VPCs of the `<preset>:ipv6` presets.
    pub const IPV6_PRESET_PERCENT: u32 = 50;

    /// The preset called `name` (`small`, `medium` or `large`), or one of them with
    /// [`Self::IPV6_PRESET_PERCENT`] of its VPCs dual-stack (`large:ipv6`).
    pub fn preset(name: &str) -> Option<Self> {
        if let Some(base) = name.strip_suffix(":ipv6") {
            let base = Self::preset(base)?;
            return Some(SynthParams {
                dualstack_percent: Self::IPV6_PRESET_PERCENT,
                ..base
            });
        }
        match name {
            "small" => Some(Self::small()),
            "medium" => Some(Self::medium()),
            "large" => Some(Self::large()),
            _ => None,
        }
    }

    /// The same parameters with another seed.
    pub fn with_seed(self, seed: u64) -> Self {
        SynthParams { seed, ..self }
    }

    /// The share of `total` that VPC `vpc` gets when `total` is dealt round-robin.
    pub fn share(&self, total: usize, vpc: usize) -> usize {
        total / self.vpcs + usize::from(vpc < total % self.vpcs)
    }

    /// Checks the parameters can be honoured; the error says which one is out of range.
    pub fn validate(&self) -> Result<(), String> {
        check(self.vpcs >= 1 && self.vpcs <= 200, "vpcs must be 1..=200")?;
        check(
            (3..=200).contains(&self.subnets_per_vpc),
            "subnets_per_vpc must be 3..=200",
        )?;
        check(
            self.security_groups >= 2 * self.vpcs,
            "security_groups must be >= 2 * vpcs",
        )?;
        check(self.rules_per_sg >= 1, "rules_per_sg must be >= 1")?;
        check(
            self.entries_per_nacl >= 12,
            "entries_per_nacl must be >= 12",
        )?;
        check(
            self.gateway_endpoints <= 2 * self.vpcs,
            "gateway_endpoints must be <= 2 * vpcs",
        )?;
        check(
            self.misconfig_percent <= 100,
            "misconfig_percent must be <= 100",
        )?;
        check(
            self.dualstack_percent <= 100,
            "dualstack_percent must be <= 100",
        )?;
        self.check_capacity()
    }

    /// Every VPC's ENIs (and a margin for secondary IPs) must fit in 80% of its subnets.
    fn check_capacity(&self) -> Result<(), String> {
        let per_vpc = self.subnets_per_vpc as u64 * u64::from(USABLE_HOSTS) * 8 / 10;
        let per_az = (self.subnets_per_vpc / 3) as u64 * u64::from(USABLE_HOSTS);
        let enis = self.share(self.workload_enis, 0) as u64;
        let endpoints = self.share(self.interface_endpoints, 0) as u64;
        check(
            enis + 3 * endpoints <= per_vpc,
            "workload_enis: too many for the subnets",
        )?;
        check(
            endpoints <= per_az,
            "interface_endpoints: too many for the subnets",
        )
    }
}

fn check(ok: bool, message: &str) -> Result<(), String> {
    if ok {
        Ok(())
    } else {
        Err(message.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn presets_are_valid() {
        for p in [
            SynthParams::small(),
            SynthParams::medium(),
            SynthParams::large(),
        ] {
            assert_eq!(p.validate(), Ok(()));
        }
    }

    #[test]
    fn share_sums_to_total() {
        let p = SynthParams::large();
        assert_eq!((0..p.vpcs).map(|v| p.share(1234, v)).sum::<usize>(), 1234);
    }
}
