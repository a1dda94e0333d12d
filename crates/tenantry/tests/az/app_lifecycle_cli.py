"""The Azure CLI's application lifecycle against tenantry's Graph face (driven by
crates/tenantry/tests/it/applications.rs).

Signs in as the demo's "ci" application (made Global Administrator by the Rust side), registers an
application and its service principal (different object ids, as in Entra), updates it (`az ad app
update`), resets, lists and deletes its secrets and certificates (`az ad app credential …`, with
`--append`, `--create-cert` and `--cert`), resets a secret through its service principal (`az ad sp
credential reset`), then deletes the service principal (which takes the application with it) and another
application (`az ad app delete`), checking what each prints and that the secrets sign in or no longer do.

Environment: TENANTRY_TEST_AZ (the `az` to run), TENANTRY_URL, REQUESTS_CA_BUNDLE, AZURE_CONFIG_DIR,
TENANTRY_TENANT, TENANTRY_CLIENT_ID, TENANTRY_CLIENT_SECRET.
"""

import os

from azrun import az, sign_in_as_ci

TENANT = os.environ["TENANTRY_TENANT"]


def secrets_of(app_id):
    return sorted(c["keyId"] for c in az("ad", "app", "credential", "list", "--id", app_id))


def certificates_of(app_id):
    return az("ad", "app", "credential", "list", "--id", app_id, "--cert")


def back_to_ci():
    """Signs in as ci again (the cloud is registered already)."""
    az("login", "--service-principal", "-u", os.environ["TENANTRY_CLIENT_ID"],
       "-p", os.environ["TENANTRY_CLIENT_SECRET"], "--tenant", TENANT)


def main():
    sign_in_as_ci()

    app = az("ad", "app", "create", "--display-name", "lifecycle")
    app_id = app["appId"]
    sp = az("ad", "sp", "create", "--id", app_id)
    assert sp["appId"] == app_id and sp["id"] != app["id"], (app, sp)

    # az ad app update: the name and the web redirect URIs.
    az("ad", "app", "update", "--id", app_id, "--display-name", "lifecycle-2",
       "--web-redirect-uris", "https://lifecycle.example.com/signin", "http://localhost:8400")
    shown = az("ad", "app", "show", "--id", app_id)
    assert shown["id"] == app["id"] and shown["displayName"] == "lifecycle-2", shown
    assert shown["web"]["redirectUris"] == [
        "https://lifecycle.example.com/signin", "http://localhost:8400"], shown
    assert az("ad", "app", "show", "--id", app["id"])["appId"] == app_id

    # Secrets: reset replaces them all, --append adds one; list shows hints only; delete removes one.
    first = az("ad", "app", "credential", "reset", "--id", app_id)
    assert first["appId"] == app_id and first["tenant"] == TENANT and first["password"], first
    second = az("ad", "app", "credential", "reset", "--id", app_id, "--append")
    listed = az("ad", "app", "credential", "list", "--id", app_id)
    assert len(listed) == 2 and all(c["hint"] and not c.get("secretText") for c in listed), listed
    third = az("ad", "app", "credential", "reset", "--id", app_id)
    assert len(secrets_of(app_id)) == 1, "reset without --append removes the others"
    assert az_login_fails(app_id, first["password"])
    assert az_login_fails(app_id, second["password"])
    only = secrets_of(app_id)[0]
    az("ad", "app", "credential", "delete", "--id", app_id, "--key-id", only)
    assert secrets_of(app_id) == []
    assert az_login_fails(app_id, third["password"])

    # Certificates: one made by az, another appended beside it (az sends the first back with `key: null`).
    made = az("ad", "app", "credential", "reset", "--id", app_id, "--create-cert")
    pem_file = made["fileWithCertAndPrivateKey"]
    assert os.path.exists(pem_file), made
    certs = certificates_of(app_id)
    assert len(certs) == 1 and certs[0]["type"] == "AsymmetricX509Cert", certs
    with open(pem_file, encoding="utf-8") as f:
        pem = f.read()
    cert_only = pem[pem.index("-----BEGIN CERTIFICATE-----"):]
    cert_file = os.path.join(os.environ["AZURE_CONFIG_DIR"], "lifecycle.pem")
    with open(cert_file, "w", encoding="utf-8") as f:
        f.write(cert_only)
    # The same certificate again is refused (one key credential per certificate)...
    err = az("ad", "app", "credential", "reset", "--id", app_id, "--cert", "@" + cert_file, "--append",
             ok=False)
    assert "already" in err, err
    # ...a second made one is appended, the first kept.
    az("ad", "app", "credential", "reset", "--id", app_id, "--create-cert", "--append")
    certs = certificates_of(app_id)
    assert len(certs) == 2, certs
    # The certificate signs in.
    az("login", "--service-principal", "-u", app_id, "--certificate", pem_file, "--tenant", TENANT,
       "--allow-no-subscriptions")
    back_to_ci()
    az("ad", "app", "credential", "delete", "--id", app_id, "--key-id", certs[0]["keyId"], "--cert")
    assert [c["keyId"] for c in certificates_of(app_id)] == [certs[1]["keyId"]]
    # --cert with a file replaces them (without --append).
    az("ad", "app", "credential", "reset", "--id", app_id, "--cert", "@" + cert_file)
    certs = certificates_of(app_id)
    assert len(certs) == 1, certs

    # Through the service principal: the same credentials.
    by_sp = az("ad", "sp", "credential", "reset", "--id", app_id)
    assert by_sp["password"] and by_sp["appId"] == app_id, by_sp
    assert len(secrets_of(app_id)) == 1
    az("login", "--service-principal", "-u", app_id, "-p", by_sp["password"], "--tenant", TENANT,
       "--allow-no-subscriptions")
    back_to_ci()

    # az ad sp delete takes the application with it (tenantry holds no application without its principal).
    az("ad", "sp", "delete", "--id", app_id)
    assert az("ad", "sp", "list", "--filter", f"appId eq '{app_id}'") == []
    assert az("ad", "app", "list", "--app-id", app_id) == []
    assert az_login_fails(app_id, by_sp["password"])

    # az ad app delete.
    other = az("ad", "app", "create", "--display-name", "lifecycle-other")
    az("ad", "app", "delete", "--id", other["appId"])
    assert az("ad", "app", "list", "--app-id", other["appId"]) == []
    err = az("ad", "app", "show", "--id", other["id"], ok=False)
    assert "does not exist" in err, err
    print("azure cli application lifecycle passed", flush=True)


def az_login_fails(app_id, secret):
    err = az("login", "--service-principal", "-u", app_id, "-p", secret, "--tenant", TENANT,
             "--allow-no-subscriptions", ok=False)
    back_to_ci()
    return "AADSTS" in err or "invalid" in err.lower()


if __name__ == "__main__":
    main()
