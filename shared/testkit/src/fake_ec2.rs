//! A small EC2 endpoint that serves a snapshot's describe documents (the AWS CLI's JSON shape,
//! e.g. `vpce_reach_synth::generate`'s) in EC2's own wire format: the Query protocol's XML
//! answers, paged as EC2 pages them (`MaxResults`, `NextToken`), with the `vpc-id` filter of a
//! scoped collection. What moto cannot do at scale: moto never pages, and replaying the large
//! synthetic account into it takes minutes.
//!
//! Served: `DescribeVpcs`, `DescribeSubnets`, `DescribeRouteTables`, `DescribeNetworkAcls`,
//! `DescribeSecurityGroups`, `DescribeNetworkInterfaces`, `DescribeVpcEndpoints`,
//! `DescribePrefixLists` (the `com.amazonaws.*` lists, with their entries),
//! `DescribeManagedPrefixLists` (every list, without entries), `GetManagedPrefixListEntries`
//! and `DescribeVpcAttribute`. Any other action (the transit gateway, peering, DHCP and
//! endpoint-service calls) answers an empty result: the account has none of those.
//!
//! Each item is rendered to XML once, when the server starts, so that serving a page costs
//! little next to what the client under test spends parsing it.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::sync::{Arc, Mutex};

use serde_json::Value;

use crate::http::{HttpServer, Request, Response};

/// The documents' list keys, the actions that answer them and the XML element of their list.
const LISTS: [(&str, &str, &str); 7] = [
    ("Vpcs", "DescribeVpcs", "vpcSet"),
    ("Subnets", "DescribeSubnets", "subnetSet"),
    ("RouteTables", "DescribeRouteTables", "routeTableSet"),
    ("NetworkAcls", "DescribeNetworkAcls", "networkAclSet"),
    (
        "SecurityGroups",
        "DescribeSecurityGroups",
        "securityGroupInfo",
    ),
    (
        "NetworkInterfaces",
        "DescribeNetworkInterfaces",
        "networkInterfaceSet",
    ),
    ("VpcEndpoints", "DescribeVpcEndpoints", "vpcEndpointSet"),
];

/// One item of a list, ready to serve.
struct Item {
    /// Its `VpcId`, for the `vpc-id` filter.
    vpc_id: Option<String>,
    /// `<item>...</item>`.
    xml: String,
}

/// A prefix list: its rendered forms for the three prefix-list actions.
struct PrefixList {
    id: String,
    /// An AWS service list (`com.amazonaws.*`): `DescribePrefixLists` lists it.
    aws: bool,
    /// `<item>` for `DescribePrefixLists` (with `cidrSet`).
    described: String,
    /// `<item>` for `DescribeManagedPrefixLists` (no entries, as AWS answers it).
    managed: String,
    /// `<item><cidr>..</cidr></item>` per entry, for `GetManagedPrefixListEntries`.
    entries: Vec<String>,
}

/// What the server answers from.
#[derive(Default)]
struct Account {
    /// Action → its items, in document order.
    lists: BTreeMap<&'static str, Vec<Item>>,
    prefix_lists: Vec<PrefixList>,
    /// `(VpcId, attribute element)` → `true`/`false`.
    attributes: BTreeMap<(String, String), bool>,
}

/// A running fake EC2 endpoint; stops accepting connections when dropped.
pub struct FakeEc2 {
    server: HttpServer,
    actions: Arc<Mutex<Vec<String>>>,
}

impl std::fmt::Debug for FakeEc2 {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FakeEc2")
            .field("port", &self.server.port())
            .finish()
    }
}

impl FakeEc2 {
    /// Serves `documents` (`(file name, describe output)` pairs: list documents such as
    /// `{"NetworkInterfaces": [..]}`, `{"PrefixLists": [..]}`, and `describe-vpc-attribute`
    /// outputs) on 127.0.0.1 and a free port.
    pub fn serve(documents: &[(String, Value)]) -> FakeEc2 {
        let account = Arc::new(Account::from_documents(documents));
        let actions = Arc::new(Mutex::new(Vec::new()));
        let log = Arc::clone(&actions);
        let server = HttpServer::start(Arc::new(move |request: &Request| {
            let form = Form::parse(&request.text());
            let action = form.get("Action").unwrap_or_default().to_owned();
            log.lock().unwrap().push(action.clone());
            account.answer(&action, &form)
        }));
        FakeEc2 { server, actions }
    }

