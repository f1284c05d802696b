#!/usr/bin/env python3
"""Turn a `sam package` output into a plain CloudFormation template for StackSets.

StackSets with service-managed permissions reject templates that use macros, and the
AWS::Serverless transform is one. This expands the transform locally with the SAM translator
that ships with the SAM CLI (no AWS call: the template names no managed policies), and, with
--regional-bucket PREFIX, points each function's code at the bucket PREFIX-<region> of the
region the stack instance is in (Lambda only reads code from a bucket in its own region).

  .venv/bin/python scripts/stackset-template.py packaged.yaml [--regional-bucket PREFIX] > stackset.json
"""

import argparse
import json
import sys

from samcli.yamlhelper import yaml_parse
from samtranslator.translator.transform import transform


class NoManagedPolicies:
    """The template writes every statement out; a managed policy name would be a mistake."""

    def load(self):
        return {}


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("packaged", help="template written by `sam package --output-template-file`")
    parser.add_argument("--regional-bucket", metavar="PREFIX", help="read function code from PREFIX-${AWS::Region}")
    args = parser.parse_args()

    with open(args.packaged, encoding="utf-8") as f:
        sam = yaml_parse(f.read())
    cfn = transform(sam, {}, NoManagedPolicies())

    for name, resource in cfn["Resources"].items():
        if resource["Type"] != "AWS::Lambda::Function":
            continue
        code = resource["Properties"]["Code"]
        if "S3Bucket" not in code:
            sys.exit(f"{name}: code is not in S3; run `sam package` first")
        if args.regional_bucket:
            code["S3Bucket"] = {"Fn::Sub": args.regional_bucket + "-${AWS::Region}"}

    json.dump(cfn, sys.stdout, indent=2, sort_keys=False)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
