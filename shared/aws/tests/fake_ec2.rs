//! `collect` against a tiny scripted EC2 endpoint, for what moto cannot show: pagination
//! (moto never returns a `nextToken`), the `vpc-id` filter on every scoped describe call, and
//! an AccessDenied answer turned into a `CallError` with the IAM action to grant.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Mutex};

use serde_json::{json, Value};
use vpce_reach_aws::{collect, ec2_client, Scope, Snapshot};
use vpce_reach_testkit::sdk_config;

/// Answers one request body with an HTTP status and an XML body.
type Handler = fn(&str) -> (u16, String);

/// A local HTTP server answering EC2 Query requests with `handler`; it records every body.
struct FakeEc2 {
    url: String,
    requests: Arc<Mutex<Vec<String>>>,
}

impl FakeEc2 {
    fn start(handler: Handler) -> FakeEc2 {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let requests = Arc::new(Mutex::new(Vec::new()));
        let log = Arc::clone(&requests);
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let log = Arc::clone(&log);
                std::thread::spawn(move || serve(stream, handler, &log));
            }
        });
        FakeEc2 { url, requests }
    }

    fn bodies(&self, action: &str) -> Vec<String> {
        let requests = self.requests.lock().unwrap();
        requests
            .iter()
            .filter(|b| param(b, "Action") == Some(action))
            .cloned()
            .collect()
    }
}

/// Serves keep-alive requests on one connection until the client closes it.
fn serve(stream: TcpStream, handler: Handler, log: &Mutex<Vec<String>>) {
    let mut reader = BufReader::new(stream.try_clone().unwrap());
    let mut writer = stream;
    while let Some(body) = read_request(&mut reader) {
        log.lock().unwrap().push(body.clone());
        let (status, xml) = handler(&body);
        let head = format!(
            "HTTP/1.1 {status} X\r\nContent-Type: text/xml\r\nContent-Length: {}\r\n\r\n",
            xml.len()
        );
        if writer
            .write_all(head.as_bytes())
            .and_then(|_| writer.write_all(xml.as_bytes()))
            .is_err()
        {
            return;
        }
    }
}

/// The body of the next request, or `None` at the end of the connection.
fn read_request(reader: &mut BufReader<TcpStream>) -> Option<String> {
    let mut length = 0;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).ok()? == 0 {
            return None;
        }
        let line = line.trim_end();
        if line.is_empty() {
            break;
        }
        if let Some((name, value)) = line.split_once(':') {
            if name.eq_ignore_ascii_case("content-length") {
                length = value.trim().parse().ok()?;
            }
        }
    }
    let mut body = vec![0; length];
    reader.read_exact(&mut body).ok()?;
    String::from_utf8(body).ok()
}

/// A form parameter's (undecoded) value.
fn param<'a>(body: &'a str, name: &str) -> Option<&'a str> {
    body.split('&')
        .find_map(|kv| kv.strip_prefix(name)?.strip_prefix('='))
}

fn ok(action: &str, inner: &str) -> (u16, String) {
    let xml = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<{action}Response \
         xmlns=\"http://ec2.amazonaws.com/doc/2016-11-15/\"><requestId>r-1</requestId>{inner}\
         </{action}Response>"
    );
    (200, xml)
}

/// One VPC; two pages of security groups, network interfaces and prefix-list entries.
fn paged(body: &str) -> (u16, String) {
    let action = param(body, "Action").unwrap_or_default();
    let page2 = param(body, "NextToken") == Some("page2");
    let inner = match (action, page2) {
        ("DescribeVpcs", _) => "<vpcSet><item><vpcId>vpc-1</vpcId></item></vpcSet>".to_owned(),
        ("DescribeVpcAttribute", _) => attribute(body),
        ("DescribeSecurityGroups", false) => page("securityGroupInfo", "<groupId>sg-1</groupId>", true),
        ("DescribeSecurityGroups", true) => page("securityGroupInfo", "<groupId>sg-2</groupId>", false),
        ("DescribeNetworkInterfaces", false) => page("networkInterfaceSet", "<networkInterfaceId>eni-1</networkInterfaceId>", true),
        ("DescribeNetworkInterfaces", true) => page("networkInterfaceSet", "<networkInterfaceId>eni-2</networkInterfaceId>", false),
        ("DescribePrefixLists", _) => page("prefixListSet", "<prefixListId>pl-s3</prefixListId><prefixListName>com.amazonaws.us-east-1.s3</prefixListName><cidrSet><item>52.216.0.0/15</item></cidrSet>", false),
        ("DescribeManagedPrefixLists", _) => page("prefixListSet", "<prefixListId>pl-s3</prefixListId></item><item><prefixListId>pl-corp</prefixListId><prefixListName>corp</prefixListName><state>create-complete</state>", false),
        ("GetManagedPrefixListEntries", false) => page("entrySet", "<cidr>10.0.0.0/8</cidr>", true),
        ("GetManagedPrefixListEntries", true) => page("entrySet", "<cidr>192.168.0.0/16</cidr>", false),
        _ => String::new(),
    };
    ok(action, &inner)
}

