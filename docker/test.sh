#!/usr/bin/env bash
# Run the whole test suite against throwaway local PostgreSQL and Redis.
#
#   docker/test.sh              # everything
#   docker/test.sh -p agent     # extra arguments go to the main `cargo test`
set -euo pipefail

cd "$(dirname "$0")/.."

# rustup installs into ~/.cargo/bin, which non-login shells may not have.
if ! command -v cargo >/dev/null 2>&1 && [ -x "$HOME/.cargo/bin/cargo" ]; then
    PATH="$HOME/.cargo/bin:$PATH"
fi

# The web chat's tests drive a real headless Chromium; this installs it
# when missing and is silent otherwise.
docker/ensure-browser.sh

# The Odoo Discuss addon's tests compile its Python and run its signing
# code with a plain python3 (no Odoo needed).
if ! command -v python3 >/dev/null 2>&1; then
    echo "test.sh: installing python3" >&2
    DEBIAN_FRONTEND=noninteractive apt-get update -qq >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends python3 >&2
fi

# Assign first so a failing services script stops us (eval "$(...)" would not).
services_env="$(docker/test-services.sh)"
eval "$services_env"
export DATABASE_URL REDIS_URL

# `--workspace` overrides `-p`, so drop it when packages are selected.
scope=(--workspace)
for arg in "$@"; do
    case "$arg" in
    --) break ;;
    -p | -p* | --package | --package=*) scope=() ;;
    esac
done

# Both runs are logged so the totals can be summed at the end: cargo prints
# one result line per test binary, and the last of them is often an empty
# doc-test binary, which says nothing about the run as a whole.
log="$(mktemp)"
trap 'rm -f "$log"' EXIT
status=0
# Doc tests run separately: `--all-targets` does not include them.
cargo test "${scope[@]}" --all-targets --locked "$@" 2>&1 | tee -a "$log" || status=$?
if [ "$status" -eq 0 ]; then
    cargo test --workspace --doc --locked 2>&1 | tee -a "$log" || status=$?
fi

read -r passed failed < <(awk '/^test result:/ {
    for (i = 2; i <= NF; i++) {
        if ($i == "passed;") p += $(i - 1)
        if ($i == "failed;") f += $(i - 1)
    }
} END { print p + 0, f + 0 }' "$log")
echo
echo "workspace: $passed passed, $failed failed"
exit "$status"