    /// `http://127.0.0.1:<port>`: the EC2 endpoint URL to give the SDK.
    pub fn endpoint_url(&self) -> String {
        self.server.endpoint_url()
    }

    /// How many requests of `action` were answered so far (each page is one).
    pub fn calls(&self, action: &str) -> usize {
        let actions = self.actions.lock().unwrap();
        actions.iter().filter(|a| *a == action).count()
    }
}

impl Account {
    fn from_documents(documents: &[(String, Value)]) -> Account {
        let mut account = Account::default();
        for (_, doc) in documents {
            account.add(doc);
        }
        account
    }

    fn add(&mut self, doc: &Value) {
        for (key, action, _) in LISTS {
            for item in doc.get(key).and_then(Value::as_array).into_iter().flatten() {
                let vpc_id = item["VpcId"].as_str().map(str::to_owned);
                let xml = element("item", item, key);
                self.lists
                    .entry(action)
                    .or_default()
                    .push(Item { vpc_id, xml });
            }
        }
        for list in doc
            .get("PrefixLists")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            self.prefix_lists.push(prefix_list(list));
        }
        if let Some(vpc) = doc.get("VpcId").and_then(Value::as_str) {
            for (key, xml) in [
                ("EnableDnsSupport", "enableDnsSupport"),
                ("EnableDnsHostnames", "enableDnsHostnames"),
            ] {
                if let Some(value) = doc[key]["Value"].as_bool() {
                    self.attributes
                        .insert((vpc.to_owned(), xml.to_owned()), value);
                }
            }
        }
    }

    fn answer(&self, action: &str, form: &Form) -> Response {
        let inner = match action {
            "DescribePrefixLists" => {
                let items = self.prefix_lists.iter().filter(|p| p.aws);
                page(form, "prefixListSet", items.map(|p| p.described.as_str()))
            }
            "DescribeManagedPrefixLists" => {
                let items = self.prefix_lists.iter().map(|p| p.managed.as_str());
                page(form, "prefixListSet", items)
            }
            "GetManagedPrefixListEntries" => {
                let id = form.get("PrefixListId").unwrap_or_default();
                let Some(list) = self.prefix_lists.iter().find(|p| p.id == id) else {
                    return error(
                        400,
                        "InvalidPrefixListID.NotFound",
                        &format!("prefix list {id} not found"),
                    );
                };
                page(form, "entrySet", list.entries.iter().map(String::as_str))
            }
            "DescribeVpcAttribute" => self.attribute(form),
            _ => match LISTS.iter().find(|(_, a, _)| *a == action) {
                Some((_, _, set)) => {
                    let vpcs = form.values("Filter", "vpc-id");
                    let items = self.lists.get(action).into_iter().flatten();
                    let items = items.filter(|i| {
                        vpcs.is_empty() || i.vpc_id.as_ref().is_some_and(|v| vpcs.contains(v))
                    });
                    page(form, set, items.map(|i| i.xml.as_str()))
                }
                None => String::new(),
            },
        };
        ok(action, &inner)
    }

    fn attribute(&self, form: &Form) -> String {
        let vpc = form.get("VpcId").unwrap_or_default();
        let name = form.get("Attribute").unwrap_or_default();
        // AWS's defaults for a VPC created without changing them.
        let default = name == "enableDnsSupport";
        let value = self
            .attributes
            .get(&(vpc.to_owned(), name.to_owned()))
            .copied()
            .unwrap_or(default);
        format!(
            "<vpcId>{}</vpcId><{name}><value>{value}</value></{name}>",
            escape(vpc)
        )
    }
}

