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

# Doc tests run separately: `--all-targets` does not include them.
cargo test "${scope[@]}" --all-targets --locked "$@"
cargo test --workspace --doc --locked
