"""What the Azure CLI driver scripts of this folder share: running `az` (TENANTRY_TEST_AZ) with JSON output
and without telemetry, and registering tenantry as the cloud az talks to. Imported by the scripts, which
run with this folder on their path."""

import json
import os
import re
import subprocess
import time
import urllib.parse

AZ = os.environ["TENANTRY_TEST_AZ"]


def run(args, quiet):
    """Runs az with `args`, quietly (`--only-show-errors`, which az refuses beside `--debug`) or not."""
    started = time.monotonic()
    r = subprocess.run(
        [AZ, *args, *(["--only-show-errors"] if quiet else []), "--output", "json"],
        capture_output=True,
        text=True,
        env={**os.environ, "AZURE_CORE_COLLECT_TELEMETRY": "false"},
        timeout=300,
    )
    print(f"$ az {' '.join(args)}  [{r.returncode}, {time.monotonic() - started:.1f}s]", flush=True)
    return r


def az(*args, ok=True):
    """Runs az; returns its JSON output (None when it prints nothing), or its stderr when it must fail."""
    r = run(args, quiet=True)
    if ok and r.returncode != 0:
        raise AssertionError(f"az {' '.join(args)} failed ({r.returncode}):\n{r.stdout}\n{r.stderr}")
    if not ok:
        assert r.returncode != 0, f"az {' '.join(args)} should have failed:\n{r.stdout}"
        return r.stderr
    return json.loads(r.stdout) if r.stdout.strip() else None


def az_debug(*args):
    """Runs az with --debug; returns its JSON output and the (decoded) URLs of the requests it sent."""
    r = run([*args, "--debug"], quiet=False)
    if r.returncode != 0:
        raise AssertionError(f"az {' '.join(args)} failed ({r.returncode}):\n{r.stdout}\n{r.stderr}")
    urls = sorted({urllib.parse.unquote_plus(u) for u in re.findall(r"Request URL: '([^']+)'", r.stderr)})
    return (json.loads(r.stdout) if r.stdout.strip() else None), urls


def use_cloud(name, base_url):
    """Registers tenantry at `base_url` as the cloud `name` (its metadata makes the base URL the Graph
    resource too) and makes it az's cloud, without instance discovery."""
    az("cloud", "register", "-n", name, "--endpoint-resource-manager", base_url)
    az("cloud", "set", "-n", name)
    az("config", "set", "core.instance_discovery=false")


def sign_in_as_ci():
    """Registers tenantry (TENANTRY_URL) as az's cloud and signs in as the demo's "ci" application
    (TENANTRY_CLIENT_ID, TENANTRY_CLIENT_SECRET, TENANTRY_TENANT); returns what `az login` printed."""
    use_cloud("Tenantry", os.environ["TENANTRY_URL"])
    return az(
        "login", "--service-principal",
        "-u", os.environ["TENANTRY_CLIENT_ID"],
        "-p", os.environ["TENANTRY_CLIENT_SECRET"],
        "--tenant", os.environ["TENANTRY_TENANT"],
    )
