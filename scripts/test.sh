#!/usr/bin/env bash
# The README's test command: installs what the tests need into the project (a Python venv at
# .venv with moto's server), then runs every test of the workspace.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ ! -x .venv/bin/python ]; then
  python3 -m venv .venv
fi
.venv/bin/python -m pip install --quiet --disable-pip-version-check -r scripts/test-requirements.txt

cargo test --workspace --all-features --locked "$@"
