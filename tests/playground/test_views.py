"""views.open/push/update/publish: trigger ids that expire on the workspace clock, the modal stack, hashes."""

from __future__ import annotations

import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from auditbot.playground import Workspace
from auditbot.playground.seed import JANE, RAVI

from .blocks import home, modal

pytestmark = pytest.mark.http


def error_of(call, **kwargs) -> str:
    with pytest.raises(SlackApiError) as failure:
        call(**kwargs)
    return str(failure.value.response["error"])


def test_open_with_a_fresh_trigger_returns_the_view_like_slack(client: WebClient, workspace: Workspace):
    view = client.views_open(
        trigger_id=workspace.new_trigger_id(JANE), view=modal(callback_id="event_detail", private_metadata="e1")
    )["view"]

    assert view["id"].startswith("V") and view["hash"] and view["type"] == "modal"
    assert (view["callback_id"], view["private_metadata"], view["team_id"]) == ("event_detail", "e1", "T0PLAYGND")
    assert view["root_view_id"] == view["id"] and view["state"] == {"values": {}}
    [stored] = workspace.views_for(JANE)
    assert stored.id == view["id"] and stored.view["callback_id"] == "event_detail"
    assert [v.id for v in workspace.views.stack(JANE)] == [view["id"]]


def test_a_trigger_is_good_for_3_seconds_once(client: WebClient, workspace: Workspace, clock):
    late = workspace.new_trigger_id(JANE)
    clock.advance(3.5)
    in_time = workspace.new_trigger_id(JANE)
    clock.advance(2.9)

    assert error_of(client.views_open, trigger_id=late, view=modal()) == "expired_trigger_id"
    assert client.views_open(trigger_id=in_time, view=modal())["ok"]
    assert error_of(client.views_open, trigger_id=in_time, view=modal()) == "exchanged_trigger_id"
    assert error_of(client.views_open, trigger_id="1.2.made-up", view=modal()) == "invalid_trigger_id"


def test_update_by_id_checks_the_hash(client: WebClient, workspace: Workspace):
    opened = client.views_open(trigger_id=workspace.new_trigger_id(JANE), view=modal(title="Loading"))["view"]

    updated = client.views_update(view_id=opened["id"], hash=opened["hash"], view=modal(title="Event"))["view"]
    stale = error_of(client.views_update, view_id=opened["id"], hash=opened["hash"], view=modal(title="Again"))

    assert updated["id"] == opened["id"] and updated["hash"] != opened["hash"]
    assert updated["title"]["text"] == "Event"
    assert stale == "hash_conflict"
    assert workspace.views_for(JANE)[0].view["title"]["text"] == "Event"
    assert client.views_update(view_id=opened["id"], view=modal(title="No hash"))["ok"], "hash is optional"


def test_update_by_external_id_and_unknown_views(client: WebClient, workspace: Workspace):
    client.views_open(trigger_id=workspace.new_trigger_id(JANE), view=modal(external_id="search-1"))

    assert (
        client.views_update(external_id="search-1", view=modal(title="Results"))["view"]["title"]["text"] == "Results"
    )
    assert error_of(client.views_update, view_id="V0NOSUCH", view=modal()) == "not_found"
    assert error_of(client.views_update, external_id="nope", view=modal()) == "not_found"


def test_push_stacks_up_to_three_and_close_pops(client: WebClient, workspace: Workspace):
    root = client.views_open(trigger_id=workspace.new_trigger_id(JANE), view=modal())["view"]
    second = client.views_push(trigger_id=workspace.new_trigger_id(JANE), view=modal(title="Two"))["view"]
    client.views_push(trigger_id=workspace.new_trigger_id(JANE), view=modal(title="Three"))

    assert (second["root_view_id"], second["previous_view_id"]) == (root["id"], root["id"])
    assert error_of(client.views_push, trigger_id=workspace.new_trigger_id(JANE), view=modal()) == "push_limit_reached"
    closed = workspace.views.close(second["id"])
    assert [v.view["title"]["text"] for v in closed] == ["Three", "Two"]
    assert [v.id for v in workspace.views.stack(JANE)] == [root["id"]]
    assert error_of(client.views_update, view_id=second["id"], view=modal()) == "not_found"


def test_publish_keeps_one_home_per_person(client: WebClient, workspace: Workspace):
    first = client.views_publish(user_id=JANE, view=home("v1"))["view"]
    second = client.views_publish(user_id=JANE, view=home("v2"), hash=first["hash"])["view"]
    ravis = client.views_publish(user_id=RAVI, view=home("hello Ravi"))["view"]

    assert second["id"] == first["id"] and second["hash"] != first["hash"]
    assert ravis["id"] != first["id"]
    assert error_of(client.views_publish, user_id=JANE, view=home("v3"), hash=first["hash"]) == "hash_conflict"
    assert error_of(client.views_publish, user_id=JANE, view=modal()) == "invalid_arguments"
    assert error_of(client.views_publish, user_id="U0NOBODY00", view=home()) == "user_not_found"
    jane_home = workspace.views.home(JANE)
    assert jane_home is not None and jane_home.view["blocks"][0]["text"]["text"] == "v2"


def test_opening_a_new_modal_closes_the_old_stack(client: WebClient, workspace: Workspace):
    old = client.views_open(trigger_id=workspace.new_trigger_id(JANE), view=modal())["view"]
    new = client.views_open(trigger_id=workspace.new_trigger_id(JANE), view=modal())["view"]

    assert [v.id for v in workspace.views.stack(JANE)] == [new["id"]]
    assert workspace.views.get(old["id"]).closed


def test_views_open_and_push_need_a_trigger(client: WebClient):
    assert error_of(client.api_call, api_method="views.open", json={"view": modal()}) == "invalid_arguments"
    assert error_of(client.api_call, api_method="views.push", json={"view": modal()}) == "invalid_arguments"
