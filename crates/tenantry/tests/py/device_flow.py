"""msal's device flow (what `az login --use-device-code` does) against a tenantry server.

Prints the flow msal started as one JSON line ({"user_code", "verification_uri", "message"}), then polls
until the person approves on the verification page (the Rust test does that over HTTP), and prints the
result as a second JSON line: {"access_token", "id_token_claims", "refresh_token"} or the error.

Environment: TENANTRY_AUTHORITY (https://host:port), TENANTRY_CLIENT_ID, TENANTRY_SCOPES, REQUESTS_CA_BUNDLE.
"""

import json
import os
import sys

import msal


def sign_in(env, scopes):
    """Starts msal's device flow for `scopes` at `organizations`, prints the code line, and returns
    msal's result once the person approved (exits with status 2 on an error)."""
    app = msal.PublicClientApplication(
        env["TENANTRY_CLIENT_ID"],
        authority=env["TENANTRY_AUTHORITY"] + "/organizations",
        instance_discovery=False,
    )
    flow = app.initiate_device_flow(scopes=scopes)
    if "user_code" not in flow:
        print(json.dumps({"error": flow}), flush=True)
        sys.exit(2)
    print(json.dumps({k: flow[k] for k in ("user_code", "verification_uri", "message")}), flush=True)
    result = app.acquire_token_by_device_flow(flow)
    if "access_token" not in result:
        print(json.dumps({"error": result}), flush=True)
        sys.exit(2)
    return result


def main():
    result = sign_in(os.environ, os.environ["TENANTRY_SCOPES"].split())
    print(json.dumps({
        "access_token": result["access_token"],
        "refresh_token": "refresh_token" in result,
        "id_token_claims": result.get("id_token_claims"),
    }), flush=True)


if __name__ == "__main__":
    main()
