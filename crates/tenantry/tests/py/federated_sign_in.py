"""azure-identity signs in without a secret with a federated token (driven by crates/tenantry/tests/it/federated.rs).

The Rust side registers the application "pipeline" with a federated credential that trusts an issuer (a
tenantry tenant, whose discovery document and keys tenantry serves) for one subject, makes it Reader of the
subscription, and writes a token of that issuer to a file. Then:
- WorkloadIdentityCredential reads the file (AZURE_FEDERATED_TOKEN_FILE, as on Kubernetes and in CI);
- ClientAssertionCredential calls back for the token;
each signs in and lists the subscription with azure-mgmt-subscription; a token for another subject is refused
with AADSTS700213.

Environment: TENANTRY_URL, REQUESTS_CA_BUNDLE, TENANTRY_TENANT, TENANTRY_SUBSCRIPTION, TENANTRY_PIPELINE_CLIENT_ID,
AZURE_FEDERATED_TOKEN_FILE, TENANTRY_OTHER_SUBJECT_TOKEN.
"""

import os

from azure.core.exceptions import ClientAuthenticationError
from azure.identity import ClientAssertionCredential, WorkloadIdentityCredential
from azure.mgmt.subscription import SubscriptionClient

BASE = os.environ["TENANTRY_URL"]
TENANT = os.environ["TENANTRY_TENANT"]
SUB = os.environ["TENANTRY_SUBSCRIPTION"]
CLIENT = os.environ["TENANTRY_PIPELINE_CLIENT_ID"]
SCOPES = ["https://management.azure.com/.default"]


def subscriptions(cred):
    client = SubscriptionClient(cred, base_url=BASE, credential_scopes=SCOPES)
    return [s.subscription_id for s in client.subscriptions.list()]


def main():
    print("--- WorkloadIdentityCredential (AZURE_FEDERATED_TOKEN_FILE)", flush=True)
    workload = WorkloadIdentityCredential(
        tenant_id=TENANT,
        client_id=CLIENT,
        token_file_path=os.environ["AZURE_FEDERATED_TOKEN_FILE"],
        authority=BASE,
        disable_instance_discovery=True,
    )
    assert subscriptions(workload) == [SUB]

    print("--- ClientAssertionCredential", flush=True)
    with open(os.environ["AZURE_FEDERATED_TOKEN_FILE"]) as f:
        token = f.read().strip()
    assertion = ClientAssertionCredential(
        TENANT, CLIENT, lambda: token, authority=BASE, disable_instance_discovery=True
    )
    assert subscriptions(assertion) == [SUB]
    # The same federated token again, for Graph: reused by design.
    graph = assertion.get_token(f"{BASE}/.default")
    assert graph.token, graph

    print("--- a token for another subject is refused", flush=True)
    other = os.environ["TENANTRY_OTHER_SUBJECT_TOKEN"]
    stranger = ClientAssertionCredential(
        TENANT, CLIENT, lambda: other, authority=BASE, disable_instance_discovery=True
    )
    try:
        stranger.get_token(*SCOPES)
        raise AssertionError("a token for another subject signed in")
    except ClientAuthenticationError as e:
        assert "AADSTS700213" in str(e), e
    print("federated sign-in passed", flush=True)


if __name__ == "__main__":
    main()
