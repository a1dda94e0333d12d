"""Certificate credentials with the real Python clients: azure-identity's CertificateCredential (with and
without the certificate chain in `x5c`) and msal's ConfidentialClientApplication with a client
certificate, by SHA-1 thumbprint (RS256 + `x5t`) and by the public certificate (PS256 + `x5t#S256`
and `x5c`).

Environment: TENANTRY_AUTHORITY (the server's base URL), TENANTRY_TENANT, TENANTRY_CLIENT_ID,
TENANTRY_CERTIFICATE_PATH (a PEM file with the private key and the certificate), TENANTRY_THUMBPRINT
(SHA-1, hex), TENANTRY_SCOPES (space-separated; one token each), and REQUESTS_CA_BUNDLE (the server's
CA). Prints one JSON object of tokens by client; on a refusal, {"error": "<type>", "message": "..."}
and exit status 2.
"""

import json
import os
import re
import sys

import msal
from azure.core.exceptions import ClientAuthenticationError
from azure.identity import CertificateCredential


def main() -> int:
    env = os.environ
    base, tenant, client_id = env["TENANTRY_AUTHORITY"], env["TENANTRY_TENANT"], env["TENANTRY_CLIENT_ID"]
    path = env["TENANTRY_CERTIFICATE_PATH"]
    scopes = env["TENANTRY_SCOPES"].split()
    pem = open(path).read()
    key = re.search(r"-----BEGIN [A-Z ]*PRIVATE KEY-----.*?-----END [A-Z ]*PRIVATE KEY-----", pem, re.S).group(0)
    cert = re.search(r"-----BEGIN CERTIFICATE-----.*?-----END CERTIFICATE-----", pem, re.S).group(0)
    out = {}
    try:
        for name, chain in (("identity", False), ("identity_chain", True)):
            credential = CertificateCredential(
                tenant,
                client_id,
                certificate_path=path,
                send_certificate_chain=chain,
                authority=base,
                disable_instance_discovery=True,
            )
            out[name] = [credential.get_token(s).token for s in scopes]
    except ClientAuthenticationError as e:
        print(json.dumps({"error": type(e).__name__, "message": str(e)}))
        return 2
    for name, credential in (
        ("msal_thumbprint", {"private_key": key, "thumbprint": env["TENANTRY_THUMBPRINT"]}),
        ("msal_certificate", {"private_key": key, "public_certificate": cert}),
    ):
        app = msal.ConfidentialClientApplication(
            client_id,
            client_credential=credential,
            authority=f"{base}/{tenant}",
            instance_discovery=False,
        )
        tokens = []
        for s in scopes:
            result = app.acquire_token_for_client(scopes=[s])
            if "access_token" not in result:
                print(json.dumps({"error": result.get("error"), "message": result.get("error_description")}))
                return 2
            tokens.append(result["access_token"])
        out[name] = tokens
    print(json.dumps(out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
