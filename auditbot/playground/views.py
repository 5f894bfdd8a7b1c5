"""Modals and App Home tabs: trigger ids, the modal stack per person, updates guarded by ``hash``.

A trigger id is good once, for 3 seconds on the workspace clock (``expired_trigger_id``,
``exchanged_trigger_id``, ``invalid_trigger_id``). ``views.open`` starts a person's modal stack,
``views.push`` adds to it (3 deep at most), ``views.update`` replaces a view by id or
external id when the given hash is the current one (``hash_conflict`` otherwise), and
``views.publish`` sets a person's Home tab, which keeps its id across publishes.
"""

from __future__ import annotations

import copy
import dataclasses
import threading
from typing import Any

from auditbot.core.clock import Clock
from auditbot.playground.blocks import check_view
from auditbot.playground.eventlog import EventLog
from auditbot.playground.ids import Ids
from auditbot.playground.model import JsonDict, SlackError, Team, View
from auditbot.playground.shapes import view_json

TRIGGER_TTL_S = 3.0
MODAL_STACK_MAX = 3


@dataclasses.dataclass
class _Trigger:
    user: str
    issued: float
    used: bool = False


class Views:
    def __init__(self, team: Team, ids: Ids, log: EventLog, lock: threading.RLock, clock: Clock) -> None:
        self._team = team
        self._ids = ids
        self._log = log
        self._lock = lock
        self._clock = clock
        self._triggers: dict[str, _Trigger] = {}
        self._views: dict[str, View] = {}
        self._stacks: dict[str, list[str]] = {}
        self._homes: dict[str, str] = {}

    def new_trigger_id(self, user: str) -> str:
        trigger_id = self._ids.trigger_id()
        with self._lock:
            self._triggers[trigger_id] = _Trigger(user, self._clock.monotonic())
        return trigger_id

    def open(self, trigger_id: str, view: Any) -> View:
        with self._lock:
            checked = check_view(view, kinds=("modal",))
            user = self._use_trigger(trigger_id)
            for old in self.stack(user):
                self._close(old)
            opened = self._create(user, checked)
            self._stacks[user] = [opened.id]
            self._log.add("view_opened", view_json(opened, self._team), user=user)
            return opened

    def push(self, trigger_id: str, view: Any) -> View:
        with self._lock:
            checked = check_view(view, kinds=("modal",))
            user = self._use_trigger(trigger_id)
            stack = self._stacks.get(user, [])
            if not stack:
                raise SlackError("not_found", "[ERROR] no modal is open to push onto")
            if len(stack) >= MODAL_STACK_MAX:
                raise SlackError("push_limit_reached")
            pushed = self._create(user, checked, root=stack[0], previous=stack[-1])
            stack.append(pushed.id)
            self._log.add("view_pushed", view_json(pushed, self._team), user=user)
            return pushed

    def update(self, view: Any, *, view_id: str = "", external_id: str = "", hash: str = "") -> View:
        with self._lock:
            current = self._find(view_id, external_id)
            checked = check_view(view, kinds=(current.type,))
            if hash and hash != current.hash:
                raise SlackError("hash_conflict")
            updated = self._replace(current, checked)
            self._log.add("view_updated", view_json(updated, self._team), user=updated.user)
            return updated

    def publish(self, user: str, view: Any, *, hash: str = "") -> View:
        with self._lock:
            checked = check_view(view, kinds=("home",))
            home_id = self._homes.get(user)
            if home_id is None:
                published = self._create(user, checked)
                self._homes[user] = published.id
            else:
                current = self._views[home_id]
                if hash and hash != current.hash:
                    raise SlackError("hash_conflict")
                published = self._replace(current, checked)
            self._log.add("home_published", view_json(published, self._team), user=user)
            return published

    def close(self, view_id: str) -> list[View]:
        """Close a modal and every modal pushed above it (the person pressed Close, or the app cleared it)."""
        with self._lock:
            view = self.get(view_id)
            stack = self._stacks.get(view.user, [])
            if view_id not in stack:
                return []
            above = stack[stack.index(view_id) :]
            del stack[stack.index(view_id) :]
            return [self._close(self._views[closing]) for closing in reversed(above)]

    def set_state(self, view_id: str, values: JsonDict) -> View:
        """Record what the person typed or picked (``state.values``), as the client would."""
        with self._lock:
            view = dataclasses.replace(self.get(view_id), state=copy.deepcopy(values))
            self._views[view_id] = view
            return view

    def get(self, view_id: str) -> View:
        with self._lock:
            found = self._views.get(view_id)
        if found is None:
            raise SlackError("not_found")
        return found

    def for_user(self, user: str) -> list[View]:
        """Every view the person has had, open or closed, oldest first, each in its latest version."""
        with self._lock:
            return [view for view in self._views.values() if view.user == user]

    def stack(self, user: str) -> list[View]:
        """The person's open modals, bottom first."""
        with self._lock:
            return [self._views[view_id] for view_id in self._stacks.get(user, [])]

    def home(self, user: str) -> View | None:
        with self._lock:
            home_id = self._homes.get(user)
            return self._views[home_id] if home_id else None

    def _use_trigger(self, trigger_id: str) -> str:
        trigger = self._triggers.get(trigger_id)
        if trigger is None:
            raise SlackError("invalid_trigger_id")
        if trigger.used:
            raise SlackError("exchanged_trigger_id")
        if self._clock.monotonic() - trigger.issued > TRIGGER_TTL_S:
            raise SlackError("expired_trigger_id")
        trigger.used = True
        return trigger.user

    def _find(self, view_id: str, external_id: str) -> View:
        if not view_id and not external_id:
            raise SlackError("invalid_arguments", "[ERROR] view_id or external_id is required")
        for view in self._views.values():
            matches = view.id == view_id if view_id else view.external_id == external_id
            if matches and not view.closed:
                return view
        raise SlackError("not_found")

    def _create(self, user: str, view: JsonDict, *, root: str = "", previous: str = "") -> View:
        external_id = str(view.get("external_id") or "")
        if external_id and any(v.external_id == external_id and not v.closed for v in self._views.values()):
            raise SlackError("duplicate_external_id")
        kind = str(view["type"])
        created = View(
            id=self._ids.new("V"),
            type=kind,
            user=user,
            view=copy.deepcopy(view),
            hash=self._ids.view_hash(),
            root_view_id=root,
            previous_view_id=previous,
            external_id=external_id,
        )
        self._views[created.id] = created
        return created

    def _replace(self, current: View, view: JsonDict) -> View:
        replaced = dataclasses.replace(
            current,
            view=copy.deepcopy(view),
            hash=self._ids.view_hash(),
            external_id=str(view.get("external_id") or current.external_id),
        )
        self._views[current.id] = replaced
        return replaced

    def _close(self, view: View) -> View:
        closed = dataclasses.replace(view, closed=True)
        self._views[view.id] = closed
        self._log.add("view_closed", {"view_id": view.id}, user=view.user)
        return closed
