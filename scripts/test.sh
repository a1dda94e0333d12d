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
# Installs Debian's chromium and chromium-driver when /usr/bin/chromium or
# /usr/bin/chromedriver is absent: the portal's browser tests need them. The
# tests start chromedriver themselves, one per test on a free port
# (TENANTRY_CHROMEDRIVER names the binary; TENANTRY_WEBDRIVER_URL points them
# at a WebDriver that is already running instead).
#
# Environment:
#   TENANTRY_PG_TMPDIR, TENANTRY_PG_START_TIMEOUT   see scripts/pg.sh
#
# Installs axe-core (pinned) with npm into target/axe and names its axe.min.js
# in TENANTRY_AXE: the browser tests check every page with it.
#
# A whole-workspace run also builds the container image when a container daemon answers
# (scripts/image.sh; it says it skipped when none does).
#
# Nothing is downloaded except through apt-get / pip / npm / cargo (and the image's base images,
# through the container tool, when it runs).
set -euo pipefail

cd "$(dirname -- "${BASH_SOURCE[0]}")/.."

section() { printf '\n==== %s ====\n' "$*"; }

# ---------------------------------------------------------------------------
# Hook points for later steps
# ---------------------------------------------------------------------------

# Browser tests: Chromium + chromedriver from Debian (no other downloads).
install_browser() {
    if [[ -x /usr/bin/chromium && -x /usr/bin/chromedriver ]]; then
        echo "chromium already installed: $(/usr/bin/chromium --version 2>/dev/null || echo '?')"
        echo "chromedriver: $(/usr/bin/chromedriver --version 2>/dev/null || echo '?')"
        return 0
    fi
    if (( EUID != 0 )); then
        echo "test.sh: chromium or chromedriver missing; as root run: apt-get install -y chromium chromium-driver" >&2
        return 1
    fi
    apt-get update
    DEBIAN_FRONTEND=noninteractive apt-get install -y chromium chromium-driver
}

# Accessibility: axe-core (pinned) from npm into target/axe, installed once and reused while it is
# that version; the browser tests inject its axe.min.js into every page they visit
# (TENANTRY_AXE) and fail when it is missing.
TENANTRY_AXE_VERSION=4.14.1

install_axe() {
    local dir
    dir=$(pwd)/target/axe
    local js=$dir/node_modules/axe-core/axe.min.js
    local have
    have=$(node -p 'require(process.argv[1]).version' "$dir/node_modules/axe-core/package.json" 2>/dev/null || true)
    if [[ -f $js && $have == "$TENANTRY_AXE_VERSION" ]]; then
        echo "axe-core: $dir has $have"
    else
        if ! command -v npm >/dev/null; then
            echo "test.sh: npm is missing; as root run: apt-get install -y nodejs npm" >&2
            return 1
        fi
        echo "axe-core: installing $TENANTRY_AXE_VERSION into $dir"
        rm -rf "$dir"
        mkdir -p "$dir"
        npm install --prefix "$dir" --no-audit --no-fund --save-exact "axe-core@$TENANTRY_AXE_VERSION"
    fi
    export TENANTRY_AXE=$js
}

# Python client tests: the real clients in virtualenvs under target/ (never
# committed), each created once and reused while it still has the pinned
# versions (those the wire contract was recorded with, its §8):
#   target/python-venv   msal, azure-identity and the azure-mgmt SDKs
#                        -> TENANTRY_TEST_PYTHON (its python)
#   target/azure-cli     the Azure CLI, which pins its own SDKs
#                        -> TENANTRY_TEST_AZ (its az)
# The Rust tests run their scripts (crates/tenantry/tests/py/) with these and
# fail, naming this script, when the variables are unset.
TENANTRY_PY_PACKAGES=(
    "msal==1.39.0" "azure-identity==1.27.0" "azure-core==1.41.0" "azure-mgmt-core==1.6.0"
    "azure-mgmt-resource==26.0.0" "azure-mgmt-subscription==3.1.1"
    "azure-mgmt-resource-subscriptions==1.0.0" "azure-mgmt-authorization==4.0.0"
    "azure-mgmt-managementgroups==2.0.0"
)
TENANTRY_AZ_PACKAGES=("azure-cli==2.91.0")

# ensure_venv DIR PACKAGE==VERSION...: (re)creates DIR unless it already has exactly these versions.
ensure_venv() {
    local venv=$1
    shift
    local check='import importlib.metadata as m, sys
want = dict(a.split("==") for a in sys.argv[1:])
sys.exit(any(m.version(k) != v for k, v in want.items()))'
    if [[ -x $venv/bin/python ]] && "$venv/bin/python" -c "$check" "$@" 2>/dev/null; then
        echo "python clients: $venv has $*"
        return 0
    fi
    if ! command -v python3 >/dev/null; then
        echo "test.sh: python3 is missing; as root run: apt-get install -y python3 python3-venv" >&2
        return 1
    fi
    echo "python clients: creating $venv with $*"
    rm -rf "$venv"
    python3 -m venv "$venv"
    "$venv/bin/pip" install --quiet --disable-pip-version-check "$@"
}

setup_python_venvs() {
    local root
    root=$(pwd)/target
    mkdir -p "$root"
    ensure_venv "$root/python-venv" "${TENANTRY_PY_PACKAGES[@]}"
    ensure_venv "$root/azure-cli" "${TENANTRY_AZ_PACKAGES[@]}"
    export TENANTRY_TEST_PYTHON=$root/python-venv/bin/python
    export TENANTRY_TEST_AZ=$root/azure-cli/bin/az
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
install_browser
export TENANTRY_CHROMEDRIVER=${TENANTRY_CHROMEDRIVER:-/usr/bin/chromedriver}
install_axe
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

# Every test binary runs even when one fails, so a run shows everything that is broken.
cargo_cmd=(cargo test "${scope[@]}" --locked --no-fail-fast "$@")
section "${cargo_cmd[*]}"
status=0
"${cargo_cmd[@]}" || status=$?

# The container image (deploy/Dockerfile) is built and started when a container daemon answers;
# scripts/image.sh says it skipped otherwise. Only for a whole-workspace run.
if [[ ${#scope[@]} -gt 0 && $# -eq 0 ]]; then
    section "Container image"
    scripts/image.sh || status=$?
fi

section "Result"
if (( status == 0 )); then
    echo "all tests passed"
else
    echo "cargo test failed (exit status $status)"
fi
exit "$status"
