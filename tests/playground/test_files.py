"""files_upload_v2 end to end: an upload URL on the server, the bytes, completion and the shared message."""

from __future__ import annotations

import urllib.error
import urllib.request

import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from auditbot.playground import FILE_UPLOAD, Workspace
from auditbot.playground.seed import HR_PRIVATE, SEC_ALERTS

pytestmark = pytest.mark.http

CSV = b"time,action,actor\n2026-11-25T12:00:00Z,user_added_to_group,jane@example.com\n"


def test_files_upload_v2_shares_a_csv_in_the_channel(client: WebClient, workspace: Workspace, running):
    answer = client.files_upload_v2(
        content=CSV, filename="audit-export.csv", title="Audit export", channel=SEC_ALERTS, initial_comment="Export"
    )

    assert answer["file"]["id"] == answer["files"][0]["id"]
    assert (answer["file"]["name"], answer["file"]["title"], answer["file"]["filetype"]) == (
        "audit-export.csv",
        "Audit export",
        "csv",
    )
    [stored] = workspace.files
    assert (stored.content, stored.title, stored.channels, stored.completed) == (
        CSV,
        "Audit export",
        (SEC_ALERTS,),
        True,
    )
    shared = workspace.messages(SEC_ALERTS)[-1]
    assert shared.text == "Export" and shared.files[0]["id"] == stored.id
    (upload_url,) = (p for m, p in workspace.calls if m == "files.getUploadURLExternal")
    assert upload_url == {"filename": "audit-export.csv", "length": str(len(CSV))}
    [complete] = workspace.calls_to("files.completeUploadExternal")
    assert complete["files"] == [{"id": stored.id, "title": "Audit export"}] and complete["channel_id"] == SEC_ALERTS
    with urllib.request.urlopen(answer["file"]["url_private"], timeout=5) as download:
        assert download.read() == CSV


def test_an_upload_in_a_thread(client: WebClient, workspace: Workspace):
    parent = client.chat_postMessage(channel=SEC_ALERTS, text="results")["ts"]
    client.files_upload_v2(content="a,b\n", filename="page.csv", channel=SEC_ALERTS, thread_ts=parent)

    assert workspace.messages(SEC_ALERTS)[-1].thread_ts == parent
    assert workspace.files[0].thread_ts == parent


def test_without_a_channel_the_file_is_stored_but_not_shared(client: WebClient, workspace: Workspace):
    before = len(workspace.messages(SEC_ALERTS))
    client.files_upload_v2(content=CSV, filename="private.csv")

    assert workspace.files[0].completed and workspace.files[0].channels == ()
    assert len(workspace.messages(SEC_ALERTS)) == before


def test_sharing_into_a_private_channel_without_the_bot(client: WebClient, workspace: Workspace):
    with pytest.raises(SlackApiError) as failure:
        client.files_upload_v2(content=CSV, filename="x.csv", channel=HR_PRIVATE)

    assert failure.value.response["error"] == "not_in_channel"
    assert not workspace.files[0].completed


def test_a_failed_byte_upload_stops_the_flow(client: WebClient, workspace: Workspace):
    workspace.fail_next(FILE_UPLOAD, error="upstream failed", status=500)

    with pytest.raises(urllib.error.HTTPError) as failure:  # urllib raises before slack_sdk's status check
        client.files_upload_v2(content=CSV, filename="x.csv", channel=SEC_ALERTS)
    failure.value.close()
    assert failure.value.code == 500
    assert workspace.calls_to("files.completeUploadExternal") == []
    assert workspace.files[0].content is None


def test_completing_a_file_whose_bytes_never_arrived(client: WebClient):
    file_id = client.files_getUploadURLExternal(filename="x.csv", length=3)["file_id"]
    with pytest.raises(SlackApiError) as failure:
        client.files_completeUploadExternal(files=[{"id": file_id, "title": "x"}], channel_id=SEC_ALERTS)
    assert failure.value.response["error"] == "file_not_found"


def test_bytes_must_match_the_announced_length(client: WebClient):
    upload_url = client.files_getUploadURLExternal(filename="x.csv", length=3)["upload_url"]
    request = urllib.request.Request(upload_url, data=b"too long", method="POST")
    with pytest.raises(urllib.error.HTTPError) as failure:
        urllib.request.urlopen(request, timeout=5)
    assert failure.value.code == 400
    failure.value.close()
