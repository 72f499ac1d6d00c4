"""requests-based API client: checks statuses to refresh and retry. Client
code only, nothing to report."""
import time

import requests

RETRY_STATUSES = {401, 429, 503}


class ApiClient:
    def __init__(self, base_url: str, refresh_token: str) -> None:
        self.base = base_url
        self.refresh_token = refresh_token
        self.session = requests.Session()

    def refresh(self) -> None:
        resp = self.session.post(f"{self.base}/auth/refresh", json={"refresh_token": self.refresh_token})
        if resp.status_code == 401:
            raise PermissionError("refresh token rejected; sign in again")
        self.session.headers["Authorization"] = f"Bearer {resp.json()['access_token']}"

    def get(self, path: str) -> dict:
        resp = self.session.get(self.base + path)
        if resp.status_code == 401:
            self.refresh()
            resp = self.session.get(self.base + path)
        if resp.status_code in RETRY_STATUSES:
            time.sleep(1)
            resp = self.session.get(self.base + path)
        if resp.status_code == 403:
            raise PermissionError(resp.json().get("detail", "forbidden"))
        resp.raise_for_status()
        return resp.json()
