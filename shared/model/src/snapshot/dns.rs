//! The DNS part of a snapshot (issue 15): Route 53 private hosted zones and their records,
//! Route 53 Resolver rules and their VPC associations, Route 53 Profiles, DHCP option sets and
//! the endpoint services' DNS names. Serde mirrors of the AWS CLI outputs (AWS's field names),
//! and [`DnsData`], what the loader keeps of them.
//!
//! Names are kept as Route 53 stores them ([`normalise_name`]): lower case, a trailing dot,
//! a wildcard label as `\052`. Zone ids are kept bare ([`bare_zone_id`]): `Z0123456789ABC`,
//! never `/hostedzone/Z0123456789ABC`.
//!
//! A snapshot with none of these documents has `DnsData::default()` ([`DnsData::is_empty`]):
//! the check then behaves exactly as before issue 15 and says DNS resolution was not checked.

use std::collections::{BTreeMap, BTreeSet};

use serde::Deserialize;

/// `list-hosted-zones` → `HostedZones[]`, and `get-hosted-zone` → `HostedZone`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct HostedZone {
    /// `/hostedzone/Z…` or `Z…` (made bare on load).
    pub id: String,
    /// The zone's name (normalised on load).
    pub name: String,
    /// `Config` (`PrivateZone`).
    #[serde(default)]
    pub config: Option<HostedZoneConfig>,
}

impl HostedZone {
    /// True for a private hosted zone (`Config.PrivateZone`).
    pub fn is_private(&self) -> bool {
        self.config.as_ref().is_some_and(|c| c.private_zone)
    }
}

/// `HostedZone.Config`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct HostedZoneConfig {
    /// True for a private hosted zone.
    #[serde(default)]
    pub private_zone: bool,
}

/// `get-hosted-zone` → `VPCs[]`: one VPC associated with a private hosted zone.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct ZoneVpc {
    /// `VPCId`.
    #[serde(rename = "VPCId")]
    pub vpc_id: String,
    /// `VPCRegion`.
    #[serde(rename = "VPCRegion", default)]
    pub vpc_region: Option<String>,
}

/// `list-resource-record-sets` → `ResourceRecordSets[]`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct RecordSet {
    /// The record's name (normalised on load).
    pub name: String,
    /// `A`, `AAAA`, `CNAME`, …
    #[serde(rename = "Type")]
    pub record_type: String,
    /// `SetIdentifier` of weighted, latency, … records.
    #[serde(default)]
    pub set_identifier: Option<String>,
    /// `ResourceRecords[].Value`.
    #[serde(default)]
    pub resource_records: Vec<ResourceRecord>,
    /// `AliasTarget`.
    #[serde(default)]
    pub alias_target: Option<AliasTarget>,
}

/// One value of a record set.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ResourceRecord {
    /// An address (A/AAAA) or a name (CNAME).
    pub value: String,
}

/// An alias record's target.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct AliasTarget {
    /// `DNSName` (normalised on load).
    #[serde(rename = "DNSName")]
    pub dns_name: String,
    /// `HostedZoneId` of the target.
    #[serde(rename = "HostedZoneId", default)]
    pub hosted_zone_id: Option<String>,
}

/// `route53 list-hosted-zones-by-vpc` → `HostedZoneSummaries[]`: a private zone associated with
/// the VPC the call was made for, whoever owns it (docs/spec.md D9).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct HostedZoneSummary {
    /// `Z…` (bare in AWS's output).
    pub hosted_zone_id: String,
    /// The zone's name.
    pub name: String,
    /// `Owner`: an account, or an AWS service using its own account.
    #[serde(default)]
    pub owner: Option<HostedZoneOwner>,
}

/// `HostedZoneSummaries[].Owner`: one of the two is set.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct HostedZoneOwner {
    /// The owning account (also for zones a service creates in the caller's account).
    #[serde(default)]
    pub owning_account: Option<String>,
    /// The AWS service that owns the zone in an account of its own (`efs.amazonaws.com`).
    #[serde(default)]
    pub owning_service: Option<String>,
}

