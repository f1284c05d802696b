//! The provider side's changes (issue 16), through the built binary under the test kit's
//! Runtime API emulator, against the patched moto (an NLB gets its `net/` ARN and node ENIs):
//! a hosted endpoint service whose target group's security group admits the consumers' CIDR
//! and not the NLB's private IP (the classic mistake), then a `RegisterTargets` event on its
//! target group. The batch is located to the NLB's VPC (`DescribeTargetGroups`), evaluated,
//! and one alert names the target group and the finding with its fix.

use aws_lambda_events::event::sqs::SqsEvent;
use aws_sdk_ec2::types::{IpPermission, IpRange};
use aws_sdk_elasticloadbalancingv2::types::{
    Action, ActionTypeEnum, LoadBalancerSchemeEnum, LoadBalancerTypeEnum, ProtocolEnum,
    TargetDescription,
};
use serde_json::{json, Value};
use vpce_reach_testkit::{
    sdk_config, template_function, workspace_root, FunctionProcess, HttpCapture, Invocation,
    MotoServer, PostKind, RuntimeApi,
};

const FUNCTION: &str = "ChangeWatchFunction";
/// The sample's target group ARN and account, replaced by moto's.
const SAMPLE_TG: &str =
    "arn:aws:elasticloadbalancing:us-east-1:111122223333:targetgroup/orders-tg/73e2d6bc24d8a067";
const SAMPLE_ACCOUNT: &str = "111122223333";
const MOTO_ACCOUNT: &str = "123456789012";

/// What the test builds: the provider VPC, the target group, the targets' group.
struct Hosted {
    vpc: String,
    target_group: String,
    app_group: String,
}

async fn subnet(ec2: &aws_sdk_ec2::Client, vpc: &str, cidr: &str) -> String {
    let out = ec2
        .create_subnet()
        .vpc_id(vpc)
        .cidr_block(cidr)
        .availability_zone("us-east-1a")
        .send()
        .await
        .unwrap();
    out.subnet().unwrap().subnet_id().unwrap().to_owned()
}

/// An internal NLB, a TCP 8443 listener to an instance target group, one instance behind a
/// group admitting 10.9.0.0/16 only, and an endpoint service configuration naming the NLB.
async fn host_service(sdk: &aws_config::SdkConfig) -> Hosted {
    let ec2 = aws_sdk_ec2::Client::new(sdk);
    let elb = aws_sdk_elasticloadbalancingv2::Client::new(sdk);
    let vpc = ec2
        .create_vpc()
        .cidr_block("10.2.0.0/16")
        .send()
        .await
        .unwrap();
    let vpc = vpc.vpc().unwrap().vpc_id().unwrap().to_owned();
    let nlb_subnet = subnet(&ec2, &vpc, "10.2.1.0/24").await;
    let app_subnet = subnet(&ec2, &vpc, "10.2.3.0/24").await;
    let group = ec2
        .create_security_group()
        .vpc_id(&vpc)
        .group_name("app")
        .description("service targets")
        .send()
        .await
        .unwrap();
    let app_group = group.group_id().unwrap().to_owned();
    ec2.authorize_security_group_ingress()
        .group_id(&app_group)
        .ip_permissions(
            IpPermission::builder()
                .ip_protocol("tcp")
                .from_port(8443)
                .to_port(8443)
                .ip_ranges(IpRange::builder().cidr_ip("10.9.0.0/16").build())
                .build(),
        )
        .send()
        .await
        .unwrap();
    let run = ec2
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
    let lb = elb
        .create_load_balancer()
        .name("orders-nlb")
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
    let tg = elb
        .create_target_group()
        .name("orders-tg")
        .protocol(ProtocolEnum::Tcp)
        .port(8443)
        .vpc_id(&vpc)
        .send()
        .await
        .unwrap();
    let target_group = tg.target_groups()[0].target_group_arn().unwrap().to_owned();
    elb.register_targets()
        .target_group_arn(&target_group)
        .targets(TargetDescription::builder().id(&instance).build())
        .send()
        .await
        .unwrap();
    elb.create_listener()
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
    ec2.create_vpc_endpoint_service_configuration()
        .network_load_balancer_arns(&lb)
        .acceptance_required(false)
        .send()
        .await
        .unwrap();
    Hosted {
        vpc,
        target_group,
        app_group,
    }
}

