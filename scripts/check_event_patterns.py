#!/usr/bin/env python3
"""Offline check of template.yaml's EventBridge patterns, with moto's pattern matcher.

- ApiChangeRule matches each handled EC2 API call, and neither a failed call (errorCode) nor
  an unrelated one; DnsChangeRule the same for the Route 53 and Resolver calls, ElbChangeRule
  for the Elastic Load Balancing calls. Every CloudTrail-shaped event under events/ (an EventBridge event, or an
  SQS event whose record bodies are EventBridge events) is matched exactly when it has no
  errorCode, so the samples the functions are tested with are the events the rule delivers.
- ComplianceChangeRule matches our rule's changes into or out of NON_COMPLIANT only, and its
  input transformer's paths exist in a real-shaped compliance-change event.

Run by scripts/test.sh: .venv/bin/python scripts/check_event_patterns.py
"""

import copy
import json
import pathlib
import sys

from moto.events.models import EventPattern
from samcli.yamlhelper import yaml_parse

ROOT = pathlib.Path(__file__).resolve().parent.parent
failures = []


def check(condition, message):
    if not condition:
        failures.append(message)


def resources():
    return yaml_parse((ROOT / "template.yaml").read_text())["Resources"]


def api_event(name, error=None, source="aws.ec2", event_source="ec2.amazonaws.com"):
    detail = {"eventSource": event_source, "eventName": name, "awsRegion": "us-east-1"}
    if error:
        detail["errorCode"] = error
    return {"source": source, "detail-type": "AWS API Call via CloudTrail", "detail": detail}


DNS_SOURCES = {"route53.amazonaws.com": "aws.route53", "route53resolver.amazonaws.com": "aws.route53resolver"}


def compliance_event(rule, new, old):
    detail = {
        "resourceId": "sg-0123456789abcdef0",
        "awsRegion": "us-east-1",
        "awsAccountId": "123456789012",
        "configRuleName": rule,
        "recordVersion": "1.0",
        "configRuleARN": "arn:aws:config:us-east-1:123456789012:config-rule/config-rule-abc123",
        "messageType": "ComplianceChangeNotification",
        "newEvaluationResult": {"complianceType": new, "annotation": "blocks tcp/443 ..."},
        "notificationCreationTime": "2026-01-01T00:00:00.000Z",
        "resourceType": "AWS::EC2::SecurityGroup",
    }
    if old:
        detail["oldEvaluationResult"] = {"complianceType": old}
    return {"source": "aws.config", "detail-type": "Config Rules Compliance Change", "detail": detail}


def sample_events():
    """CloudTrail-shaped EventBridge events found under events/, with their file."""
    for path in sorted((ROOT / "events").rglob("*.json")):
        try:
            doc = json.loads(path.read_text())
        except ValueError:
            continue
        candidates = [doc]
        if isinstance(doc, dict) and isinstance(doc.get("Records"), list):
            candidates = []
            for record in doc["Records"]:
                try:
                    candidates.append(json.loads(record.get("body", "")))
                except (ValueError, AttributeError, TypeError):
                    pass
        for event in candidates:
            if isinstance(event, dict) and event.get("detail-type") == "AWS API Call via CloudTrail":
                yield path, event


def path_exists(event, jsonpath):
    node = event
    for part in jsonpath.removeprefix("$.").split("."):
        if not isinstance(node, dict) or part not in node:
            return False
        node = node[part]
    return True


