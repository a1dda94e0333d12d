"""The Azure CLI against tenantry's subscription lifecycle and resource providers (driven by
crates/tenantry/tests/it/subscription_lifecycle.rs).

Signs in as the demo's "ci" application (made Owner of Pay-As-You-Go by the Rust side). The `az account
alias` commands live in an extension, so aliases are driven with `az rest` on the documented paths, as
Microsoft's documentation does: create, show, list, cancel and enable the new subscription, delete the
alias. Then `az resource create/show/list` without `--api-version`: az resolves one from the resource
provider's list of resource types, for a catalogued type (a storage account) and for a type of a provider
tenantry knows nothing of, once one is stored.

Environment: TENANTRY_TEST_AZ (the `az` to run), TENANTRY_URL, REQUESTS_CA_BUNDLE, AZURE_CONFIG_DIR,
TENANTRY_TENANT, TENANTRY_SUBSCRIPTION, TENANTRY_CLIENT_ID, TENANTRY_CLIENT_SECRET.
"""

import json
import os

from azrun import az, az_debug, sign_in_as_ci

BASE = os.environ["TENANTRY_URL"]
SUB = os.environ["TENANTRY_SUBSCRIPTION"]
ALIAS = f"{BASE}/providers/Microsoft.Subscription/aliases/cli-sandbox?api-version=2021-10-01"


def lifecycle(sub, verb):
    return f"{BASE}/subscriptions/{sub}/providers/Microsoft.Subscription/{verb}?api-version=2021-10-01"


def main():
    sign_in_as_ci()

    # aliases through az rest
    body = {"properties": {"displayName": "CLI Sandbox", "workload": "Production",
                           "billingScope": "/providers/Microsoft.Billing/billingAccounts/1"}}
    alias = az("rest", "--method", "put", "--url", ALIAS, "--body", json.dumps(body))
    assert alias["properties"]["provisioningState"] == "Succeeded", alias
    sub = alias["properties"]["subscriptionId"]
    assert az("rest", "--method", "get", "--url", ALIAS)["properties"]["subscriptionId"] == sub
    listed = az("rest", "--method", "get",
                "--url", f"{BASE}/providers/Microsoft.Subscription/aliases?api-version=2021-10-01")
    assert [a["name"] for a in listed["value"]] == ["cli-sandbox"], listed
    # az knows the subscriptions it found when it signed in: sign in again to see the new one.
    az("login", "--service-principal", "-u", os.environ["TENANTRY_CLIENT_ID"],
       "-p", os.environ["TENANTRY_CLIENT_SECRET"], "--tenant", os.environ["TENANTRY_TENANT"])
    assert az("rest", "--method", "post", "--url", lifecycle(sub, "cancel")) == {"subscriptionId": sub}
    # (az account list shows the state az cached when it signed in; ARM's is read afresh.)
    shown = az("rest", "--method", "get", "--url", f"{BASE}/subscriptions/{sub}?api-version=2022-12-01")
    assert shown["state"] == "Disabled", shown
    err = az("group", "create", "-n", "rg", "-l", "westeurope", "--subscription", sub, ok=False)
    assert "ReadOnlyDisabledSubscription" in err, err
    az("rest", "--method", "post", "--url", lifecycle(sub, "enable"))
    az("group", "create", "-n", "rg", "-l", "westeurope", "--subscription", sub)
    az("rest", "--method", "delete", "--url", ALIAS)
    err = az("rest", "--method", "get", "--url", ALIAS, ok=False)
    assert "AliasNotFound" in err, err

    # az resource without --api-version: az reads the provider's resource types to pick one.
    account = az("resource", "create", "-g", "rg1", "-n", "clistore", "--resource-type",
                 "Microsoft.Storage/storageAccounts", "-l", "westeurope",
                 "--properties", json.dumps({"supportsHttpsTrafficOnly": True}))
    assert account["name"] == "clistore", account
    shown, urls = az_debug("resource", "show", "--ids", account["id"])
    assert shown["properties"]["supportsHttpsTrafficOnly"] is True, shown
    assert any("/providers/Microsoft.Storage?" in u for u in urls), urls
    assert any(u.split("api-version=")[-1].startswith("2023-05-01") for u in urls if "clistore" in u), urls

    widget = az("resource", "create", "-g", "rg1", "-n", "w1", "--resource-type", "Contoso.Widgets/widgets",
                "--api-version", "2025-01-01", "-l", "westeurope", "--properties", json.dumps({"teeth": 12}))
    shown = az("resource", "show", "--ids", widget["id"])
    assert shown["properties"] == {"teeth": 12}, shown
    shown = az("resource", "show", "-g", "rg1", "-n", "w1", "--resource-type", "Contoso.Widgets/widgets")
    assert shown["id"] == widget["id"], shown
    # (`-g` and `--resource-type` filters belong to the resource lists of issue 13 point 5, built apart.)
    names = sorted(r["name"] for r in az("resource", "list"))
    assert "clistore" in names and "w1" in names, names
    az("resource", "delete", "--ids", widget["id"])
    print("ok")


if __name__ == "__main__":
    main()
