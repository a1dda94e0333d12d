"""`az login --service-principal --certificate` against tenantry (driven by
crates/tenantry/tests/it/signin/certificates.rs): registers tenantry as a cloud, signs in as an
application with a PEM file holding its private key and certificate, and gets an ARM token with it.

Environment: TENANTRY_TEST_AZ (the `az` to run), TENANTRY_URL, REQUESTS_CA_BUNDLE, AZURE_CONFIG_DIR,
TENANTRY_TENANT, TENANTRY_CERT_CLIENT_ID, TENANTRY_CERTIFICATE_PATH. Prints the account and the token
as JSON.
"""

import json
import os

from azrun import az, use_cloud


def main():
    use_cloud("Tenantry", os.environ["TENANTRY_URL"])
    client_id = os.environ["TENANTRY_CERT_CLIENT_ID"]
    tenant = os.environ["TENANTRY_TENANT"]
    logged_in = az(
        "login", "--service-principal", "-u", client_id,
        "--certificate", os.environ["TENANTRY_CERTIFICATE_PATH"],
        "--tenant", tenant, "--allow-no-subscriptions",
    )
    assert logged_in and logged_in[0]["user"] == {"name": client_id, "type": "servicePrincipal"}, logged_in
    token = az("account", "get-access-token")
    assert token["tenant"] == tenant, token
    print(json.dumps({"login": logged_in, "token": token["accessToken"]}))


if __name__ == "__main__":
    main()