/// `route53resolver list-resolver-rules` → `ResolverRules[]`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ResolverRule {
    /// `rslvr-rr-…` (or `rslvr-autodefined-rr-…`).
    pub id: String,
    /// The domain the rule applies to (normalised on load).
    pub domain_name: String,
    /// `FORWARD`, `SYSTEM`, `RECURSIVE` or `DELEGATE`.
    pub rule_type: String,
    /// The rule's name, for people.
    #[serde(default)]
    pub name: Option<String>,
    /// `COMPLETE`, `DELETING`, …
    #[serde(default)]
    pub status: Option<String>,
}

/// `route53resolver list-resolver-rule-associations` → `ResolverRuleAssociations[]`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct ResolverRuleAssociation {
    /// `rslvr-rrassoc-…`.
    #[serde(rename = "Id")]
    pub id: String,
    /// The rule.
    #[serde(rename = "ResolverRuleId")]
    pub resolver_rule_id: String,
    /// The VPC.
    #[serde(rename = "VPCId")]
    pub vpc_id: String,
    /// `COMPLETE`, `CREATING`, `DELETING`, …
    #[serde(rename = "Status", default)]
    pub status: Option<String>,
}

/// `route53profiles list-profile-associations` → `ProfileAssociations[]`: a Profile associated
/// with a VPC (at most one per VPC).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ProfileAssociation {
    /// `rpassoc-…`.
    pub id: String,
    /// `rp-…`.
    pub profile_id: String,
    /// The VPC.
    pub resource_id: String,
    /// `COMPLETE`, …
    #[serde(default)]
    pub status: Option<String>,
}

/// `route53profiles list-profile-resource-associations` → `ProfileResourceAssociations[]`: a
/// hosted zone or Resolver rule in a Profile.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ProfileResourceAssociation {
    /// `rpr-…`.
    pub id: String,
    /// `rp-…`.
    pub profile_id: String,
    /// The resource: `arn:aws:route53:::hostedzone/Z…`, `arn:aws:route53resolver:…:resolver-rule/rslvr-rr-…`.
    pub resource_arn: String,
    /// `COMPLETE`, …
    #[serde(default)]
    pub status: Option<String>,
}

impl ProfileResourceAssociation {
    /// The resource's id: the last path segment of its ARN.
    pub fn resource_id(&self) -> &str {
        self.resource_arn
            .rsplit(['/', ':'])
            .next()
            .unwrap_or(&self.resource_arn)
    }
}

/// `ec2 describe-dhcp-options` → `DhcpOptions[]`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct DhcpOptions {
    /// `dopt-…`.
    pub dhcp_options_id: String,
    /// `Key` / `Values[].Value` pairs.
    #[serde(default)]
    pub dhcp_configurations: Vec<DhcpConfiguration>,
}

impl DhcpOptions {
    /// `domain-name-servers`, when the set has it.
    pub fn name_servers(&self) -> Option<Vec<&str>> {
        self.dhcp_configurations
            .iter()
            .find(|c| c.key == "domain-name-servers")
            .map(|c| c.values.iter().map(|v| v.value.as_str()).collect())
    }
}

/// One DHCP option.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct DhcpConfiguration {
    /// `domain-name-servers`, `domain-name`, …
    pub key: String,
    /// The values.
    #[serde(default)]
    pub values: Vec<AttributeValue>,
}

/// `{"Value": "…"}`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct AttributeValue {
    /// The value.
    pub value: String,
}

/// `ec2 describe-vpc-endpoint-services` → `ServiceDetails[]`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ServiceDetail {
    /// `com.amazonaws.<region>.<service>`.
    pub service_name: String,
    /// The main private DNS name.
    #[serde(default)]
    pub private_dns_name: Option<String>,
    /// Every private DNS name (some services have several, S3 has a wildcard one).
    #[serde(default)]
    pub private_dns_names: Vec<PrivateDnsName>,
    /// The base names of the endpoint-specific DNS names (`ssm.<region>.vpce.amazonaws.com`).
    #[serde(default)]
    pub base_endpoint_dns_names: Vec<String>,
}

/// `{"PrivateDnsName": "…"}`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct PrivateDnsName {
    /// The name.
    pub private_dns_name: String,
}

