#!/usr/bin/env python3
"""Provisions one partner and N subscribers on a local gateway, in parallel (loopback only).

usage: provision.py BASE_URL ADMIN_TOKEN CLIENT_SECRET PARTNER_URL COUNT NUMBER_BASE
Subscriber i: id b<i>, DID +<NUMBER_BASE+i>, mobile +<NUMBER_BASE+COUNT+i>.
"""
import concurrent.futures, http.client, json, sys, urllib.parse

base, token, secret, partner_url, count, number_base = sys.argv[1:7]
count, number_base = int(count), int(number_base)
url = urllib.parse.urlparse(base)
if url.hostname not in ("127.0.0.1", "localhost", "::1"):
    sys.exit("provision.py: refusing a non-loopback target")

def put(path, body):
    conn = http.client.HTTPConnection(url.hostname, url.port, timeout=30)
    conn.request("PUT", path, json.dumps(body), {"Authorization": f"Bearer {token}", "Content-Type": "application/json"})
    response = conn.getresponse()
    response.read()
    conn.close()
    if response.status != 200:
        raise RuntimeError(f"PUT {path}: {response.status}")

put("/admin/partners/bench", {"primaryUrl": partner_url, "clientSecret": secret, "securityToken": "bench-token"})
def subscriber(i):
    put(f"/admin/subscribers/b{i}", {"mobile": f"+{number_base + count + i}", "did": f"+{number_base + i}",
                                      "domain": "bench.example", "partnerId": "bench"})
with concurrent.futures.ThreadPoolExecutor(16) as pool:
    list(pool.map(subscriber, range(count)))
print(f"provisioned 1 partner and {count} subscribers")
