#!/usr/bin/env bash
# The README's test command: installs what the tests need into the project (a Python venv at
# .venv with moto's server, cfn-lint and the SAM CLI), lints template.yaml, checks the house
# rules (rustfmt, clippy), then runs every test of the workspace.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ ! -x .venv/bin/python ]; then
  python3 -m venv .venv
fi
.venv/bin/python -m pip install --quiet --disable-pip-version-check -r scripts/test-requirements.txt

# tests/html.rs loads the HTML report in headless Chromium (Debian's package). Under CI a
# missing browser fails that test rather than skipping it, so it is installed here.
if [ ! -x /usr/bin/chromium ]; then
  echo "== apt-get install chromium (for tests/html.rs)"
  sudo_cmd=()
  [ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo)
  export DEBIAN_FRONTEND=noninteractive
  "${sudo_cmd[@]}" apt-get update -qq >/dev/null
  "${sudo_cmd[@]}" apt-get install -y -qq chromium >/dev/null
fi

# The SAM template's offline checks: CloudFormation's linter on the template as written (it
# applies the SAM transform itself), then SAM's own lint. Neither needs AWS credentials nor the
# network; a region is only needed to pick the resource specifications to check against.
lint_env=(env AWS_DEFAULT_REGION="${AWS_DEFAULT_REGION:-us-east-1}" SAM_CLI_TELEMETRY=0)
echo "== cfn-lint template.yaml"
"${lint_env[@]}" .venv/bin/cfn-lint template.yaml
echo "== sam validate --lint"
"${lint_env[@]}" .venv/bin/sam validate --lint --template template.yaml
echo "== EventBridge patterns (moto's matcher; CloudTrail samples under events/)"
"${lint_env[@]}" .venv/bin/python scripts/check_event_patterns.py
echo "== StackSet template (SAM transform expanded offline, docs/deploy.md)"
packaged="$(mktemp)"; expanded="$(mktemp --suffix=.json)"
trap 'rm -f "$packaged" "$expanded"' EXIT
sed 's|CodeUri: functions/\(.*\)|CodeUri: s3://example-bucket/vpce-reach/\1|' template.yaml > "$packaged"
"${lint_env[@]}" .venv/bin/python scripts/stackset-template.py "$packaged" --regional-bucket example > "$expanded"
"${lint_env[@]}" .venv/bin/cfn-lint "$expanded"

echo "== links between the Markdown docs"
.venv/bin/python scripts/check_doc_links.py

# House rules (ARCHITECTURE.md, "Formatting and lints"): rustfmt with its default settings, and no clippy
# warning in any crate, target or feature. Both run before the tests so that CI fails on them
# even when every test passes.
echo "== cargo fmt --check"
cargo fmt --all --check
echo "== cargo clippy -D warnings"
cargo clippy --workspace --all-targets --all-features --locked -- -D warnings

cargo test --workspace --all-features --locked "$@"