def main():
    r = resources()
    api_pattern = r["ApiChangeRule"]["Properties"]["EventPattern"]
    api = EventPattern.load(json.dumps(api_pattern))
    names = api_pattern["detail"]["eventName"]
    for name in names:
        check(api.matches_event(api_event(name)), f"ApiChangeRule misses a successful {name}")
        check(not api.matches_event(api_event(name, "Client.UnauthorizedOperation")), f"ApiChangeRule takes a failed {name}")
    for name in ["RunInstances", "CreateTags", "DescribeVpcs"]:
        check(not api.matches_event(api_event(name)), f"ApiChangeRule takes the unrelated {name}")

    # DnsChangeRule: each handled Route 53 / Resolver call under its own source, no failed
    # call, and no EC2 call (nor a DNS call under EC2's source).
    dns_pattern = r["DnsChangeRule"]["Properties"]["EventPattern"]
    dns = EventPattern.load(json.dumps(dns_pattern))
    dns_names = dns_pattern["detail"]["eventName"]
    check(set(dns_pattern["detail"]["eventSource"]) == set(DNS_SOURCES), "DnsChangeRule event sources")
    for name in dns_names:
        hits = [s for s, src in DNS_SOURCES.items() if dns.matches_event(api_event(name, None, src, s))]
        check(hits, f"DnsChangeRule misses a successful {name}")
        for s, src in DNS_SOURCES.items():
            check(not dns.matches_event(api_event(name, "AccessDenied", src, s)), f"DnsChangeRule takes a failed {name}")
        check(not api.matches_event(api_event(name)), f"ApiChangeRule takes the DNS call {name}")
    for name in names:
        check(not dns.matches_event(api_event(name)), f"DnsChangeRule takes the EC2 call {name}")
    print(f"DnsChangeRule: {len(dns_names)} API names")

    # ElbChangeRule (issue 16): each handled Elastic Load Balancing call under its source, no
    # failed call, and neither rule above takes it (nor it theirs).
    elb_pattern = r["ElbChangeRule"]["Properties"]["EventPattern"]
    elb = EventPattern.load(json.dumps(elb_pattern))
    elb_names = elb_pattern["detail"]["eventName"]
    elb_call = lambda name, error=None: api_event(name, error, "aws.elasticloadbalancing", "elasticloadbalancing.amazonaws.com")
    for name in elb_names:
        check(elb.matches_event(elb_call(name)), f"ElbChangeRule misses a successful {name}")
        check(not elb.matches_event(elb_call(name, "AccessDenied")), f"ElbChangeRule takes a failed {name}")
        check(not api.matches_event(elb_call(name)) and not dns.matches_event(elb_call(name)), f"another rule takes the ELB call {name}")
    for name in names:
        check(not elb.matches_event(api_event(name)), f"ElbChangeRule takes the EC2 call {name}")
    for name in ["DescribeLoadBalancers", "CreateLoadBalancer", "AddTags"]:
        check(not elb.matches_event(elb_call(name)), f"ElbChangeRule takes the unrelated {name}")
    print(f"ElbChangeRule: {len(elb_names)} API names")

    samples = 0
    for path, event in sample_events():
        samples += 1
        failed = "errorCode" in event.get("detail", {})
        matched = api.matches_event(event) or dns.matches_event(event) or elb.matches_event(event)
        where = path.relative_to(ROOT)
        check(matched != failed, f"{where}: the API rules {'match' if matched else 'miss'} it (errorCode: {failed})")
    print(f"ApiChangeRule: {len(names)} API names, {samples} sample event(s) under events/")

    rule = r["ComplianceChangeRule"]["Properties"]
    pattern = copy.deepcopy(rule["EventPattern"])
    # `!Ref ConfigRule` is the rule's name once deployed.
    pattern["detail"]["configRuleName"] = ["vpce-reach"]
    compliance = EventPattern.load(json.dumps(pattern))
    cases = [
        ("vpce-reach", "NON_COMPLIANT", None, True),
        ("vpce-reach", "NON_COMPLIANT", "COMPLIANT", True),
        ("vpce-reach", "COMPLIANT", "NON_COMPLIANT", True),
        ("vpce-reach", "NOT_APPLICABLE", "NON_COMPLIANT", True),
        ("vpce-reach", "COMPLIANT", None, False),
        ("vpce-reach", "NOT_APPLICABLE", "COMPLIANT", False),
        ("other-rule", "NON_COMPLIANT", None, False),
    ]
    for name, new, old, want in cases:
        got = compliance.matches_event(compliance_event(name, new, old))
        check(got == want, f"ComplianceChangeRule on {name} {old} -> {new}: matched {got}, want {want}")
    transformer = rule["Targets"][0]["InputTransformer"]
    full = compliance_event("vpce-reach", "NON_COMPLIANT", "COMPLIANT")
    for key, jsonpath in transformer["InputPathsMap"].items():
        check(path_exists(full, jsonpath), f"InputPathsMap.{key}: {jsonpath} is not in a compliance-change event")
        check(f"<{key}>" in transformer["InputTemplate"], f"InputTemplate does not use <{key}>")

    if failures:
        print("\n".join(failures), file=sys.stderr)
        sys.exit(1)
    print("event patterns: ok")


if __name__ == "__main__":
    main()
