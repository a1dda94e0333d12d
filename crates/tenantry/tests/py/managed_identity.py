"""azure-identity's managed identity credentials against tenantry (driven by
crates/tenantry/tests/it/signin/managed_identity.rs).

A process holding the variables `tenantry identity env` prints for a site (a system-assigned identity,
Contributor on rg1, and the user-assigned identity id-a, also Contributor there) signs in without a secret
of its own: ManagedIdentityCredential in the App Service form (IDENTITY_ENDPOINT + IDENTITY_HEADER) and
in the IMDS form (AZURE_POD_IDENTITY_AUTHORITY_HOST), with and without client_id=, and
DefaultAzureCredential unmodified. Each drives azure-mgmt-resource: it lists rg1 and creates a resource
there.

Environment: TENANTRY_URL, REQUESTS_CA_BUNDLE, TENANTRY_SUBSCRIPTION, TENANTRY_MI_ENDPOINT,
TENANTRY_MI_SECRET, TENANTRY_MI_HOST, TENANTRY_MI_SYSTEM_CLIENT_ID, TENANTRY_MI_USER_CLIENT_ID.
"""

import os

from azure.identity import DefaultAzureCredential, ManagedIdentityCredential
from azure.mgmt.resource.resources import ResourceManagementClient
from azure.mgmt.resource.resources.models import GenericResource

BASE = os.environ["TENANTRY_URL"]
SUB = os.environ["TENANTRY_SUBSCRIPTION"]
SCOPE = "https://management.azure.com/.default"
SYSTEM = os.environ["TENANTRY_MI_SYSTEM_CLIENT_ID"]
USER = os.environ["TENANTRY_MI_USER_CLIENT_ID"]
FORMS = {
    "app service": {
        "IDENTITY_ENDPOINT": os.environ["TENANTRY_MI_ENDPOINT"],
        "IDENTITY_HEADER": os.environ["TENANTRY_MI_SECRET"],
    },
    "imds": {"AZURE_POD_IDENTITY_AUTHORITY_HOST": os.environ["TENANTRY_MI_HOST"]},
}
MI_VARIABLES = ["IDENTITY_ENDPOINT", "IDENTITY_HEADER", "AZURE_POD_IDENTITY_AUTHORITY_HOST",
                "AZURE_CLIENT_ID", "MSI_ENDPOINT", "MSI_SECRET", "IMDS_ENDPOINT"]


def step(name):
    print(f"--- {name}", flush=True)


def environment(form):
    for k in MI_VARIABLES:
        os.environ.pop(k, None)
    os.environ.update(FORMS[form])


def claims(token):
    import base64
    import json

    part = token.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)))


def drive_arm(cred, name):
    client = ResourceManagementClient(cred, SUB, base_url=BASE, credential_scopes=[SCOPE])
    names = [r.name for r in client.resources.list_by_resource_group("rg1")]
    assert "site1" in names, names
    rid = f"/subscriptions/{SUB}/resourceGroups/rg1/providers/Microsoft.Storage/storageAccounts/{name}"
    made = client.resources.begin_create_or_update_by_id(
        rid, GenericResource(location="westeurope"), api_version="2023-01-01"
    ).result()
    assert made.id.lower() == rid.lower(), made.id


def main():
    for form in FORMS:
        environment(form)
        step(f"{form}: ManagedIdentityCredential, system-assigned")
        cred = ManagedIdentityCredential()
        token = cred.get_token(SCOPE)
        c = claims(token.token)
        assert c["appid"] == SYSTEM and c["idtyp"] == "app", c
        assert c["xms_mirid"].endswith("/providers/Microsoft.Web/sites/site1"), c
        assert token.expires_on > 0
        drive_arm(cred, f"sys{form.replace(' ', '')}")

        step(f"{form}: ManagedIdentityCredential(client_id=) for the user-assigned identity")
        cred = ManagedIdentityCredential(client_id=USER)
        c = claims(cred.get_token(SCOPE).token)
        assert c["appid"] == USER, c
        assert c["xms_mirid"].endswith("/userAssignedIdentities/id-a"), c
        drive_arm(cred, f"user{form.replace(' ', '')}")

        step(f"{form}: DefaultAzureCredential, unmodified")
        cred = DefaultAzureCredential()
        c = claims(cred.get_token(SCOPE).token)
        assert c["appid"] == SYSTEM, c
        drive_arm(cred, f"dac{form.replace(' ', '')}")

    step("DefaultAzureCredential with AZURE_CLIENT_ID names the user-assigned identity")
    environment("imds")
    os.environ["AZURE_CLIENT_ID"] = USER
    c = claims(DefaultAzureCredential().get_token(SCOPE).token)
    assert c["appid"] == USER, c

    step("a wrong secret is refused")
    environment("app service")
    os.environ["IDENTITY_HEADER"] = "tmi_wrong"
    try:
        ManagedIdentityCredential().get_token(SCOPE)
    except Exception as e:  # azure-identity wraps it in its own error types
        print(f"refused: {type(e).__name__}")
    else:
        raise AssertionError("a wrong secret got a token")
    print("ok")


if __name__ == "__main__":
    main()