/// One DNS document kind the loader reads, by top-level key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum DnsCall {
    /// `route53 list-hosted-zones` → `HostedZones`.
    HostedZones,
    /// `route53 get-hosted-zone` → `HostedZone` and `VPCs`.
    HostedZoneVpcs,
    /// `route53 list-resource-record-sets` (with `HostedZoneId`) → `ResourceRecordSets`.
    RecordSets,
    /// `route53 list-hosted-zones-by-vpc` (with `VPCId`) → `HostedZoneSummaries`.
    ZonesByVpc,
    /// `route53resolver list-resolver-rules` → `ResolverRules`.
    ResolverRules,
    /// `route53resolver list-resolver-rule-associations` → `ResolverRuleAssociations`.
    ResolverRuleAssociations,
    /// `route53profiles list-profile-associations` → `ProfileAssociations`.
    ProfileAssociations,
    /// `route53profiles list-profile-resource-associations` → `ProfileResourceAssociations`.
    ProfileResourceAssociations,
    /// `ec2 describe-dhcp-options` → `DhcpOptions`.
    DhcpOptions,
    /// `ec2 describe-vpc-endpoint-services` → `ServiceDetails`.
    EndpointServices,
}

/// What a snapshot holds of DNS, keyed by AWS ids (zone ids bare).
#[derive(Debug, Clone, Default)]
pub struct DnsData {
    /// Hosted zones, private and public.
    pub zones: BTreeMap<String, HostedZone>,
    /// The VPCs associated with each private zone whose `get-hosted-zone` output the snapshot
    /// holds. A zone absent here has unknown associations.
    pub zone_vpcs: BTreeMap<String, BTreeSet<String>>,
    /// The record sets of each zone whose `list-resource-record-sets` output the snapshot holds.
    pub records: BTreeMap<String, Vec<RecordSet>>,
    /// The private zones associated with each VPC whose `list-hosted-zones-by-vpc` output the
    /// snapshot holds (D9): VPC id → zone ids, whoever owns the zones.
    pub vpc_zones: BTreeMap<String, BTreeSet<String>>,
    /// The owning account of each zone a `list-hosted-zones-by-vpc` output names (zones a
    /// service owns in an account of its own are left out: D9).
    pub zone_owners: BTreeMap<String, String>,
    /// Resolver rules by id.
    pub resolver_rules: BTreeMap<String, ResolverRule>,
    /// Resolver rule associations by id.
    pub rule_associations: BTreeMap<String, ResolverRuleAssociation>,
    /// Profile associations by id.
    pub profile_associations: BTreeMap<String, ProfileAssociation>,
    /// Profile resource associations by id.
    pub profile_resources: BTreeMap<String, ProfileResourceAssociation>,
    /// DHCP option sets by id.
    pub dhcp_options: BTreeMap<String, DhcpOptions>,
    /// Endpoint services by service name.
    pub services: BTreeMap<String, ServiceDetail>,
    /// Which DNS documents the snapshot held.
    pub calls: BTreeSet<DnsCall>,
}

impl DnsData {
    /// True when the snapshot held no DNS document at all: resolution is not checked.
    pub fn is_empty(&self) -> bool {
        self.calls.is_empty()
    }

    /// True when the snapshot holds `call`'s output.
    pub fn has(&self, call: DnsCall) -> bool {
        self.calls.contains(&call)
    }
}

/// A zone id without the `/hostedzone/` prefix some outputs give it.
pub fn bare_zone_id(id: &str) -> &str {
    id.strip_prefix("/hostedzone/").unwrap_or(id)
}

/// A DNS name as Route 53 stores it: lower case, with a trailing dot, a wildcard label as
/// `\052` (moto and hand-written files give a literal `*`).
pub fn normalise_name(name: &str) -> String {
    let mut out = name.trim().to_ascii_lowercase();
    if out.starts_with("*.") || out == "*" {
        out.replace_range(..1, "\\052");
    }
    if !out.ends_with('.') {
        out.push('.');
    }
    out
}

/// The DNS documents of one file, as the loader's visitor found them.
#[derive(Default)]
pub(crate) struct DnsDocument {
    pub hosted_zones: Option<Vec<HostedZone>>,
    pub hosted_zone: Option<HostedZone>,
    pub vpcs_of_zone: Option<Vec<ZoneVpc>>,
    pub hosted_zone_id: Option<String>,
    pub record_sets: Option<Vec<RecordSet>>,
    pub by_vpc_id: Option<String>,
    pub zone_summaries: Option<Vec<HostedZoneSummary>>,
    pub resolver_rules: Option<Vec<ResolverRule>>,
    pub rule_associations: Option<Vec<ResolverRuleAssociation>>,
    pub profile_associations: Option<Vec<ProfileAssociation>>,
    pub profile_resources: Option<Vec<ProfileResourceAssociation>>,
    pub dhcp_options: Option<Vec<DhcpOptions>>,
    pub services: Option<Vec<ServiceDetail>>,
}