/// `<set><item>..</item></set>`, with a `nextToken` when `more`.
fn page(set: &str, item: &str, more: bool) -> String {
    let token = if more {
        "<nextToken>page2</nextToken>"
    } else {
        ""
    };
    format!("<{set}><item>{item}</item></{set}>{token}")
}

fn attribute(body: &str) -> String {
    let name = param(body, "Attribute").unwrap_or_default();
    let value = name == "enableDnsSupport";
    format!("<vpcId>vpc-1</vpcId><{name}><value>{value}</value></{name}>")
}

/// Like [`paged`], but DescribeNetworkAcls is refused for lack of permission.
fn denied(body: &str) -> (u16, String) {
    if param(body, "Action") != Some("DescribeNetworkAcls") {
        return paged(body);
    }
    let xml = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Response><Errors><Error>\
               <Code>UnauthorizedOperation</Code><Message>You are not authorized to perform \
               this operation.</Message></Error></Errors><RequestID>r-2</RequestID></Response>";
    (403, xml.to_owned())
}

async fn collect_from(
    fake: &FakeEc2,
    scope: &Scope,
) -> Result<Snapshot, vpce_reach_aws::CallError> {
    let client = ec2_client(&sdk_config(&fake.url)).await;
    collect(&client, scope, &|_| {}).await
}

fn list<'a>(s: &'a Snapshot, file: &str, key: &str, id: &str) -> Vec<&'a Value> {
    s.document(file).unwrap()[key]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| &v[id])
        .collect()
}

#[tokio::test]
async fn follows_next_tokens_to_the_last_page() {
    let fake = FakeEc2::start(paged);
    let snapshot = collect_from(&fake, &Scope::region()).await.unwrap();
    assert_eq!(
        list(
            &snapshot,
            "security-groups.json",
            "SecurityGroups",
            "GroupId"
        ),
        ["sg-1", "sg-2"]
    );
    assert_eq!(
        list(
            &snapshot,
            "network-interfaces.json",
            "NetworkInterfaces",
            "NetworkInterfaceId"
        ),
        ["eni-1", "eni-2"]
    );
    let lists = &snapshot.document("prefix-lists.json").unwrap()["PrefixLists"];
    let expected = json!([
        {"PrefixListId": "pl-s3", "PrefixListName": "com.amazonaws.us-east-1.s3", "Cidrs": ["52.216.0.0/15"]},
        {"PrefixListId": "pl-corp", "PrefixListName": "corp", "Cidrs": ["10.0.0.0/8", "192.168.0.0/16"]},
    ]);
    assert_eq!(
        lists, &expected,
        "AWS lists once, customer lists with every page of entries"
    );
    assert_eq!(
        fake.bodies("GetManagedPrefixListEntries").len(),
        2,
        "only pl-corp's entries are read"
    );
    let hostnames = snapshot
        .document("vpc-attributes/vpc-1.EnableDnsHostnames.json")
        .unwrap();
    assert_eq!(
        hostnames,
        &json!({"VpcId": "vpc-1", "EnableDnsHostnames": {"Value": false}})
    );
}

#[tokio::test]
async fn scoped_calls_carry_the_vpc_id_filter() {
    let fake = FakeEc2::start(paged);
    collect_from(&fake, &Scope::vpcs(["vpc-1"])).await.unwrap();
    let scoped = [
        "DescribeVpcs",
        "DescribeSubnets",
        "DescribeRouteTables",
        "DescribeNetworkAcls",
        "DescribeSecurityGroups",
        "DescribeNetworkInterfaces",
        "DescribeVpcEndpoints",
    ];
    for action in scoped {
        let bodies = fake.bodies(action);
        assert!(!bodies.is_empty(), "{action} not called");
        for body in bodies {
            assert_eq!(
                param(&body, "Filter.1.Name"),
                Some("vpc-id"),
                "{action}: {body}"
            );
            assert_eq!(
                param(&body, "Filter.1.Value.1"),
                Some("vpc-1"),
                "{action}: {body}"
            );
            assert!(
                param(&body, "MaxResults").is_some(),
                "{action} sets a page size: {body}"
            );
        }
    }
    for body in fake.bodies("DescribePrefixLists") {
        assert_eq!(
            param(&body, "Filter.1.Name"),
            None,
            "prefix lists are regional: {body}"
        );
    }
}

#[tokio::test]
async fn access_denied_names_the_call_and_the_iam_action() {
    let fake = FakeEc2::start(denied);
    let err = collect_from(&fake, &Scope::vpcs(["vpc-1"]))
        .await
        .unwrap_err();
    assert_eq!(err.call, "DescribeNetworkAcls");
    assert_eq!(err.code.as_deref(), Some("UnauthorizedOperation"));
    assert_eq!(err.scope, "vpc-1");
    assert!(err.is_access_denied());
    let text = err.to_string();
    assert!(text.contains("ec2:DescribeNetworkAcls"), "{text}");
    assert!(text.contains("not authorized"), "{text}");
}
