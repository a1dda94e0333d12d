"""`az login --identity` against tenantry (driven by crates/tenantry/tests/it/signin/managed_identity.rs).

The pinned Azure CLI gets managed identities' tokens through msal's ManagedIdentityClient, which honours
App Service's IDENTITY_ENDPOINT + IDENTITY_HEADER and, for IMDS, AZURE_POD_IDENTITY_AUTHORITY_HOST: the
variables `tenantry identity env` prints. With tenantry registered as az's cloud, a process holding them
signs in as the site's system-assigned identity (Contributor on rg1), then as its user-assigned identity
(`--client-id`), in both forms, and reads rg1. First, as the README's how-to does, `az resource create
--is-full-object` gives a resource a system-assigned identity.

Environment: TENANTRY_TEST_AZ, TENANTRY_URL, REQUESTS_CA_BUNDLE, AZURE_CONFIG_DIR, TENANTRY_TENANT,
TENANTRY_SUBSCRIPTION, TENANTRY_MI_ENDPOINT, TENANTRY_MI_SECRET, TENANTRY_MI_HOST,
TENANTRY_MI_USER_CLIENT_ID.
"""

import os

import json

from azrun import az, sign_in_as_ci

TENANT = os.environ["TENANTRY_TENANT"]
SUB = os.environ["TENANTRY_SUBSCRIPTION"]
USER = os.environ["TENANTRY_MI_USER_CLIENT_ID"]
FORMS = {
    "app service": {
        "IDENTITY_ENDPOINT": os.environ["TENANTRY_MI_ENDPOINT"],
        "IDENTITY_HEADER": os.environ["TENANTRY_MI_SECRET"],
    },
    "imds": {"AZURE_POD_IDENTITY_AUTHORITY_HOST": os.environ["TENANTRY_MI_HOST"]},
}


def main():
    print("--- the README's how-to: a resource with a system-assigned identity, as the ci application", flush=True)
    sign_in_as_ci()
    web = az("resource", "create", "-g", "rg1", "-n", "web1", "--resource-type", "Microsoft.Web/sites",
             "--api-version", "2023-01-01", "--is-full-object",
             "-p", json.dumps({"location": "westeurope", "identity": {"type": "SystemAssigned"}}))
    assert web["identity"]["type"] == "SystemAssigned" and web["identity"]["principalId"], web
    az("logout")
    for form, variables in FORMS.items():
        for k in ["IDENTITY_ENDPOINT", "IDENTITY_HEADER", "AZURE_POD_IDENTITY_AUTHORITY_HOST"]:
            os.environ.pop(k, None)
        os.environ.update(variables)
        print(f"--- {form}: system-assigned", flush=True)
        accounts = az("login", "--identity")
        assert [a["id"] for a in accounts] == [SUB], accounts
        assert accounts[0]["tenantId"] == TENANT, accounts
        assert accounts[0]["user"] == {"assignedIdentityInfo": "MSI", "name": "systemAssignedIdentity",
                                       "type": "servicePrincipal"}, accounts
        group = az("group", "show", "-n", "rg1")
        assert group["name"] == "rg1", group
        az("logout")

        print(f"--- {form}: user-assigned (--client-id)", flush=True)
        accounts = az("login", "--identity", "--client-id", USER)
        assert [a["id"] for a in accounts] == [SUB], accounts
        assert accounts[0]["user"]["name"] == "userAssignedIdentity", accounts
        site = f"/subscriptions/{SUB}/resourceGroups/rg1/providers/Microsoft.Web/sites/site1"
        shown = az("resource", "show", "--ids", site, "--api-version", "2023-01-01")
        assert shown["identity"]["type"] == "SystemAssigned, UserAssigned", shown
        az("logout")
    print("ok")


if __name__ == "__main__":
    main()
