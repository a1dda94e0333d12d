"""The username/password (ROPC) flows of the real clients against a tenantry server on port 443.

1. azure-identity's UsernamePasswordCredential (contract §6 (b)): a token for each scope in
   TENANTRY_SCOPES; the first is a password grant, the next ones refresh-token grants.
2. What `az login -u -p` does with msal (contract §6 (d) 8): a password grant at `organizations`, then
   for TENANTRY_OTHER_TENANT a silent token from msal's cache, i.e. a refresh-token grant at that tenant.

Environment: TENANTRY_AUTHORITY, TENANTRY_TENANT, TENANTRY_CLIENT_ID, TENANTRY_USERNAME,
TENANTRY_PASSWORD, TENANTRY_SCOPES, TENANTRY_OTHER_TENANT, REQUESTS_CA_BUNDLE.
Prints {"identity": [...], "az": {...}}; on a refusal, {"error", "message"} and exit status 2.
"""

import json
import os
import sys
import warnings

import msal
from azure.core.exceptions import ClientAuthenticationError
from azure.identity import UsernamePasswordCredential


def identity_flow(env):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        credential = UsernamePasswordCredential(
            env["TENANTRY_CLIENT_ID"],
            env["TENANTRY_USERNAME"],
            env["TENANTRY_PASSWORD"],
            tenant_id=env["TENANTRY_TENANT"],
            authority=env["TENANTRY_AUTHORITY"],
            disable_instance_discovery=True,
        )
    out = []
    for scope in env["TENANTRY_SCOPES"].split():
        t = credential.get_token(scope)
        out.append({"scope": scope, "token": t.token, "expires_on": t.expires_on})
    return out


def az_flow(env):
    base = env["TENANTRY_AUTHORITY"]
    arm = ["https://management.core.windows.net//.default"]
    login = msal.PublicClientApplication(
        env["TENANTRY_CLIENT_ID"],
        authority=base + "/organizations",
        instance_discovery=False,
    )
    first = login.acquire_token_by_username_password(
        env["TENANTRY_USERNAME"], env["TENANTRY_PASSWORD"], scopes=arm
    )
    if "access_token" not in first:
        raise RuntimeError(json.dumps(first))
    # az builds one msal app per tenant and shares the token cache between them.
    other = msal.PublicClientApplication(
        env["TENANTRY_CLIENT_ID"],
        authority=base + "/" + env["TENANTRY_OTHER_TENANT"],
        instance_discovery=False,
        token_cache=login.token_cache,
    )
    accounts = other.get_accounts(username=env["TENANTRY_USERNAME"])
    second = other.acquire_token_silent(arm, account=accounts[0]) if accounts else None
    if not second or "access_token" not in second:
        raise RuntimeError("no silent token for the other tenant: " + json.dumps(second))
    return {
        "organizations": first["access_token"],
        "id_token_claims": first.get("id_token_claims"),
        "other_tenant": second["access_token"],
        "accounts": [a["home_account_id"] for a in accounts],
    }


def main() -> int:
    env = os.environ
    try:
        result = {"identity": identity_flow(env), "az": az_flow(env)}
    except (ClientAuthenticationError, RuntimeError) as e:
        print(json.dumps({"error": type(e).__name__, "message": str(e)}))
        return 2
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
