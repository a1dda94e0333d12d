"""azure-identity's ClientSecretCredential against a tenantry server (contract §6 (a)).

Environment: TENANTRY_AUTHORITY (the server's base URL), TENANTRY_TENANT, TENANTRY_CLIENT_ID,
TENANTRY_CLIENT_SECRET, TENANTRY_SCOPES (space-separated; one token each), and REQUESTS_CA_BUNDLE (the
server's CA). Prints one JSON object: {"tokens": [{"scope", "token", "expires_on"}...]}; on a refusal,
{"error": "<type>", "message": "..."} and exit status 2.
"""

import json
import os
import sys

from azure.core.exceptions import ClientAuthenticationError
from azure.identity import ClientSecretCredential


def main() -> int:
    env = os.environ
    credential = ClientSecretCredential(
        env["TENANTRY_TENANT"],
        env["TENANTRY_CLIENT_ID"],
        env["TENANTRY_CLIENT_SECRET"],
        authority=env["TENANTRY_AUTHORITY"],
        disable_instance_discovery=True,
    )
    tokens = []
    try:
        for scope in env["TENANTRY_SCOPES"].split():
            t = credential.get_token(scope)
            tokens.append({"scope": scope, "token": t.token, "expires_on": t.expires_on})
    except ClientAuthenticationError as e:
        print(json.dumps({"error": type(e).__name__, "message": str(e)}))
        return 2
    print(json.dumps({"tokens": tokens}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
