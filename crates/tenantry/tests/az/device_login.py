"""`az login --use-device-code` against a tenantry server: az prints the message with the user code, the
Rust test approves on the verification page, az's polling then completes the login, and az uses it.

Prints {"user_code": "..."} as soon as az shows the code, then, once az is signed in, a second JSON line:
{"account": <az account show>, "me": <az ad signed-in-user show>, "then": [<the output of each command
of TENANTRY_AZ_THEN>]}.

Environment: TENANTRY_TEST_AZ, TENANTRY_URL, REQUESTS_CA_BUNDLE, AZURE_CONFIG_DIR; optionally
TENANTRY_AZ_THEN, a JSON list of az commands (each a list of arguments) to run as the signed-in user.
"""

import json
import os
import re
import subprocess
import sys

AZ = os.environ["TENANTRY_TEST_AZ"]
ENV = {**os.environ, "AZURE_CORE_COLLECT_TELEMETRY": "false"}


def az(*args):
    r = subprocess.run([AZ, *args, "--only-show-errors", "--output", "json"], capture_output=True,
                       text=True, env=ENV, timeout=300)
    if r.returncode != 0:
        raise AssertionError(f"az {' '.join(args)} failed ({r.returncode}):\n{r.stdout}\n{r.stderr}")
    return json.loads(r.stdout) if r.stdout.strip() else None


def main():
    az("cloud", "register", "-n", "TenantryDevice", "--endpoint-resource-manager", os.environ["TENANTRY_URL"])
    az("cloud", "set", "-n", "TenantryDevice")
    az("config", "set", "core.instance_discovery=false")
    login = subprocess.Popen([AZ, "login", "--use-device-code", "--allow-no-subscriptions", "--output", "json"],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=ENV)
    seen = []
    for line in login.stderr:
        seen.append(line)
        m = re.search(r"enter the code ([A-Z0-9]{9})", line)
        if m:
            print(json.dumps({"user_code": m.group(1)}), flush=True)
            break
    else:
        login.wait()
        raise AssertionError("az showed no code:\n" + "".join(seen))
    out, err = login.communicate(timeout=300)
    if login.returncode != 0:
        raise AssertionError(f"az login failed ({login.returncode}):\n{out}\n{err}")
    then = [az(*args) for args in json.loads(os.environ.get("TENANTRY_AZ_THEN", "[]"))]
    print(json.dumps({"account": az("account", "show"), "me": az("ad", "signed-in-user", "show"), "then": then}),
          flush=True)


if __name__ == "__main__":
    try:
        main()
    except AssertionError as e:
        print(json.dumps({"error": str(e)}), flush=True)
        sys.exit(2)
