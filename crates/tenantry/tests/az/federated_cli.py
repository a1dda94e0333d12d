"""The Azure CLI's `ad app federated-credential` commands against tenantry's Graph face (driven by
crates/tenantry/tests/it/federated.rs).

Signs in as the demo's "ci" application (made a Global Administrator by the Rust side), registers an
application "pipeline" and runs `ad app federated-credential create/list/show/update/delete` on it,
checking what each prints and what az sends (`--debug`). It leaves "pipeline" with one credential,
"pull-requests", which the Rust side reads back.

Environment: TENANTRY_TEST_AZ (the `az` to run), TENANTRY_URL, REQUESTS_CA_BUNDLE, AZURE_CONFIG_DIR,
TENANTRY_TENANT, TENANTRY_CLIENT_ID, TENANTRY_CLIENT_SECRET.
"""

import json
import os

from azrun import az, az_debug, use_cloud

BASE = os.environ["TENANTRY_URL"]
TENANT = os.environ["TENANTRY_TENANT"]
GITHUB = "https://token.actions.githubusercontent.com"


def main():
    use_cloud("TenantryFederated", BASE)
    az(
        "login", "--service-principal",
        "-u", os.environ["TENANTRY_CLIENT_ID"],
        "-p", os.environ["TENANTRY_CLIENT_SECRET"],
        "--tenant", TENANT, "--allow-no-subscriptions",
    )
    app = az("ad", "app", "create", "--display-name", "pipeline")
    app_id = app["appId"]

    # create: by the application's appId (az resolves it with $filter=appId eq '…', then posts).
    main_branch, urls = az_debug(
        "ad", "app", "federated-credential", "create", "--id", app_id, "--parameters", json.dumps({
            "name": "main-branch", "issuer": GITHUB,
            "subject": "repo:contoso/app:ref:refs/heads/main", "description": "deploys main",
            "audiences": ["api://AzureADTokenExchange"],
        }))
    assert main_branch["name"] == "main-branch" and main_branch["issuer"] == GITHUB, main_branch
    assert main_branch["audiences"] == ["api://AzureADTokenExchange"], main_branch
    assert f"{BASE}/v1.0/applications/{app['id']}/federatedIdentityCredentials" in urls, urls
    # by the object id, with the default audience.
    pr = az("ad", "app", "federated-credential", "create", "--id", app["id"], "--parameters", json.dumps({
        "name": "pull-requests", "issuer": GITHUB, "subject": "repo:contoso/app:pull_request",
    }))
    assert pr["audiences"] == ["api://AzureADTokenExchange"], pr

    # Entra's refusals, as az shows them.
    err = az("ad", "app", "federated-credential", "create", "--id", app_id, "--parameters", json.dumps({
        "name": "again", "issuer": GITHUB, "subject": "repo:contoso/app:pull_request",
    }), ok=False)
    assert "The combination of issuer and subject must be unique for the application." in err, err
    err = az("ad", "app", "federated-credential", "create", "--id", app_id, "--parameters", json.dumps({
        "name": "-bad-", "issuer": GITHUB, "subject": "x",
    }), ok=False)
    assert "Federated Identity Credential name '-bad-' is invalid." in err, err

    # list and show, by id and by name.
    listed = az("ad", "app", "federated-credential", "list", "--id", app_id)
    assert sorted(c["name"] for c in listed) == ["main-branch", "pull-requests"], listed
    shown = az("ad", "app", "federated-credential", "show", "--id", app_id,
               "--federated-credential-id", "main-branch")
    assert shown["id"] == main_branch["id"], shown
    shown = az("ad", "app", "federated-credential", "show", "--id", app_id,
               "--federated-credential-id", main_branch["id"])
    assert shown["subject"] == "repo:contoso/app:ref:refs/heads/main", shown

    # update: a PATCH of the properties given (az prints nothing).
    az("ad", "app", "federated-credential", "update", "--id", app_id,
       "--federated-credential-id", "main-branch", "--parameters", json.dumps({
           "name": "main-branch", "issuer": GITHUB, "subject": "repo:contoso/app:environment:prod",
           "audiences": ["api://AzureADTokenExchange"],
       }))
    shown = az("ad", "app", "federated-credential", "show", "--id", app_id,
               "--federated-credential-id", "main-branch")
    assert shown["subject"] == "repo:contoso/app:environment:prod", shown

    # delete, then show refuses.
    az("ad", "app", "federated-credential", "delete", "--id", app_id,
       "--federated-credential-id", "main-branch")
    err = az("ad", "app", "federated-credential", "show", "--id", app_id,
             "--federated-credential-id", "main-branch", ok=False)
    assert "does not exist" in err, err
    assert [c["name"] for c in az("ad", "app", "federated-credential", "list", "--id", app_id)] == ["pull-requests"]
    print("az ad app federated-credential: ok")


if __name__ == "__main__":
    main()