impl DnsDocument {
    /// Reads one top-level key if it is a DNS one; `Ok(false)` leaves it to the caller.
    pub(crate) fn read_key<'de, A: serde::de::MapAccess<'de>>(
        &mut self,
        key: &str,
        map: &mut A,
    ) -> Result<bool, A::Error> {
        match key {
            "HostedZones" => self.hosted_zones = Some(map.next_value()?),
            "HostedZone" => self.hosted_zone = Some(map.next_value()?),
            "VPCs" => self.vpcs_of_zone = Some(map.next_value()?),
            "HostedZoneId" => self.hosted_zone_id = Some(map.next_value()?),
            "ResourceRecordSets" => self.record_sets = Some(map.next_value()?),
            "VPCId" => self.by_vpc_id = Some(map.next_value()?),
            "HostedZoneSummaries" => self.zone_summaries = Some(map.next_value()?),
            "ResolverRules" => self.resolver_rules = Some(map.next_value()?),
            "ResolverRuleAssociations" => self.rule_associations = Some(map.next_value()?),
            "ProfileAssociations" => self.profile_associations = Some(map.next_value()?),
            "ProfileResourceAssociations" => self.profile_resources = Some(map.next_value()?),
            "DhcpOptions" => self.dhcp_options = Some(map.next_value()?),
            "ServiceDetails" => self.services = Some(map.next_value()?),
            // Pagination and companion keys of the outputs above: nothing to keep, nothing
            // to warn about.
            "IsTruncated"
            | "MaxItems"
            | "Marker"
            | "NextMarker"
            | "NextRecordName"
            | "NextRecordType"
            | "NextRecordIdentifier"
            | "NextToken"
            | "MaxResults"
            | "ServiceNames"
            | "VPCRegion"
            | "DelegationSet" => {
                map.next_value::<serde::de::IgnoredAny>()?;
            }
            _ => return Ok(false),
        }
        Ok(true)
    }
}

/// Why a DNS document cannot be absorbed.
#[derive(Debug)]
pub(crate) enum DnsLoadError {
    /// The same id twice with different content: (id, file of the first copy).
    Conflict(String, String),
    /// A document that cannot be understood: the message names the field.
    Malformed(String),
}

/// Absorbs DNS documents into a [`DnsData`], merging copies like the rest of the loader:
/// identical copies are kept once, different ones are a conflict.
#[derive(Default)]
pub(crate) struct DnsBuilder {
    pub data: DnsData,
    /// `kind id` → the file of its first copy.
    origin: BTreeMap<String, String>,
}

