#!/usr/bin/env bash
# scripts/test.sh — THE test command of tenantry.
#
#   scripts/test.sh                       # whole workspace, SQLite + PostgreSQL
#   scripts/test.sh -p tenantry-store     # any `cargo test` arguments pass through
#                                         # (--workspace is dropped when -p/--package is given)
#   scripts/test.sh -- --nocapture
#
# Starts a throwaway PostgreSQL cluster (scripts/pg.sh; installs PostgreSQL
# from Debian when it is missing), exports TENANTRY_TEST_PG_URL, runs
# `cargo test --workspace --locked "$@"`, stops the cluster on any exit
# (success, failure, Ctrl-C) and exits with cargo's status.
#
# Environment:
#   TENANTRY_NEEDS_BROWSER=1   install chromium + chromium-driver from Debian
#                              first (apt; only when /usr/bin/chromium is absent)
#   TENANTRY_PG_TMPDIR, TENANTRY_PG_START_TIMEOUT   see scripts/pg.sh
#
# Nothing is downloaded except through apt-get / pip / cargo.
set -euo pipefail

cd "$(dirname -- "${BASH_SOURCE[0]}")/.."

section() { printf '\n==== %s ====\n' "$*"; }

# ---------------------------------------------------------------------------
# Hook points for later steps
# ---------------------------------------------------------------------------

# Browser tests: Chromium + chromedriver from Debian (no other downloads).
# Called only when TENANTRY_NEEDS_BROWSER=1 (see main below).
install_browser() {
    if [[ -x /usr/bin/chromium ]]; then
        echo "chromium already installed: $(/usr/bin/chromium --version 2>/dev/null || echo '?')"
        return 0
    fi
    if (( EUID != 0 )); then
        echo "test.sh: /usr/bin/chromium missing; as root run: apt-get install -y chromium chromium-driver" >&2
        return 1
    fi
    apt-get update
    DEBIAN_FRONTEND=noninteractive apt-get install -y chromium chromium-driver
}

# Python client tests: create virtualenvs (e.g. .venv-client, git-ignored via
# /.venv*) with `python3 -m venv` and `pip install`, and export their paths.
# No-op for now.
setup_python_venvs() {
    :
}

# ---------------------------------------------------------------------------
# main
# ---------------------------------------------------------------------------

# shellcheck source=scripts/pg.sh
source scripts/pg.sh

# shellcheck disable=SC2317  # only invoked through the trap below
on_exit() {
    local rc=$?
    trap - EXIT
    if [[ -n ${_TENANTRY_PG_DIR:-} ]]; then
        section "Stopping PostgreSQL"
        pg_stop || true
    fi
    exit "$rc"
}
trap on_exit EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

section "Test prerequisites"
if [[ ${TENANTRY_NEEDS_BROWSER:-0} == 1 ]]; then
    install_browser
else
    echo "browser: not needed (set TENANTRY_NEEDS_BROWSER=1 to install chromium)"
fi
setup_python_venvs

section "Starting PostgreSQL"
pg_start

# `cargo test --workspace -p X` silently ignores -p and tests everything, so
# drop --workspace when the caller selects packages (before any `--`).
scope=(--workspace)
for arg in "$@"; do
    case $arg in
        --) break ;;
        -p | -p?* | --package | --package=*) scope=(); break ;;
    esac
done

cargo_cmd=(cargo test "${scope[@]}" --locked "$@")
section "${cargo_cmd[*]}"
status=0
"${cargo_cmd[@]}" || status=$?

section "Result"
if (( status == 0 )); then
    echo "all tests passed"
else
    echo "cargo test failed (exit status $status)"
fi
exit "$status"
