"""pytest tests for the FastAPI app: they read statuses and headers only."""
import pytest
from fastapi.testclient import TestClient

from .security_docs import app

client = TestClient(app)


def test_requires_token():
    resp = client.get("/users/me")
    assert resp.status_code == 401
    assert resp.headers["www-authenticate"] == "Bearer"


@pytest.mark.parametrize("status", [401, 403])
def test_error_bodies(status):
    resp = client.get(f"/fail/{status}")
    assert resp.json()["detail"]


def test_wrong_password():
    resp = client.post("/token", data={"username": "johndoe", "password": "nope"})
    assert resp.status_code == 401, resp.text