impl DnsBuilder {
    /// Adds one file's DNS documents.
    pub(crate) fn absorb(&mut self, file: &str, doc: DnsDocument) -> Result<(), DnsLoadError> {
        self.zones(file, doc.hosted_zones, DnsCall::HostedZones)?;
        if let Some(zone) = doc.hosted_zone {
            let id = bare_zone_id(&zone.id).to_string();
            self.zones(file, Some(vec![zone]), DnsCall::HostedZones)?;
            if let Some(vpcs) = doc.vpcs_of_zone {
                self.zone_vpcs(file, id, vpcs)?;
            }
        } else if doc.vpcs_of_zone.is_some() {
            return Err(DnsLoadError::Malformed(
                "`VPCs` without `HostedZone`: a get-hosted-zone output must keep both".into(),
            ));
        }
        if let Some(records) = doc.record_sets {
            let Some(zone) = doc.hosted_zone_id else {
                return Err(DnsLoadError::Malformed(
                    "`ResourceRecordSets` without `HostedZoneId`: list-resource-record-sets \
                     does not name its zone, so a snapshot wraps it with the zone's id \
                     (docs/snapshot-format.md)"
                        .into(),
                ));
            };
            self.records(file, bare_zone_id(&zone).to_string(), records)?;
        }
        match (doc.by_vpc_id, doc.zone_summaries) {
            (Some(vpc), Some(zones)) => self.zones_by_vpc(file, vpc, zones)?,
            (None, Some(_)) => {
                return Err(DnsLoadError::Malformed(
                    "`HostedZoneSummaries` without `VPCId`: list-hosted-zones-by-vpc does not \
                     name its VPC, so a snapshot wraps it with the VPC's id \
                     (docs/snapshot-format.md)"
                        .into(),
                ))
            }
            _ => {}
        }
        self.by_id(
            file,
            doc.resolver_rules,
            DnsCall::ResolverRules,
            |d| &mut d.resolver_rules,
            |r| r.id.clone(),
            |mut r| {
                r.domain_name = normalise_name(&r.domain_name);
                r
            },
        )?;
        self.by_id(
            file,
            doc.rule_associations,
            DnsCall::ResolverRuleAssociations,
            |d| &mut d.rule_associations,
            |r| r.id.clone(),
            |r| r,
        )?;
        self.by_id(
            file,
            doc.profile_associations,
            DnsCall::ProfileAssociations,
            |d| &mut d.profile_associations,
            |r| r.id.clone(),
            |r| r,
        )?;
        self.by_id(
            file,
            doc.profile_resources,
            DnsCall::ProfileResourceAssociations,
            |d| &mut d.profile_resources,
            |r| r.id.clone(),
            |r| r,
        )?;
        self.by_id(
            file,
            doc.dhcp_options,
            DnsCall::DhcpOptions,
            |d| &mut d.dhcp_options,
            |r| r.dhcp_options_id.clone(),
            |r| r,
        )?;
        self.by_id(
            file,
            doc.services,
            DnsCall::EndpointServices,
            |d| &mut d.services,
            |r| r.service_name.clone(),
            |mut r| {
                r.private_dns_name = r.private_dns_name.map(|n| normalise_name(&n));
                for n in &mut r.private_dns_names {
                    n.private_dns_name = normalise_name(&n.private_dns_name);
                }
                r
            },
        )?;
        Ok(())
    }

    fn zones(
        &mut self,
        file: &str,
        zones: Option<Vec<HostedZone>>,
        call: DnsCall,
    ) -> Result<(), DnsLoadError> {
        self.by_id(
            file,
            zones,
            call,
            |d| &mut d.zones,
            |z| z.id.clone(),
            |mut z| {
                z.id = bare_zone_id(&z.id).to_string();
                z.name = normalise_name(&z.name);
                z
            },
        )
    }

    fn zone_vpcs(
        &mut self,
        file: &str,
        zone: String,
        vpcs: Vec<ZoneVpc>,
    ) -> Result<(), DnsLoadError> {
        self.data.calls.insert(DnsCall::HostedZoneVpcs);
        let set: BTreeSet<String> = vpcs.into_iter().map(|v| v.vpc_id).collect();
        let key = format!("zone-vpcs {zone}");
        match self.data.zone_vpcs.get(&zone) {
            Some(held) if *held != set => Err(self.conflict(key, &zone)),
            Some(_) => Ok(()),
            None => {
                self.origin.insert(key, file.to_string());
                self.data.zone_vpcs.insert(zone, set);
                Ok(())
            }
        }
    }

    /// D9: the zones associated with `vpc`, whoever owns them. A zone the snapshot does not
    /// otherwise hold is added as a private zone of that name (its records stay unknown unless
    /// a `list-resource-record-sets` output gives them); a zone a service owns in an account of
    /// its own is skipped (the service answers its own names: D5 for endpoints).
    fn zones_by_vpc(
        &mut self,
        file: &str,
        vpc: String,
        zones: Vec<HostedZoneSummary>,
    ) -> Result<(), DnsLoadError> {
        self.data.calls.insert(DnsCall::ZonesByVpc);
        let held = self.data.vpc_zones.entry(vpc).or_default();
        let mut added = Vec::new();
        for z in zones {
            let Some(account) = z.owner.and_then(|o| o.owning_account) else {
                continue;
            };
            let id = bare_zone_id(&z.hosted_zone_id).to_string();
            held.insert(id.clone());
            added.push((id, normalise_name(&z.name), account));
        }
        for (id, name, account) in added {
            let key = format!("zone-owner {id}");
            match self.data.zone_owners.get(&id) {
                Some(owner) if *owner != account => return Err(self.conflict(key, &id)),
                Some(_) => {}
                None => {
                    self.origin.insert(key, file.to_string());
                    self.data.zone_owners.insert(id.clone(), account);
                }
            }
            match self.data.zones.get(&id) {
                Some(zone) if zone.name != name => {
                    return Err(self.conflict(format!("{:?} {id}", DnsCall::HostedZones), &id))
                }
                Some(_) => {}
                None => {
                    let zone = HostedZone {
                        id: id.clone(),
                        name,
                        config: Some(HostedZoneConfig { private_zone: true }),
                    };
                    self.data.zones.insert(id, zone);
                }
            }
        }
        Ok(())
    }

