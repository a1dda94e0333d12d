"""What the Azure CLI driver scripts share: running `az` with JSON output, and signing in to tenantry's
cloud as the demo's "ci" application.

Environment: TENANTRY_TEST_AZ (the `az` to run), TENANTRY_URL, TENANTRY_TENANT, TENANTRY_CLIENT_ID,
TENANTRY_CLIENT_SECRET (and REQUESTS_CA_BUNDLE, AZURE_CONFIG_DIR for az itself).
"""

import json
import os
import subprocess
import time

AZ = os.environ["TENANTRY_TEST_AZ"]


def az(*args, ok=True):
    """Runs az; returns its JSON output (None when it prints nothing), or its stderr when it must fail."""
    started = time.monotonic()
    r = subprocess.run(
        [AZ, *args, "--only-show-errors", "--output", "json"],
        capture_output=True,
        text=True,
        env={**os.environ, "AZURE_CORE_COLLECT_TELEMETRY": "false"},
        timeout=300,
    )
    took = time.monotonic() - started
    print(f"$ az {' '.join(args)}  [{r.returncode}, {took:.1f}s]", flush=True)
    if ok and r.returncode != 0:
        raise AssertionError(f"az {' '.join(args)} failed ({r.returncode}):\n{r.stdout}\n{r.stderr}")
    if not ok:
        assert r.returncode != 0, f"az {' '.join(args)} should have failed:\n{r.stdout}"
        return r.stderr
    return json.loads(r.stdout) if r.stdout.strip() else None


def sign_in_as_ci():
    """Registers tenantry as a cloud (az fetches {base}/metadata/endpoints) and signs in as the "ci"
    application; returns what `az login` printed."""
    az("cloud", "register", "-n", "Tenantry", "--endpoint-resource-manager", os.environ["TENANTRY_URL"])
    az("cloud", "set", "-n", "Tenantry")
    az("config", "set", "core.instance_discovery=false")
    return az(
        "login", "--service-principal",
        "-u", os.environ["TENANTRY_CLIENT_ID"],
        "-p", os.environ["TENANTRY_CLIENT_SECRET"],
        "--tenant", os.environ["TENANTRY_TENANT"],
    )
