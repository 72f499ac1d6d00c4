"""AWS Lambda (Python) forwarding a partner API call; the partner's status
becomes ours. The 403 for a missing caller id is a correct tenant check."""
import os

import requests

PARTNER_URL = os.environ.get("PARTNER_URL", "https://partner.example.com")


def handler(event, context):
    tenant = (event.get("requestContext") or {}).get("authorizer", {}).get("tenant")
    if tenant not in ("acme", "globex"):
        return {"statusCode": 403, "body": "Tenant not enabled for partner access"}
    resp = requests.get(f"{PARTNER_URL}{event['rawPath']}", timeout=5)
    return {"statusCode": resp.status_code, "body": resp.text}  # expect: no-forwarded-401
