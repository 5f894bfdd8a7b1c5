"""Button clicks on results and App Home: paging, narrowing, details, share, export, quick queries; the
menus of the action list and of the handoff digest's counts; the event details modal's buttons (``details``)."""

from __future__ import annotations

from slack_bolt import Ack, BoltContext
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from auditbot.core.access import Permission
from auditbot.core.errors import AuditbotError
from auditbot.slack import ids
from auditbot.slack.app_home import publish_home
from auditbot.slack.deps import SlackDeps
from auditbot.slack.errors import slack_error_code
from auditbot.slack.listeners import details as detail_buttons
from auditbot.slack.listeners.common import open_event, open_view_or_log, record, search_for, show_page, show_results
from auditbot.slack.listeners.permits import require
from auditbot.slack.listeners.registry import Listeners
from auditbot.slack.payloads import Click, payload_of
from auditbot.slack.redaction import redacted
from auditbot.slack.render import render_error, render_notice, render_results, render_search_form
from auditbot.slack.render.catalog import catalog_query
from auditbot.slack.render.handoff import drill_search
from auditbot.slack.replies import Respond, answering, send

EXPORT_PROGRESS_EVERY = 2000


def register(app: Listeners, deps: SlackDeps) -> None:
    for action_id in (ids.PAGE_NEXT, ids.PAGE_PREV, ids.PAGE_FIRST):

        @app.action(action_id)
        def page(ack: Ack, context: BoltContext, respond: Respond, client: WebClient) -> None:
            ack()
            click = payload_of(context, Click)
            with answering(respond, "paging"):
                show_page(deps, client, respond, click.who, click.action.value)

    @app.action(ids.SEARCH_NARROW_PATTERN)
    def narrow(ack: Ack, context: BoltContext, respond: Respond, client: WebClient) -> None:
        ack()
        click = payload_of(context, Click)
        with answering(respond, "narrowing"):
            show_page(deps, client, respond, click.who, click.action.value, narrowed=True)

    @app.action(ids.EVENT_DETAILS)
    def details(ack: Ack, context: BoltContext, respond: Respond, client: WebClient) -> None:
        ack()
        click = payload_of(context, Click)
        with answering(respond, "details"):
            open_event(deps, client, click.who, click.trigger_id, click.action.value)

    @app.action(ids.SHARE_PAGE)
    def share(ack: Ack, context: BoltContext, respond: Respond, client: WebClient) -> None:
        ack()
        click = payload_of(context, Click)
        with answering(respond, "share"):
            share_page(deps, client, respond, click)

    @app.action(ids.EXPORT_CSV)
    def export(ack: Ack, context: BoltContext, respond: Respond, client: WebClient) -> None:
        ack()
        click = payload_of(context, Click)
        with answering(respond, "export"):
            export_csv(deps, client, respond, click)

    @app.action(ids.HOME_QUICK_QUERY_PATTERN)
    def quick_query(ack: Ack, context: BoltContext, client: WebClient) -> None:
        ack()
        click = payload_of(context, Click)
        user_id = click.who.user_id
        try:
            page = search_for(deps, client, user_id, click.action.value)
            record(deps, client, click.who, "query", query=page.query, detail="App Home quick query")
            message = render_results(page)
        except AuditbotError as exc:
            message = render_error(exc)
        client.chat_postMessage(channel=user_id, **message.as_kwargs())
        publish_home(deps, client, user_id, click.who.team_id, sent=click.action.value)

    @app.action(ids.OPEN_SEARCH_FORM)
    def open_form(ack: Ack, context: BoltContext, client: WebClient) -> None:
        ack()
        click = payload_of(context, Click)
        tz = deps.zones.zone(client, click.who.user_id)
        open_view_or_log(client, click.trigger_id, render_search_form(tz=tz))

    @app.action(ids.CATALOG_SEARCH)
    def catalog_search(ack: Ack, context: BoltContext, respond: Respond, client: WebClient) -> None:
        ack()
        click = payload_of(context, Click)
        with answering(respond, "action list search"):
            query = catalog_query(click.action.value)
            show_results(deps, client, respond, click.who, query, intro="From the action list")

    @app.action(ids.HANDOFF_DRILL)
    def handoff_drill(ack: Ack, context: BoltContext, respond: Respond, client: WebClient) -> None:
        ack()
        click = payload_of(context, Click)
        with answering(respond, "handoff search"):
            try:
                query = drill_search(click.action.block_id, click.action.value)
            except ValueError:
                raise AuditbotError("That menu is out of date.", hint="Run /audit handoff again.") from None
            show_results(deps, client, respond, click.who, query, intro="From the handoff digest")

    detail_buttons.register(app, deps)


def share_page(deps: SlackDeps, client: WebClient, respond: Respond, click: Click) -> None:
    """[Share]: the page again, posted in the channel, saying who shared it."""
    if not click.who.channel_id:
        raise AuditbotError("There is no channel to share this in.", hint="Search in the channel, then share.")
    page = deps.search.open_page(click.action.value)
    message = render_results(page, shared_by=click.who.user_id)
    if deps.redact_shared:
        message = redacted(message)
    try:
        client.chat_postMessage(channel=click.who.channel_id, **message.as_kwargs())
    except SlackApiError as exc:
        raise _post_problem(exc) from None
    record(deps, client, click.who, "share", query=page.query, detail=f"page {page.page}")
    send(respond, render_notice("Shared in this channel."))


def export_csv(deps: SlackDeps, client: WebClient, respond: Respond, click: Click) -> None:
    """[Export CSV]: every event of the search, as a file in the person's messages with auditbot."""
    require(deps, client, click.who, Permission.EXPORT, "export")
    send(respond, render_notice("Exporting… the CSV will arrive in your messages with auditbot."))
    progress_notes = iter(range(EXPORT_PROGRESS_EVERY, 10**9, EXPORT_PROGRESS_EVERY))
    next_note = next(progress_notes)

    def progress(count: int) -> None:
        nonlocal next_note
        if count >= next_note:
            next_note = next(progress_notes)
            send(respond, render_notice(f"Still exporting: {count:,} events so far…"))

    result = deps.exporter.export(click.action.value, progress=progress)
    if not result.rows:
        record(deps, client, click.who, "export", query=result.query, detail="nothing to export")
        send(respond, render_notice("Nothing to export: no events match this search now."))
        return
    dm = client.conversations_open(users=click.who.user_id)["channel"]["id"]
    more = " (the first ones only: the export limit was reached)" if result.truncated else ""
    client.files_upload_v2(
        channel=dm,
        content=result.content,
        filename=result.filename(),
        title=f"Audit log: {result.query or 'everything'}"[:250],
        initial_comment=f"{result.rows:,} events{more}.",
    )
    record(deps, client, click.who, "export", query=result.query, detail=f"{result.rows} events{more}")
    send(respond, render_notice(f"Exported {result.rows:,} events{more}; the CSV is in your messages."))


def _post_problem(exc: SlackApiError) -> AuditbotError:
    error = slack_error_code(exc)
    if error in {"not_in_channel", "channel_not_found"}:
        return AuditbotError(
            "auditbot is not in this channel, so it cannot post here.",
            hint="Invite it with /invite @auditbot, then share again.",
        )
    return AuditbotError(f"Slack would not take the message ({error or 'unknown error'}).")
