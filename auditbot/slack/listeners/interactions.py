"""Button clicks on results and App Home: paging, narrowing, details, share, export, quick queries."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from auditbot.core.errors import AuditbotError
from auditbot.slack import ids
from auditbot.slack.deps import SlackDeps
from auditbot.slack.listeners.common import open_event, record, search_for, show_page
from auditbot.slack.listeners.registry import Listeners
from auditbot.slack.redaction import redacted
from auditbot.slack.render import render_error, render_notice, render_results, render_search_form
from auditbot.slack.replies import Respond, answering, send

EXPORT_PROGRESS_EVERY = 2000


def register(app: Listeners, deps: SlackDeps) -> None:
    for action_id in (ids.PAGE_NEXT, ids.PAGE_PREV, ids.PAGE_FIRST):

        @app.action(action_id)
        def page(ack: Ack, action: dict[str, Any], body: dict[str, Any], respond: Respond, client: WebClient) -> None:
            ack()
            with answering(respond, "paging"):
                show_page(deps, client, respond, body, str(action["value"]))

    @app.action(ids.SEARCH_NARROW_PATTERN)
    def narrow(ack: Ack, action: dict[str, Any], body: dict[str, Any], respond: Respond, client: WebClient) -> None:
        ack()
        with answering(respond, "narrowing"):
            show_page(deps, client, respond, body, str(action["value"]), narrowed=True)

    @app.action(ids.EVENT_DETAILS)
    def details(ack: Ack, action: dict[str, Any], body: dict[str, Any], respond: Respond, client: WebClient) -> None:
        ack()
        with answering(respond, "details"):
            open_event(deps, client, body, str(body["trigger_id"]), str(action["value"]))

    @app.action(ids.SHARE_PAGE)
    def share(ack: Ack, action: dict[str, Any], body: dict[str, Any], respond: Respond, client: WebClient) -> None:
        ack()
        with answering(respond, "share"):
            page = deps.search.open_page(str(action["value"]))
            message = render_results(page, shared_by=str(body["user"]["id"]))
            if deps.redact_shared:
                message = redacted(message)
            try:
                client.chat_postMessage(channel=str(body["channel"]["id"]), **message.as_kwargs())
            except SlackApiError as exc:
                raise _post_problem(exc) from None
            record(deps, client, body, "share", query=page.query, detail=f"page {page.page}")
            send(respond, render_notice("Shared in this channel."))

    @app.action(ids.EXPORT_CSV)
    def export(ack: Ack, action: dict[str, Any], body: dict[str, Any], respond: Respond, client: WebClient) -> None:
        ack()
        with answering(respond, "export"):
            send(respond, render_notice("Exporting… the CSV will arrive in your messages with auditbot."))
            progress_notes = iter(range(EXPORT_PROGRESS_EVERY, 10**9, EXPORT_PROGRESS_EVERY))
            next_note = next(progress_notes)

            def progress(count: int) -> None:
                nonlocal next_note
                if count >= next_note:
                    next_note = next(progress_notes)
                    send(respond, render_notice(f"Still exporting: {count:,} events so far…"))

            result = deps.exporter.export(str(action["value"]), progress=progress)
            user_id = str(body["user"]["id"])
            dm = client.conversations_open(users=user_id)["channel"]["id"]
            more = " (the first ones only: the export limit was reached)" if result.truncated else ""
            client.files_upload_v2(
                channel=dm,
                content=result.content,
                filename=result.filename(),
                title=f"Audit log: {result.query or 'everything'}"[:250],
                initial_comment=f"{result.rows:,} events{more}.",
            )
            record(deps, client, body, "export", query=result.query, detail=f"{result.rows} events{more}")
            send(respond, render_notice(f"Exported {result.rows:,} events{more}; the CSV is in your messages."))

    @app.action(ids.HOME_QUICK_QUERY_PATTERN)
    def quick_query(ack: Ack, action: dict[str, Any], body: dict[str, Any], client: WebClient) -> None:
        ack()
        user_id = str(body["user"]["id"])
        try:
            page = search_for(deps, client, user_id, str(action["value"]))
            record(deps, client, body, "query", query=page.query, detail="App Home quick query")
            message = render_results(page)
        except AuditbotError as exc:
            message = render_error(exc)
        client.chat_postMessage(channel=user_id, **message.as_kwargs())

    @app.action(ids.OPEN_SEARCH_FORM)
    def open_form(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        ack()
        client.views_open(trigger_id=str(body["trigger_id"]), view=render_search_form())


def _post_problem(exc: SlackApiError) -> AuditbotError:
    error = str(exc.response.get("error", "")) if exc.response is not None else ""
    if error in {"not_in_channel", "channel_not_found"}:
        return AuditbotError(
            "auditbot is not in this channel, so it cannot post here.",
            hint="Invite it with /invite @auditbot, then share again.",
        )
    return AuditbotError(f"Slack would not take the message ({error or 'unknown error'}).")