    /// Records of one zone: pages of one listing may come in several files, so they are
    /// united; one record (name, type, set identifier) given twice differently is a conflict.
    fn records(
        &mut self,
        file: &str,
        zone: String,
        records: Vec<RecordSet>,
    ) -> Result<(), DnsLoadError> {
        self.data.calls.insert(DnsCall::RecordSets);
        // An empty listing is a zone without records, not an unknown one.
        self.data.records.entry(zone.clone()).or_default();
        for mut record in records {
            record.name = normalise_name(&record.name);
            record.record_type = record.record_type.to_ascii_uppercase();
            if let Some(alias) = &mut record.alias_target {
                alias.dns_name = normalise_name(&alias.dns_name);
            }
            let key = format!(
                "record {zone} {} {} {}",
                record.name,
                record.record_type,
                record.set_identifier.as_deref().unwrap_or("")
            );
            let held = self.data.records.entry(zone.clone()).or_default();
            let same = |r: &RecordSet| {
                r.name == record.name
                    && r.record_type == record.record_type
                    && r.set_identifier == record.set_identifier
            };
            match held.iter().find(|r| same(r)) {
                Some(r) if *r != record => return Err(self.conflict(key, &zone)),
                Some(_) => {}
                None => {
                    held.push(record);
                    self.origin.insert(key, file.to_string());
                }
            }
        }
        Ok(())
    }

    #[allow(clippy::too_many_arguments)]
    fn by_id<T: PartialEq>(
        &mut self,
        file: &str,
        items: Option<Vec<T>>,
        call: DnsCall,
        map: impl Fn(&mut DnsData) -> &mut BTreeMap<String, T>,
        id: impl Fn(&T) -> String,
        normalise: impl Fn(T) -> T,
    ) -> Result<(), DnsLoadError> {
        let Some(items) = items else { return Ok(()) };
        self.data.calls.insert(call);
        for item in items {
            let item = normalise(item);
            let key = id(&item);
            let origin_key = format!("{call:?} {key}");
            match map(&mut self.data).get(&key) {
                Some(held) if *held != item => return Err(self.conflict(origin_key, &key)),
                Some(_) => {}
                None => {
                    map(&mut self.data).insert(key, item);
                    self.origin.insert(origin_key, file.to_string());
                }
            }
        }
        Ok(())
    }

    fn conflict(&self, origin_key: String, id: &str) -> DnsLoadError {
        let first = self.origin.get(&origin_key).cloned().unwrap_or_default();
        DnsLoadError::Conflict(id.to_string(), first)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_kept_as_route53_stores_them() {
        assert_eq!(
            normalise_name("*.S3.ap-northeast-1.amazonaws.com"),
            "\\052.s3.ap-northeast-1.amazonaws.com."
        );
        assert_eq!(
            normalise_name("\\052.dkr.ecr.x.amazonaws.com."),
            "\\052.dkr.ecr.x.amazonaws.com."
        );
        assert_eq!(
            normalise_name("ssm.x.amazonaws.com"),
            "ssm.x.amazonaws.com."
        );
        assert_eq!(bare_zone_id("/hostedzone/Z0123"), "Z0123");
        assert_eq!(bare_zone_id("Z0123"), "Z0123");
    }

    #[test]
    fn a_profile_resource_is_named_by_its_arn() {
        let r = ProfileResourceAssociation {
            id: "rpr-1".into(),
            profile_id: "rp-1".into(),
            resource_arn: "arn:aws:route53:::hostedzone/Z0123".into(),
            status: None,
        };
        assert_eq!(r.resource_id(), "Z0123");
    }
}