/// One page of `items` under `<set>`: from the request's `NextToken` (an offset), at most
/// `MaxResults` items (all of them without it), with a `nextToken` when more are left.
fn page<'a>(form: &Form, set: &str, items: impl Iterator<Item = &'a str>) -> String {
    let start: usize = form
        .get("NextToken")
        .and_then(|t| t.strip_prefix("offset-"))
        .and_then(|n| n.parse().ok())
        .unwrap_or(0);
    let size: usize = form
        .get("MaxResults")
        .and_then(|n| n.parse().ok())
        .unwrap_or(usize::MAX);
    let mut out = format!("<{set}>");
    let mut rest = items.skip(start);
    for item in rest.by_ref().take(size) {
        out.push_str(item);
    }
    let _ = write!(out, "</{set}>");
    if rest.next().is_some() {
        let _ = write!(out, "<nextToken>offset-{}</nextToken>", start + size);
    }
    out
}

fn prefix_list(list: &Value) -> PrefixList {
    let id = list["PrefixListId"].as_str().unwrap_or_default().to_owned();
    let name = list["PrefixListName"].as_str().unwrap_or_default();
    let cidrs: Vec<&str> = list["Cidrs"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .collect();
    // The list's own family, as the generator writes it; AWS gives every managed list one.
    let family = list["AddressFamily"].as_str().unwrap_or("IPv4");
    let aws = name.starts_with("com.amazonaws.");
    let owner = if aws { "AWS" } else { "123456789012" };
    let head = format!(
        "<prefixListId>{}</prefixListId><prefixListName>{}</prefixListName>",
        escape(&id),
        escape(name)
    );
    let cidr_set: String = cidrs
        .iter()
        .map(|c| format!("<item>{}</item>", escape(c)))
        .collect();
    PrefixList {
        described: format!("<item>{head}<cidrSet>{cidr_set}</cidrSet></item>"),
        managed: format!(
            "<item>{head}<state>create-complete</state><addressFamily>{}</addressFamily>\
             <ownerId>{owner}</ownerId></item>",
            escape(family)
        ),
        entries: cidrs
            .iter()
            .map(|c| format!("<item><cidr>{}</cidr></item>", escape(c)))
            .collect(),
        aws,
        id,
    }
}

/// `<name>` with `value` inside, as EC2 writes it: objects field by field, lists as `<item>`s,
/// scalars as text. `list` is the top-level list key of the item (two members have another
/// element name on one type only).
fn element(name: &str, value: &Value, list: &str) -> String {
    let mut out = String::new();
    write_element(&mut out, name, value, list, true);
    out
}

fn write_element(out: &mut String, name: &str, value: &Value, list: &str, top: bool) {
    match value {
        Value::Null => return,
        Value::Object(fields) => {
            let _ = write!(out, "<{name}>");
            for (key, field) in fields {
                let member = xml_name(key, if top { list } else { "" });
                write_element(out, &member, field, list, false);
            }
        }
        Value::Array(items) => {
            let _ = write!(out, "<{name}>");
            for item in items {
                write_element(out, "item", item, list, false);
            }
        }
        Value::String(s) => {
            let _ = write!(out, "<{name}>{}", escape(s));
        }
        Value::Bool(b) => {
            let _ = write!(out, "<{name}>{b}");
        }
        Value::Number(n) => {
            let _ = write!(out, "<{name}>{n}");
        }
    }
    let _ = write!(out, "</{name}>");
}

/// The XML element of a JSON member (the AWS CLI prints the API's member names; the wire
/// names come from the EC2 model, as the SDK's deserializers match them). `list` is the
/// item's list key for a top-level member, else empty.
fn xml_name(key: &str, list: &str) -> String {
    let special = match (list, key) {
        ("SecurityGroups", "Description") => "groupDescription",
        ("NetworkAcls", "IsDefault") => "default",
        (_, "Tags" | "TagSet") => "tagSet",
        (_, "UserIdGroupPairs") => "groups",
        (_, "Cidrs") => "cidrSet",
        (_, "DnsEntries") => "dnsEntrySet",
        (_, "Entries") => "entrySet",
        (_, "Associations") => "associationSet",
        (_, "Routes") => "routeSet",
        (_, "PropagatingVgws") => "propagatingVgwSet",
        (_, "Groups") => "groupSet",
        (_, "PrivateIpAddresses") => "privateIpAddressesSet",
        (_, "Ipv6Addresses") => "ipv6AddressesSet",
        (_, "Ipv4Prefixes") => "ipv4PrefixSet",
        (_, "Ipv6Prefixes") => "ipv6PrefixSet",
        (_, "SubnetIds") => "subnetIdSet",
        (_, "RouteTableIds") => "routeTableIdSet",
        (_, "NetworkInterfaceIds") => "networkInterfaceIdSet",
        _ => "",
    };
    if !special.is_empty() {
        return special.to_owned();
    }
    let mut chars = key.chars();
    chars
        .next()
        .map(|c| c.to_ascii_lowercase().to_string() + chars.as_str())
        .unwrap_or_default()
}

fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c => out.push(c),
        }
    }
    out
}

