"""The Azure CLI's predefined tag names against tenantry (driven by crates/tenantry/tests/it/tag_names.rs).

Signs in as the demo's "ci" application (Contributor on the subscription), then: `az tag create --name`
(and again, in another case), `az tag add-value`, `az tag list` (the predefined name beside those in
use, with its counts), `az tag remove-value` and `az tag delete --name` refused while a resource group
uses them, then accepted once it does not. Prints what each command sent (`--debug`).

Environment: TENANTRY_TEST_AZ, TENANTRY_URL, REQUESTS_CA_BUNDLE, AZURE_CONFIG_DIR, TENANTRY_TENANT,
TENANTRY_SUBSCRIPTION, TENANTRY_CLIENT_ID, TENANTRY_CLIENT_SECRET.
"""

import json
import os

from azrun import az, az_debug, sign_in_as_ci

SUB = os.environ["TENANTRY_SUBSCRIPTION"]
RG1 = f"/subscriptions/{SUB}/resourceGroups/rg1"


def sent(what, urls):
    print(f"az sent for {what}: " + json.dumps(urls), flush=True)


def listed(name):
    """The `az tag list` entry of `name` (case-insensitive), or None."""
    return next((n for n in az("tag", "list") if n["tagName"].lower() == name.lower()), None)


def main():
    sign_in_as_ci()

    created, urls = az_debug("tag", "create", "--name", "Env")
    sent("tag create --name", urls)
    assert any(f"/subscriptions/{SUB}/tagNames/Env?" in u for u in urls), urls
    assert created["tagName"] == "Env" and created["count"]["value"] == 0, created
    assert az("tag", "create", "--name", "ENV")["tagName"] == "Env", "the name is case-insensitive"

    value, urls = az_debug("tag", "add-value", "--name", "env", "--value", "prod")
    sent("tag add-value", urls)
    assert value["tagValue"] == "prod" and value["count"]["value"] == 0, value
    az("tag", "add-value", "--name", "env", "--value", "dev")

    names, urls = az_debug("tag", "list")
    sent("tag list", urls)
    env = next(n for n in names if n["tagName"] == "Env")
    assert env["count"]["value"] == 0, env
    assert [(v["tagValue"], v["count"]["value"]) for v in env["values"]] == [("prod", 0), ("dev", 0)], env

    # In use on rg1: neither the value nor the name can go.
    az("tag", "create", "--resource-id", RG1, "--tags", "env=prod")
    env = listed("env")
    assert env["count"]["value"] == 1, env
    err = az("tag", "remove-value", "--name", "env", "--value", "prod", ok=False)
    assert "It is associated to one or more resources" in err, err
    err = az("tag", "delete", "--name", "env", "--yes", ok=False)
    assert "The tag name 'Env' cannot be deleted. It is associated to one or more resources." in err, err

    # Unused, they go.
    _, urls = az_debug("tag", "remove-value", "--name", "env", "--value", "dev")
    sent("tag remove-value", urls)
    az("tag", "delete", "--resource-id", RG1, "--yes")
    az("tag", "remove-value", "--name", "env", "--value", "prod")
    _, urls = az_debug("tag", "delete", "--name", "env", "--yes")
    sent("tag delete --name", urls)
    assert listed("env") is None
    # A name that is not there: nothing to do, no error (204).
    az("tag", "delete", "--name", "env", "--yes")
    print("ok", flush=True)


if __name__ == "__main__":
    main()
