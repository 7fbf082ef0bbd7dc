#!/usr/bin/env python3
"""Independent reference for EventHubsSasTests: the SAS algorithm of
https://learn.microsoft.com/rest/api/eventhub/generate-sas-token (Python sample), standard library only.

    sr  = quote_plus(resource_uri)
    sig = base64(HMAC-SHA256(key=utf8(policy_key), msg=utf8(sr + "\n" + expiry)))
    token = "SharedAccessSignature sr={sr}&sig={quote_plus(sig)}&se={expiry}&skn={policy_name}"

Run: python3 sas_reference.py  (the output is pasted into EventHubsSasTests.cs)
"""
import base64
import hashlib
import hmac
import urllib.parse

CASES = [
    # (resource uri, policy name, policy key, expiry in unix seconds)
    ("https://sigmaflow.servicebus.windows.net/ticks", "RootManageSharedAccessKey",
     "c2lnbWFmbG93LXRlc3Qta2V5LW5vdC1hLXNlY3JldA==", 1767225600),
    ("http://127.0.0.1:7073/ticks", "send-only", "plain text key", 2000000000),
]

for uri, name, key, expiry in CASES:
    sr = urllib.parse.quote_plus(uri)
    string_to_sign = (sr + "\n" + str(expiry)).encode("utf-8")
    sig = base64.b64encode(hmac.new(key.encode("utf-8"), string_to_sign, hashlib.sha256).digest()).decode("ascii")
    print(f"SharedAccessSignature sr={sr}&sig={urllib.parse.quote_plus(sig)}&se={expiry}&skn={name}")
