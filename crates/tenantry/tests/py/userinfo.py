"""An OpenID Connect relying party's userinfo call, with msal and requests: msal signs the person in with
the device flow (scopes User.Read and email, to which msal adds openid, profile and offline_access) and
validates the id token; the client then reads the tenant's discovery document, finds its
userinfo_endpoint, and calls it with the access token for Microsoft Graph, with GET and with POST.

Prints the flow msal started as one JSON line ({"user_code", "verification_uri", "message"}), then, once
the person approved (the Rust test does that over HTTP), a second JSON line: {"id_token_claims",
"userinfo_endpoint", "get", "post", "without_token": {"status", "www_authenticate"}}.

Environment: TENANTRY_AUTHORITY (https://host:port), TENANTRY_CLIENT_ID, REQUESTS_CA_BUNDLE.
"""

import json
import os

import requests

from device_flow import sign_in


def main():
    env = os.environ
    base = env["TENANTRY_AUTHORITY"]
    result = sign_in(env, ["User.Read", "email"])
    claims = result["id_token_claims"]
    discovery = requests.get(
        f"{base}/{claims['tid']}/v2.0/.well-known/openid-configuration", timeout=30
    )
    discovery.raise_for_status()
    endpoint = discovery.json()["userinfo_endpoint"]
    bearer = {"Authorization": "Bearer " + result["access_token"]}
    got = requests.get(endpoint, headers=bearer, timeout=30)
    posted = requests.post(endpoint, headers=bearer, timeout=30)
    anonymous = requests.get(endpoint, timeout=30)
    for r in (got, posted):
        r.raise_for_status()
    print(json.dumps({
        "id_token_claims": claims,
        "userinfo_endpoint": endpoint,
        "get": got.json(),
        "post": posted.json(),
        "without_token": {
            "status": anonymous.status_code,
            "www_authenticate": anonymous.headers.get("WWW-Authenticate"),
        },
    }), flush=True)


if __name__ == "__main__":
    main()
