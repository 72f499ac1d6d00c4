"""AWS Lambda (Python) behind API Gateway with a shared secret. An unset
environment variable is the deployment's fault, yet it answers 401; the
secret comparison itself is logged and challenged."""
import json
import logging
import os

logger = logging.getLogger()
logger.setLevel(logging.INFO)


def handler(event, context):
    secret = os.environ.get("SHARED_SECRET")
    if secret is None:
        logger.error("SHARED_SECRET is not set")
        return {"statusCode": 401, "body": json.dumps({"message": "Unauthorized"})}  # expect: no-401-for-server-error
    token = (event.get("headers") or {}).get("authorization")
    if token != f"Bearer {secret}":
        logger.info("rejected request from %s", event["requestContext"]["identity"]["sourceIp"])
        return {
            "statusCode": 401,
            "headers": {"WWW-Authenticate": 'Bearer realm="lambda"'},
            "body": json.dumps({"message": "Unauthorized"}),
        }
    return {"statusCode": 200, "body": json.dumps({"ok": True})}
