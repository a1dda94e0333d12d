"""azure-mgmt-subscription against tenantry's subscription lifecycle (driven by
crates/tenantry/tests/it/subscription_lifecycle.rs).

azure-identity's ClientSecretCredential signs in as the demo's "ci" application, which the Rust side made
Owner of Pay-As-You-Go: owning a subscription of the directory, it may create others. It creates one
through an alias (a long-running operation the SDK polls to its end), reads and lists the alias, renames,
cancels and enables the new subscription (reading its state after each), deletes the alias (the
subscription stays) and reads the tenant policies in their list form.

Environment: TENANTRY_URL, REQUESTS_CA_BUNDLE, TENANTRY_TENANT, TENANTRY_CLIENT_ID, TENANTRY_CLIENT_SECRET.
"""

import os
import time

from azure.core.exceptions import HttpResponseError, ResourceNotFoundError
from azure.identity import ClientSecretCredential
from azure.mgmt.resource.resources import ResourceManagementClient
from azure.mgmt.subscription import SubscriptionClient
from azure.mgmt.subscription.models import (
    PutAliasRequest,
    PutAliasRequestAdditionalProperties,
    PutAliasRequestProperties,
    SubscriptionName,
)

BASE = os.environ["TENANTRY_URL"]
TENANT = os.environ["TENANTRY_TENANT"]
SCOPES = ["https://management.azure.com/.default"]


def step(name):
    print(f"--- {name}", flush=True)


def main():
    cred = ClientSecretCredential(
        TENANT,
        os.environ["TENANTRY_CLIENT_ID"],
        os.environ["TENANTRY_CLIENT_SECRET"],
        authority=BASE,
        disable_instance_discovery=True,
    )
    kw = {"base_url": BASE, "credential_scopes": SCOPES}
    client = SubscriptionClient(cred, **kw)

    step("create a subscription through an alias (long-running)")
    started = time.monotonic()
    alias = client.alias.begin_create(
        "sdk-sandbox",
        PutAliasRequest(
            properties=PutAliasRequestProperties(
                display_name="SDK Sandbox",
                workload="DevTest",
                billing_scope="/providers/Microsoft.Billing/billingAccounts/1",
                additional_properties=PutAliasRequestAdditionalProperties(management_group_id="Platform"),
            )
        ),
    ).result()
    assert time.monotonic() - started < 10, "the poller must stop at the first answer"
    props = alias.properties
    assert alias.name == "sdk-sandbox" and props.provisioning_state == "Succeeded", alias
    assert props.workload == "DevTest" and props.management_group_id == "Platform", props
    sub = props.subscription_id
    assert client.alias.get("sdk-sandbox").properties.subscription_id == sub
    assert [a.name for a in client.alias.list().value] == ["sdk-sandbox"]
    seen = {s.subscription_id: s for s in client.subscriptions.list()}
    assert seen[sub].display_name == "SDK Sandbox" and seen[sub].state == "Enabled", seen

    step("rename, cancel, enable")
    assert client.subscription.rename(sub, SubscriptionName(subscription_name="SDK Renamed")).subscription_id == sub
    assert client.subscriptions.get(sub).display_name == "SDK Renamed"
    assert client.subscription.cancel(sub).subscription_id == sub
    assert client.subscriptions.get(sub).state == "Disabled"
    rm = ResourceManagementClient(cred, sub, **kw)
    try:
        rm.resource_groups.create_or_update("rg", {"location": "westeurope"})
        raise AssertionError("a write under a Disabled subscription must be refused")
    except HttpResponseError as e:
        assert e.status_code == 409 and e.error.code == "ReadOnlyDisabledSubscription", e
    assert client.subscription.enable(sub).subscription_id == sub
    assert client.subscriptions.get(sub).state == "Enabled"
    assert rm.resource_groups.create_or_update("rg", {"location": "westeurope"}).name == "rg"

    step("delete the alias; the subscription stays")
    client.alias.delete("sdk-sandbox")
    try:
        client.alias.get("sdk-sandbox")
        raise AssertionError("a deleted alias must be gone")
    except ResourceNotFoundError:
        pass
    client.alias.delete("sdk-sandbox")
    assert client.subscriptions.get(sub).display_name == "SDK Renamed"

    step("tenant policies, list form")
    policies = list(client.subscription_policy.list_policy_for_tenant())
    assert [p.name for p in policies] == ["default"], policies
    assert policies[0].properties.block_subscriptions_into_tenant is False, policies[0]
    print("ok")


if __name__ == "__main__":
    main()
