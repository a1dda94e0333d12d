"""What the Azure CLI driver scripts of this folder share: running `az` (TENANTRY_TEST_AZ) with JSON output
and without telemetry, and registering tenantry as the cloud az talks to. Imported by the scripts, which
run with this folder on their path."""

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
    print(f"$ az {' '.join(args)}  [{r.returncode}, {time.monotonic() - started:.1f}s]", flush=True)
    if ok and r.returncode != 0:
        raise AssertionError(f"az {' '.join(args)} failed ({r.returncode}):\n{r.stdout}\n{r.stderr}")
    if not ok:
        assert r.returncode != 0, f"az {' '.join(args)} should have failed:\n{r.stdout}"
        return r.stderr
    return json.loads(r.stdout) if r.stdout.strip() else None


def use_cloud(name, base_url):
    """Registers tenantry at `base_url` as the cloud `name` (its metadata makes the base URL the Graph
    resource too) and makes it az's cloud, without instance discovery."""
    az("cloud", "register", "-n", name, "--endpoint-resource-manager", base_url)
    az("cloud", "set", "-n", name)
    az("config", "set", "core.instance_discovery=false")