fn ok(action: &str, inner: &str) -> Response {
    let xml = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<{action}Response \
         xmlns=\"http://ec2.amazonaws.com/doc/2016-11-15/\"><requestId>fake-ec2</requestId>\
         {inner}</{action}Response>"
    );
    xml_response(200, xml)
}

fn error(status: u16, code: &str, message: &str) -> Response {
    let xml = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Response><Errors><Error><Code>{code}</Code>\
         <Message>{}</Message></Error></Errors><RequestID>fake-ec2</RequestID></Response>",
        escape(message)
    );
    xml_response(status, xml)
}

fn xml_response(status: u16, xml: String) -> Response {
    Response {
        status,
        headers: vec![("Content-Type".into(), "text/xml;charset=UTF-8".into())],
        body: xml.into_bytes(),
    }
}

/// A decoded `application/x-www-form-urlencoded` request body.
struct Form(Vec<(String, String)>);

impl Form {
    fn parse(body: &str) -> Form {
        let pairs = body
            .split('&')
            .filter_map(|kv| kv.split_once('='))
            .map(|(k, v)| (decode(k), decode(v)))
            .collect();
        Form(pairs)
    }

    fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// The values of every `<prefix>.N.Name=<filter>` (`Filter.1.Value.1`, ...).
    fn values(&self, prefix: &str, filter: &str) -> Vec<String> {
        let mut values = Vec::new();
        for (key, value) in &self.0 {
            let Some(n) = key
                .strip_prefix(prefix)
                .and_then(|k| k.strip_prefix('.'))
                .and_then(|k| k.strip_suffix(".Name"))
            else {
                continue;
            };
            if value != filter {
                continue;
            }
            let item = format!("{prefix}.{n}.Value.");
            values.extend(
                self.0
                    .iter()
                    .filter(|(k, _)| k.starts_with(&item))
                    .map(|(_, v)| v.clone()),
            );
        }
        values
    }
}

/// Percent-decoding, `+` as a space.
fn decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < bytes.len() => {
                let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).unwrap_or("");
                match u8::from_str_radix(hex, 16) {
                    Ok(b) => {
                        out.push(b);
                        i += 2;
                    }
                    Err(_) => out.push(b'%'),
                }
            }
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn members_take_ec2s_element_names() {
        let group = json!({"GroupId": "sg-1", "Description": "d", "IpPermissions": [
            {"IpProtocol": "tcp", "FromPort": 443, "UserIdGroupPairs": [{"GroupId": "sg-2"}]}]});
        assert_eq!(
            element("item", &group, "SecurityGroups"),
            "<item><groupId>sg-1</groupId><groupDescription>d</groupDescription>\
             <ipPermissions><item><ipProtocol>tcp</ipProtocol><fromPort>443</fromPort>\
             <groups><item><groupId>sg-2</groupId></item></groups></item></ipPermissions></item>"
        );
    }

    #[test]
    fn pages_follow_offsets_and_filters_name_vpcs() {
        let form = Form::parse("Action=DescribeVpcs&MaxResults=2&NextToken=offset-1");
        let items = ["<a/>", "<b/>", "<c/>", "<d/>"];
        assert_eq!(
            page(&form, "s", items.into_iter()),
            "<s><b/><c/></s><nextToken>offset-3</nextToken>"
        );
        let last = Form::parse("MaxResults=2&NextToken=offset-2");
        assert_eq!(page(&last, "s", items.into_iter()), "<s><c/><d/></s>");
        let filtered =
            Form::parse("Filter.1.Name=vpc-id&Filter.1.Value.1=vpc-1&Filter.1.Value.2=vpc%2D2");
        assert_eq!(filtered.values("Filter", "vpc-id"), ["vpc-1", "vpc-2"]);
    }
}
