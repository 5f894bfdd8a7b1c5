"""The page and its files: served from the package with their types and a strict policy; nothing else is."""

from __future__ import annotations

import httpx
import pytest

pytestmark = pytest.mark.http

FILES = {
    "app.js": "text/javascript",
    "blockkit.js": "text/javascript",
    "mrkdwn.js": "text/javascript",
    "style.css": "text/css",
    "favicon.svg": "image/svg+xml",
}


def test_the_page_loads_only_its_own_files(page: httpx.Client):
    answer = page.get("/")
    assert answer.status_code == 200
    assert answer.headers["content-type"] == "text/html; charset=utf-8"
    policy = answer.headers["content-security-policy"]
    assert "script-src 'self'" in policy and "default-src 'none'" in policy and "frame-ancestors 'none'" in policy
    assert '<script type="module" src="/static/app.js">' in answer.text
    assert "http" not in answer.text.replace("http://www.w3.org/2000/svg", ""), "no external fetches"


@pytest.mark.parametrize(("name", "kind"), FILES.items())
def test_static_files_have_their_content_types(page: httpx.Client, name: str, kind: str):
    answer = page.get(f"/static/{name}")
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith(kind)
    assert answer.headers["x-content-type-options"] == "nosniff"


@pytest.mark.parametrize(
    "path",
    [
        "/static/../website.py",
        "/static/%2e%2e/website.py",
        "/static/..%2fwebsite.py",
        "/static/%2e%2e%2f%2e%2e%2fpayloads.py",
        "/static/website.py",
        "/static/.hidden.js",
        "/static/sub/app.js",
        "/static//etc/passwd",
        "/static/app.js%00.css",
        "/static/missing.js",
        "/static/",
    ],
)
def test_nothing_outside_the_static_folder_is_served(page: httpx.Client, path: str):
    answer = page.get(path)
    assert answer.status_code == 404
    assert b"import" not in answer.content


def test_the_slack_api_is_still_served_beside_the_page(page: httpx.Client):
    answer = page.post("/api/auth.test", headers={"Authorization": "Bearer xoxb-test"})
    assert answer.json()["ok"] is True
    assert page.get("/favicon.ico").headers["content-type"] == "image/svg+xml"
