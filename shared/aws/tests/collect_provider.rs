//! The provider side of an endpoint service the account hosts (issue 16), collected live from
//! the patched moto (`MotoServer::start_patched`: an NLB gets a `loadbalancer/net/...` ARN and
//! one `network_load_balancer` ENI per subnet, at `.100` of the subnet, like AWS's nodes).
//!
//! The world: provider VPC 10.2.0.0/16, an internal NLB in 10.2.1.0/24 (us-east-1a), a TCP
//! 8443 listener forwarding to an instance target group with one instance in 10.2.3.0/24
//! (us-east-1a) behind `sg-app`, and an endpoint service configuration naming the NLB. `sg-app`
//! first admits the consumers' CIDR (10.9.0.0/16) and not the NLB's private IP: the classic
//! mistake, since PrivateLink traffic reaches targets from the NLB's nodes (docs/spec.md N2).
//!
//! moto quirks: target health is always `healthy`; `Target.AvailabilityZone` is absent for
//! instance targets (AWS omits it too); the load balancer's zones have no
//! `LoadBalancerAddresses` (an internal NLB without chosen addresses: AWS gives `[]`).

use serde_json::Value;
use vpce_reach_aws::{collect_accounts_with, load_balancers, Clients, Dns, Scope, Snapshot};
use vpce_reach_model::{check, from_documents, FindingCode, Report, RuleParameters};
use vpce_reach_testkit::{sdk_config, MotoServer};

use aws_sdk_ec2::types::{IpPermission, IpRange};
use aws_sdk_elasticloadbalancingv2::types::{
    Action, ActionTypeEnum, LoadBalancerSchemeEnum, LoadBalancerTypeEnum, ProtocolEnum,
    TargetDescription, TargetTypeEnum,
};

/// What the test builds.
struct Hosted {
    vpc: String,
    app_group: String,
    instance: String,
    lb: String,
    target_group: String,
    service: String,
}

async fn subnet(c: &Clients, vpc: &str, cidr: &str) -> String {
    let out = c
        .ec2
        .create_subnet()
        .vpc_id(vpc)
        .cidr_block(cidr)
        .availability_zone("us-east-1a")
        .send()
        .await
        .unwrap();
    out.subnet().unwrap().subnet_id().unwrap().to_owned()
}

/// `tcp/8443` from `cidr`.
fn tcp_8443_from(cidr: &str) -> IpPermission {
    IpPermission::builder()
        .ip_protocol("tcp")
        .from_port(8443)
        .to_port(8443)
        .ip_ranges(IpRange::builder().cidr_ip(cidr).build())
        .build()
}

