"""azure-identity and azure-mgmt-resource against a throttled tenantry (driven by
crates/tenantry/tests/it/throttling.rs): the server lets through 2 ARM reads per principal and then one every
2 seconds, and 1 token per client and then one every 2 seconds. Every call below must return normally, the
SDKs having met 429s and waited as Retry-After said.

Each answer the SDK's pipeline receives, retries included, passes through a raw_response_hook, which counts
the 429s the server sent.

Environment: TENANTRY_URL, REQUESTS_CA_BUNDLE, TENANTRY_TENANT, TENANTRY_SUBSCRIPTION, TENANTRY_CLIENT_ID,
TENANTRY_CLIENT_SECRET.
"""

import time

from azure.mgmt.resource.resources import ResourceManagementClient

from armsdk import KW, SCOPES, SUB, credential, step

seen = []


def hook(response):
    """Every answer of the ARM pipeline, retries included."""
    r = response.http_response
    seen.append((r.status_code, r.headers.get("Retry-After"), r.headers.get("x-ms-ratelimit-remaining-subscription-reads")))


def main():
    step("azure-mgmt-resource: five reads with a burst of two")
    rm = ResourceManagementClient(credential(), SUB, raw_response_hook=hook, **KW)
    started = time.monotonic()
    for _ in range(5):
        names = [g.name for g in rm.resource_groups.list()]
        assert "rg1" in names, names
    took = time.monotonic() - started
    throttled = [s for s in seen if s[0] == 429]
    print(f"answers: {seen}; took {took:.1f} s", flush=True)
    assert throttled, f"the server sent no 429: {seen}"
    assert all(ra and int(ra) >= 1 for _, ra, _ in throttled), throttled
    assert all(remaining == "0" for _, _, remaining in throttled), throttled
    assert [s for s in seen if s[0] == 200][-1][2] is not None, seen
    # Three reads beyond the burst, one every 2 seconds.
    assert took >= 4, took

    step("azure-identity: a second credential's token request is throttled, retried, and served")
    first = credential().get_token(*SCOPES)
    started = time.monotonic()
    second = credential().get_token(*SCOPES)
    took = time.monotonic() - started
    print(f"second token after {took:.1f} s", flush=True)
    assert first.token and second.token
    assert took >= 1, took


if __name__ == "__main__":
    main()
