"""The Azure CLI's tag commands against tenantry (driven by crates/tenantry/tests/it/tags.rs).

Signs in as the demo's "ci" application (Contributor on the subscription), then: `az tag create`,
`az tag update` (merge, delete, replace), `az tag list` and `az tag delete` with `--resource-id` at a
resource group, a resource and the subscription (the Tags API at a scope); `az tag list` without
arguments (the subscription's tag names); `az group update --tags`; `az resource tag` (with and
without `-i`); `az resource list --tag`. Prints what each command sent (`--debug`).

Environment: TENANTRY_TEST_AZ, TENANTRY_URL, REQUESTS_CA_BUNDLE, AZURE_CONFIG_DIR, TENANTRY_TENANT,
TENANTRY_SUBSCRIPTION, TENANTRY_CLIENT_ID, TENANTRY_CLIENT_SECRET.
"""

import json
import os

from azrun import az, az_debug, sign_in_as_ci

SUB = os.environ["TENANTRY_SUBSCRIPTION"]
SCOPE = f"/subscriptions/{SUB}"
RG1 = f"{SCOPE}/resourceGroups/rg1"
API = "2023-01-01"
STORAGE = "Microsoft.Storage/storageAccounts"


def sent(what, urls):
    print(f"az sent for {what}: " + json.dumps(urls), flush=True)


def main():
    sign_in_as_ci()

    created, urls = az_debug("tag", "create", "--resource-id", RG1, "--tags", "env=prod", "team=a")
    sent("tag create", urls)
    assert created["properties"]["tags"] == {"env": "prod", "team": "a"}, created
    merged, urls = az_debug(
        "tag", "update", "--resource-id", RG1, "--operation", "merge", "--tags", "ENV=dev", "cost=42"
    )
    sent("tag update --operation merge", urls)
    assert merged["properties"]["tags"] == {"env": "dev", "team": "a", "cost": "42"}, merged
    deleted = az("tag", "update", "--resource-id", RG1, "--operation", "delete", "--tags", "team")
    assert deleted["properties"]["tags"] == {"env": "dev", "cost": "42"}, deleted
    replaced = az("tag", "update", "--resource-id", RG1, "--operation", "replace", "--tags", "only=this")
    assert replaced["properties"]["tags"] == {"only": "this"}, replaced
    listed, urls = az_debug("tag", "list", "--resource-id", RG1)
    sent("tag list --resource-id", urls)
    assert listed["properties"]["tags"] == {"only": "this"}, listed
    assert az("group", "show", "-n", "rg1")["tags"] == {"only": "this"}
    _, urls = az_debug("tag", "delete", "--resource-id", RG1, "--yes")
    sent("tag delete --resource-id", urls)
    assert az("group", "show", "-n", "rg1")["tags"] in ({}, None)

    err = az("tag", "create", "--resource-id", RG1, "--tags", "a/b=x", ok=False)
    assert "InvalidTagNameCharacters" in err, err

    # The subscription, and its tag names (az tag list without arguments).
    az("tag", "create", "--resource-id", SCOPE, "--tags", "costcenter=42")
    assert az("tag", "list", "--resource-id", SCOPE)["properties"]["tags"] == {"costcenter": "42"}
    names, urls = az_debug("tag", "list")
    sent("tag list", urls)
    assert [(n["tagName"], n["count"]["value"]) for n in names] == [("costcenter", 1)], names

    # az group update --tags.
    g, urls = az_debug("group", "update", "-n", "rg1", "--tags", "env=test", "owner=ci")
    sent("group update --tags", urls)
    assert g["tags"] == {"env": "test", "owner": "ci"}, g

    # Resources: created, tagged (replace, then -i to add), listed by tag.
    for name in ["st1", "st2"]:
        az(
            "resource", "create", "-g", "rg1", "-n", name, "--resource-type", STORAGE,
            "--api-version", API, "-l", "westeurope", "-p", '{"tier": "Hot"}',
        )
    tagged, urls = az_debug(
        "resource", "tag", "-g", "rg1", "-n", "st1", "--resource-type", STORAGE,
        "--api-version", API, "--tags", "env=prod",
    )
    sent("resource tag", urls)
    assert tagged["tags"] == {"env": "prod"} and tagged["properties"] == {"tier": "Hot"}, tagged
    more = az(
        "resource", "tag", "-i", "--ids", f"{RG1}/providers/{STORAGE}/st1",
        "--api-version", API, "--tags", "team=a",
    )
    assert more["tags"] == {"env": "prod", "team": "a"}, more
    found, urls = az_debug("resource", "list", "--tag", "env=prod")
    sent("resource list --tag", urls)
    assert [r["name"] for r in found] == ["st1"], found
    assert [r["name"] for r in az("resource", "list", "--tag", "team")] == ["st1"]
    in_group = az("resource", "list", "-g", "rg1", "--resource-type", STORAGE)
    assert sorted(r["name"] for r in in_group) == ["st1", "st2"], in_group
    print("ok", flush=True)


if __name__ == "__main__":
    main()