/// The provider VPC, its NLB service, and `sg-app` admitting the consumers' CIDR only.
async fn host_service(c: &Clients) -> Hosted {
    let vpc = c
        .ec2
        .create_vpc()
        .cidr_block("10.2.0.0/16")
        .send()
        .await
        .unwrap();
    let vpc = vpc.vpc().unwrap().vpc_id().unwrap().to_owned();
    let nlb_subnet = subnet(c, &vpc, "10.2.1.0/24").await;
    let app_subnet = subnet(c, &vpc, "10.2.3.0/24").await;
    let group = c
        .ec2
        .create_security_group()
        .vpc_id(&vpc)
        .group_name("app")
        .description("service targets")
        .send()
        .await
        .unwrap();
    let app_group = group.group_id().unwrap().to_owned();
    c.ec2
        .authorize_security_group_ingress()
        .group_id(&app_group)
        .ip_permissions(tcp_8443_from("10.9.0.0/16"))
        .send()
        .await
        .unwrap();
    let run = c
        .ec2
        .run_instances()
        .image_id("ami-12c6146b")
        .min_count(1)
        .max_count(1)
        .subnet_id(&app_subnet)
        .security_group_ids(&app_group)
        .send()
        .await
        .unwrap();
    let instance = run.instances()[0].instance_id().unwrap().to_owned();
    let lb = c
        .elb
        .create_load_balancer()
        .name("svc-nlb")
        .r#type(LoadBalancerTypeEnum::Network)
        .scheme(LoadBalancerSchemeEnum::Internal)
        .subnets(&nlb_subnet)
        .send()
        .await
        .unwrap();
    let lb = lb.load_balancers()[0]
        .load_balancer_arn()
        .unwrap()
        .to_owned();
    let tg = c
        .elb
        .create_target_group()
        .name("svc-tg")
        .protocol(ProtocolEnum::Tcp)
        .port(8443)
        .vpc_id(&vpc)
        .target_type(TargetTypeEnum::Instance)
        .send()
        .await
        .unwrap();
    let target_group = tg.target_groups()[0].target_group_arn().unwrap().to_owned();
    c.elb
        .register_targets()
        .target_group_arn(&target_group)
        .targets(TargetDescription::builder().id(&instance).build())
        .send()
        .await
        .unwrap();
    c.elb
        .create_listener()
        .load_balancer_arn(&lb)
        .protocol(ProtocolEnum::Tcp)
        .port(8443)
        .default_actions(
            Action::builder()
                .r#type(ActionTypeEnum::Forward)
                .target_group_arn(&target_group)
                .build(),
        )
        .send()
        .await
        .unwrap();
    let service = c
        .ec2
        .create_vpc_endpoint_service_configuration()
        .network_load_balancer_arns(&lb)
        .acceptance_required(false)
        .send()
        .await
        .unwrap();
    let service = service
        .service_configuration()
        .unwrap()
        .service_id()
        .unwrap()
        .to_owned();
    Hosted {
        vpc,
        app_group,
        instance,
        lb,
        target_group,
        service,
    }
}

async fn collect(c: &Clients, scope: &Scope) -> Snapshot {
    collect_accounts_with(c, &[], scope, Dns::Off, &|_| {})
        .await
        .unwrap()
}

fn doc<'a>(snapshot: &'a Snapshot, file: &str) -> &'a Value {
    snapshot
        .document(file)
        .unwrap_or_else(|| panic!("no {file}"))
}

fn checked(snapshot: &Snapshot) -> Report {
    let model = from_documents(snapshot.documents.clone()).unwrap();
    check(&model, &RuleParameters::default())
}

fn service_findings<'a>(report: &'a Report, h: &Hosted) -> Vec<&'a vpce_reach_model::Finding> {
    report
        .findings
        .iter()
        .filter(|f| f.endpoint.as_deref() == Some(h.service.as_str()))
        .collect()
}

