"""What the Python SDK scripts of this folder that call ARM share: where tenantry is, the credential of an
application (the demo's "ci" unless named), the client options, and step headings. Imported by the
scripts, which run with this folder on their path.

Environment: TENANTRY_URL, TENANTRY_TENANT, TENANTRY_SUBSCRIPTION, TENANTRY_CLIENT_ID, TENANTRY_CLIENT_SECRET.
"""

import os

from azure.identity import ClientSecretCredential

BASE = os.environ["TENANTRY_URL"]
TENANT = os.environ["TENANTRY_TENANT"]
SUB = os.environ["TENANTRY_SUBSCRIPTION"]
SCOPES = ["https://management.azure.com/.default"]
# What every management client takes to talk to tenantry.
KW = {"base_url": BASE, "credential_scopes": SCOPES}


def step(name):
    print(f"--- {name}", flush=True)


def credential(client_id=None, secret=None):
    """An application's ClientSecretCredential at tenantry; the demo's "ci" application by default."""
    return ClientSecretCredential(
        TENANT,
        client_id or os.environ["TENANTRY_CLIENT_ID"],
        secret or os.environ["TENANTRY_CLIENT_SECRET"],
        authority=BASE,
        disable_instance_discovery=True,
    )
