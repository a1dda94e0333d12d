"""`az ad signed-in-user show` as a user: `az login -u -p`, then Graph's `/v1.0/me` with the Graph token az
gets by refresh. The password flow needs the server on port 443 (contract §1.4), so this runs on the
server of the one test that binds 443 (it is not started by a test of its own).

Environment: TENANTRY_TEST_AZ (the `az` to run), TENANTRY_URL (https://127.0.0.1), REQUESTS_CA_BUNDLE,
AZURE_CONFIG_DIR, TENANTRY_USERNAME, TENANTRY_PASSWORD, TENANTRY_USER_OID (the user's object id at home).
Prints "azure cli signed-in user passed" when every check holds.
"""

import os

from azcli import az, use_tenantry_cloud


def main():
    user = os.environ["TENANTRY_USERNAME"]
    use_tenantry_cloud("TenantryUser")
    az("login", "-u", user, "-p", os.environ["TENANTRY_PASSWORD"], "--allow-no-subscriptions")
    me = az("ad", "signed-in-user", "show")
    assert me["userPrincipalName"] == user, me
    assert me["id"] == os.environ["TENANTRY_USER_OID"], me
    assert me["userType"] == "Member", me
    print("azure cli signed-in user passed", flush=True)


if __name__ == "__main__":
    main()