/// The NLB's node address: its ENI's (the patched moto gives it `.100` of its subnet).
fn node_ip(snapshot: &Snapshot, lb: &str) -> String {
    let tail = lb.split_once(":loadbalancer/").unwrap().1;
    let enis = doc(snapshot, "network-interfaces.json")["NetworkInterfaces"]
        .as_array()
        .unwrap();
    let node = enis
        .iter()
        .find(|e| e["Description"] == format!("ELB {tail}").as_str())
        .expect("the NLB's ENI");
    assert_eq!(node["InterfaceType"], "network_load_balancer");
    node["PrivateIpAddress"].as_str().unwrap().to_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hosted_service_is_collected_and_the_classic_mistake_found_then_fixed() {
    let server = MotoServer::start_patched();
    let c = Clients::new(&sdk_config(&server.endpoint_url()));
    let h = host_service(&c).await;
    let snapshot = collect(&c, &Scope::vpcs([h.vpc.as_str()])).await;

    // The documents, as the model reads them (docs/snapshot-format.md).
    let services = doc(&snapshot, load_balancers::SERVICES_FILE)["ServiceConfigurations"]
        .as_array()
        .unwrap();
    assert_eq!(services.len(), 1, "{services:#?}");
    assert_eq!(services[0]["ServiceId"], h.service.as_str());
    assert_eq!(services[0]["NetworkLoadBalancerArns"][0], h.lb.as_str());
    let lbs = &doc(&snapshot, load_balancers::LOAD_BALANCERS_FILE)["LoadBalancers"];
    assert_eq!(lbs.as_array().unwrap().len(), 1);
    assert_eq!(lbs[0]["LoadBalancerArn"], h.lb.as_str());
    assert_eq!(lbs[0]["Type"], "network");
    assert_eq!(lbs[0]["VpcId"], h.vpc.as_str());
    assert_eq!(lbs[0]["AvailabilityZones"][0]["ZoneName"], "us-east-1a");
    let listeners = &doc(&snapshot, load_balancers::LISTENERS_FILE)["LoadBalancerListeners"];
    assert_eq!(listeners[0]["LoadBalancerArn"], h.lb.as_str());
    assert_eq!(listeners[0]["Listeners"][0]["Port"], 8443);
    assert_eq!(listeners[0]["Listeners"][0]["Protocol"], "TCP");
    assert_eq!(
        listeners[0]["Listeners"][0]["DefaultActions"][0]["TargetGroupArn"],
        h.target_group.as_str()
    );
    let groups = &doc(&snapshot, load_balancers::TARGET_GROUPS_FILE)["TargetGroups"];
    assert_eq!(groups[0]["TargetGroupArn"], h.target_group.as_str());
    assert_eq!(groups[0]["TargetType"], "instance");
    assert_eq!(groups[0]["HealthCheckPort"], "traffic-port");
    let health = &doc(&snapshot, load_balancers::TARGET_HEALTH_FILE)["LoadBalancerTargetHealth"];
    assert_eq!(health[0]["TargetGroupArn"], h.target_group.as_str());
    let target = &health[0]["TargetHealthDescriptions"][0];
    assert_eq!(target["Target"]["Id"], h.instance.as_str());
    assert_eq!(target["Target"]["Port"], 8443);
    assert_eq!(target["TargetHealth"]["State"], "healthy");
    let lb_attributes =
        &doc(&snapshot, load_balancers::LB_ATTRIBUTES_FILE)["LoadBalancerAttributes"];
    assert_eq!(lb_attributes[0]["LoadBalancerArn"], h.lb.as_str());
    assert!(lb_attributes[0]["Attributes"]
        .as_array()
        .unwrap()
        .iter()
        .any(|a| a["Key"] == "load_balancing.cross_zone.enabled"));
    let tg_attributes =
        &doc(&snapshot, load_balancers::TG_ATTRIBUTES_FILE)["TargetGroupAttributes"];
    assert_eq!(tg_attributes[0]["TargetGroupArn"], h.target_group.as_str());

    // The check: the target's group admits the consumers, not the NLB's node.
    let node = node_ip(&snapshot, &h.lb);
    let report = checked(&snapshot);
    let found = service_findings(&report, &h);
    assert_eq!(found.len(), 1, "{found:#?}");
    let f = found[0];
    assert_eq!(f.code, FindingCode::EniSgRulesMismatch);
    assert_eq!(&*f.component, h.app_group.as_str());
    assert_eq!(f.source.as_deref(), Some(h.lb.as_str()));
    assert_eq!(&*f.traffic, "tcp/8443");
    assert_eq!(
        &*f.fix,
        format!(
            "allow tcp/8443 from {node}/32 (the NLB's private IPs) on {}",
            h.app_group
        )
    );
    assert!(
        !report.missing.iter().any(|m| m.resource == h.service),
        "{:#?}",
        report.missing
    );

    // Fixed as the finding says: nothing left to report.
    c.ec2
        .authorize_security_group_ingress()
        .group_id(&h.app_group)
        .ip_permissions(tcp_8443_from(&format!("{node}/32")))
        .send()
        .await
        .unwrap();
    let fixed = checked(&collect(&c, &Scope::vpcs([h.vpc.as_str()])).await);
    assert!(
        service_findings(&fixed, &h).is_empty(),
        "{:#?}",
        fixed.findings
    );
    assert!(
        !fixed.missing.iter().any(|m| m.resource == h.service),
        "{:#?}",
        fixed.missing
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_vpc_scope_without_the_nlb_reads_no_load_balancer() {
    let server = MotoServer::start_patched();
    let c = Clients::new(&sdk_config(&server.endpoint_url()));
    let h = host_service(&c).await;
    let other = c
        .ec2
        .create_vpc()
        .cidr_block("10.7.0.0/16")
        .send()
        .await
        .unwrap();
    let other = other.vpc().unwrap().vpc_id().unwrap().to_owned();

    let elsewhere = collect(&c, &Scope::vpcs([other.as_str()])).await;
    let services = &doc(&elsewhere, load_balancers::SERVICES_FILE)["ServiceConfigurations"];
    assert_eq!(services, &Value::Array(Vec::new()));
    assert!(elsewhere
        .document(load_balancers::LOAD_BALANCERS_FILE)
        .is_none());

    // The whole region has it.
    let region = collect(&c, &Scope::region()).await;
    let services = &doc(&region, load_balancers::SERVICES_FILE)["ServiceConfigurations"];
    assert_eq!(services[0]["ServiceId"], h.service.as_str());
    assert!(region
        .document(load_balancers::LOAD_BALANCERS_FILE)
        .is_some());
}

/// The target's subnet NACL admits the NLB's traffic in but lets only `tcp/443` out: the
/// target's replies to the NLB's node (ephemeral ports) are dropped on the way out.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_target_subnet_nacl_without_the_ephemeral_return_is_found() {
    use aws_sdk_ec2::types::{Filter, PortRange, RuleAction};
    let server = MotoServer::start_patched();
    let c = Clients::new(&sdk_config(&server.endpoint_url()));
    let h = host_service(&c).await;
    let node = node_ip(&collect(&c, &Scope::vpcs([h.vpc.as_str()])).await, &h.lb);
    // The security group is right this time: only the NACL is wrong.
    c.ec2
        .authorize_security_group_ingress()
        .group_id(&h.app_group)
        .ip_permissions(tcp_8443_from(&format!("{node}/32")))
        .send()
        .await
        .unwrap();
    let described = c
        .ec2
        .describe_instances()
        .instance_ids(&h.instance)
        .send()
        .await
        .unwrap();
    let app_subnet = described.reservations()[0].instances()[0]
        .subnet_id()
        .unwrap()
        .to_owned();
    let acl = c
        .ec2
        .create_network_acl()
        .vpc_id(&h.vpc)
        .send()
        .await
        .unwrap();
    let acl = acl
        .network_acl()
        .unwrap()
        .network_acl_id()
        .unwrap()
        .to_owned();
    for (egress, from, to) in [(false, 8443, 8443), (true, 443, 443)] {
        c.ec2
            .create_network_acl_entry()
            .network_acl_id(&acl)
            .rule_number(100)
            .protocol("6")
            .rule_action(RuleAction::Allow)
            .egress(egress)
            .cidr_block("0.0.0.0/0")
            .port_range(PortRange::builder().from(from).to(to).build())
            .send()
            .await
            .unwrap();
    }
    let current = c
        .ec2
        .describe_network_acls()
        .filters(
            Filter::builder()
                .name("association.subnet-id")
                .values(&app_subnet)
                .build(),
        )
        .send()
        .await
        .unwrap();
    let association = current.network_acls()[0]
        .associations()
        .iter()
        .find(|a| a.subnet_id() == Some(app_subnet.as_str()))
        .and_then(|a| a.network_acl_association_id())
        .unwrap()
        .to_owned();
    c.ec2
        .replace_network_acl_association()
        .association_id(&association)
        .network_acl_id(&acl)
        .send()
        .await
        .unwrap();

    let report = checked(&collect(&c, &Scope::vpcs([h.vpc.as_str()])).await);
    let found = service_findings(&report, &h);
    assert_eq!(found.len(), 1, "{found:#?}");
    let f = found[0];
    assert_eq!(f.code, FindingCode::SubnetAclRestriction, "{f:#?}");
    assert_eq!(&*f.component, acl.as_str());
    assert_eq!(f.source.as_deref(), Some(h.lb.as_str()));
    assert!(f.fix.contains(&acl), "{f:#?}");
}