/// The alert topic, and a queue subscribed to it to read the alerts back: (topic, queue URL).
async fn inbox(sdk: &aws_config::SdkConfig) -> (String, String) {
    let sns = aws_sdk_sns::Client::new(sdk);
    let sqs = aws_sdk_sqs::Client::new(sdk);
    let topic = sns
        .create_topic()
        .name("vpce-reach-alerts")
        .send()
        .await
        .unwrap();
    let topic = topic.topic_arn().unwrap().to_owned();
    let queue = sqs.create_queue().queue_name("inbox").send().await.unwrap();
    let queue = queue.queue_url().unwrap().to_owned();
    sns.subscribe()
        .topic_arn(&topic)
        .protocol("sqs")
        .endpoint(format!("arn:aws:sqs:us-east-1:{MOTO_ACCOUNT}:inbox"))
        .send()
        .await
        .unwrap();
    (topic, queue)
}

/// An SQS batch of one record: the sample `RegisterTargets` event on `target_group`.
fn register_targets_batch(target_group: &str) -> String {
    let path = workspace_root().join("events/change-watch/RegisterTargets.json");
    let body = std::fs::read_to_string(path)
        .unwrap()
        .replace(SAMPLE_TG, target_group)
        .replace(SAMPLE_ACCOUNT, MOTO_ACCOUNT);
    let batch = json!({"Records": [{"messageId": "m-0", "receiptHandle": "h", "body": body,
        "eventSource": "aws:sqs", "awsRegion": "us-east-1", "attributes": {}, "messageAttributes": {},
        "eventSourceARN": format!("arn:aws:sqs:us-east-1:{MOTO_ACCOUNT}:vpce-reach-changes")}]});
    let _: SqsEvent = serde_json::from_value(batch.clone()).unwrap();
    batch.to_string()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_target_registration_alerts_the_providers_vpc_with_the_classic_mistake() {
    let moto = MotoServer::start_patched();
    let aws = moto.endpoint_url();
    let sdk = sdk_config(&aws);
    let hosted = host_service(&sdk).await;
    let (topic, queue) = inbox(&sdk).await;
    let config = HttpCapture::config();
    let api = RuntimeApi::start();
    let env = template_function(FUNCTION).env(&[
        ("TOPIC_ARN", topic.as_str()),
        ("CONFIG_RULE_NAME", ""),
        ("RULE_PARAMETERS", ""),
        ("ASSUME_ROLE_ARNS", ""),
        // EC2 and Elastic Load Balancing: the provider side is read with or without DNS.
        ("CHECK_DNS", "false"),
        ("AWS_ENDPOINT_URL_EC2", aws.as_str()),
        ("AWS_ENDPOINT_URL_ELASTIC_LOAD_BALANCING_V2", aws.as_str()),
        ("AWS_ENDPOINT_URL_SNS", aws.as_str()),
        (
            "AWS_ENDPOINT_URL_CONFIG_SERVICE",
            config.endpoint_url().as_str(),
        ),
    ]);
    let function = FunctionProcess::start(env!("CARGO_BIN_EXE_change-watch").as_ref(), &api, env);

    let invocation = Invocation::new("batch-1", register_targets_batch(&hosted.target_group))
        .deadline_in(template_function(FUNCTION).timeout);
    api.invoke(invocation);
    let posted = api.outcome("batch-1");
    assert_eq!(posted.kind, PostKind::Response, "{}", function.log());
    assert_eq!(
        posted.json(),
        json!({ "batchItemFailures": [] }),
        "{}",
        function.log()
    );
    let log = function.log();
    let summary: Value = log
        .lines()
        .filter_map(|l| serde_json::from_str::<Value>(l).ok())
        .find(|e| e["fields"]["message"] == "batch summary")
        .unwrap_or_else(|| panic!("no batch summary in the log:\n{log}"));
    assert_eq!(
        summary["fields"]["vpcs_evaluated"],
        hosted.vpc.as_str(),
        "{summary}"
    );
    assert_eq!(
        summary["fields"]["alerts"],
        hosted.vpc.as_str(),
        "{summary}"
    );

    let sqs = aws_sdk_sqs::Client::new(&sdk);
    let out = sqs
        .receive_message()
        .queue_url(&queue)
        .max_number_of_messages(10)
        .send()
        .await
        .unwrap();
    let messages = out.messages();
    assert_eq!(messages.len(), 1, "{messages:?}");
    let envelope: Value = serde_json::from_str(messages[0].body().unwrap()).unwrap();
    let alert = envelope["Message"].as_str().unwrap();
    assert!(
        alert.contains(&format!(
            "RegisterTargets target group {}",
            hosted.target_group
        )),
        "{alert}"
    );
    assert!(
        alert.contains(&format!(
            "ENI_SG_RULES_MISMATCH {} (ingress)",
            hosted.app_group
        )),
        "{alert}"
    );
    assert!(alert.contains("(the NLB's private IPs) on"), "{alert}");
    assert!(
        !alert.contains("Workloads that cannot reach"),
        "a load balancer is no workload: {alert}"
    );
}
