#!/usr/bin/env bash
# Installs Debian's `chromium` and `chromium-driver` when either is missing,
# for the tests that drive a real headless browser (the web chat, the eval
# harness). Idempotent: prints nothing and changes nothing when both are
# there. Needs root and Debian's package registry; apt does not start
# anything, so nothing else changes on the machine.
#
#   docker/ensure-browser.sh
set -euo pipefail

if command -v chromium >/dev/null 2>&1 && command -v chromedriver >/dev/null 2>&1; then
    exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
    echo "ensure-browser: chromium and chromium-driver are missing; run as root to install them" >&2
    exit 1
fi

echo "ensure-browser: installing chromium and chromium-driver" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >&2
apt-get install -y -qq --no-install-recommends chromium chromium-driver >&2

for tool in chromium chromedriver; do
    if ! command -v "$tool" >/dev/null 2>&1; then
        echo "ensure-browser: $tool is still missing after apt-get install" >&2
        exit 1
    fi
done
