"""What the Azure CLI driver scripts share: running `az` quietly with its JSON output, and pointing it at
tenantry as a cloud. Imported by the scripts beside it (Python puts a script's directory on the path)."""

import json
import os
import subprocess

AZ = os.environ["TENANTRY_TEST_AZ"]


def az(*args, ok=True):
    """Runs az; returns its JSON output (None when it prints nothing); raises when it fails and `ok`."""
    r = subprocess.run(
        [AZ, *args, "--only-show-errors", "--output", "json"],
        capture_output=True,
        text=True,
        env={**os.environ, "AZURE_CORE_COLLECT_TELEMETRY": "false"},
        timeout=300,
    )
    print(f"$ az {' '.join(args)}  [{r.returncode}]", flush=True)
    if ok and r.returncode != 0:
        raise AssertionError(f"az {' '.join(args)} failed ({r.returncode}):\n{r.stdout}\n{r.stderr}")
    return json.loads(r.stdout) if r.stdout.strip() else None


def use_tenantry_cloud(name):
    """Registers the server at TENANTRY_URL as the cloud `name` and selects it, without instance discovery."""
    az("cloud", "register", "-n", name, "--endpoint-resource-manager", os.environ["TENANTRY_URL"])
    az("cloud", "set", "-n", name)
    az("config", "set", "core.instance_discovery=false")
