"""The Azure CLI signs in with a federated token (driven by crates/tenantry/tests/it/federated.rs):
`az login --service-principal -u <appId> --federated-token <token> --tenant <tenant>`, then lists the
subscription the application reads. A token for another subject is refused with AADSTS700213.

Environment: TENANTRY_TEST_AZ, TENANTRY_URL, REQUESTS_CA_BUNDLE, AZURE_CONFIG_DIR, TENANTRY_TENANT,
TENANTRY_SUBSCRIPTION, TENANTRY_PIPELINE_CLIENT_ID, TENANTRY_FEDERATED_TOKEN, TENANTRY_OTHER_SUBJECT_TOKEN.
"""

import os

from azrun import az, use_cloud

TENANT = os.environ["TENANTRY_TENANT"]
CLIENT = os.environ["TENANTRY_PIPELINE_CLIENT_ID"]


def login(token, ok=True):
    return az(
        "login", "--service-principal", "-u", CLIENT, "--federated-token", token, "--tenant", TENANT, ok=ok
    )


def main():
    use_cloud("Tenantry", os.environ["TENANTRY_URL"])
    err = login(os.environ["TENANTRY_OTHER_SUBJECT_TOKEN"], ok=False)
    assert "AADSTS700213" in err, err
    logged_in = login(os.environ["TENANTRY_FEDERATED_TOKEN"])
    assert [s["id"] for s in logged_in] == [os.environ["TENANTRY_SUBSCRIPTION"]], logged_in
    assert az("account", "show")["user"] == {"name": CLIENT, "type": "servicePrincipal"}
    print("az federated login passed", flush=True)


if __name__ == "__main__":
    main()
