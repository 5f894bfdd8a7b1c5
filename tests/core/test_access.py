"""The access policy, rule by rule, and the masking of shared messages."""

from __future__ import annotations

import pytest

from auditbot.core.access import (
    DENIED_MESSAGE,
    AccessPolicy,
    Decision,
    Permission,
    Place,
    PlaceKind,
    redact_for_sharing,
)

ADMIN, VIEWER, OTHER = "U0ADMIN01", "U0VIEWER1", "U0OTHER01"
SEC_GROUP, OTHER_GROUP = "S0SECTEAM", "S0ENGTEAM"
ALLOWED, UNLISTED, PRIVATE, SHARED, DM = "C0ALLOWED", "C0UNLISTD", "G0PRIVATE", "C0SHARED1", "D0DIRECT1"

PUBLIC_OK = Place(ALLOWED, PlaceKind.PUBLIC)
PUBLIC_OFF = Place(UNLISTED, PlaceKind.PUBLIC)
PRIVATE_OK = Place(PRIVATE, PlaceKind.PRIVATE)
SHARED_LISTED = Place(SHARED, PlaceKind.SHARED)
A_DM = Place(DM, PlaceKind.DM)
NOWHERE = Place.nowhere()
UNKNOWN = Place(ALLOWED, PlaceKind.UNKNOWN)

S, SH, E, A = Permission.SEARCH, Permission.SHARE, Permission.EXPORT, Permission.ADMIN

BASE = AccessPolicy(viewers=(VIEWER, SEC_GROUP), admins=(ADMIN,), channels=(ALLOWED, PRIVATE, SHARED))


def policy(**changes: object) -> AccessPolicy:
    fields = {
        "viewers": BASE.viewers,
        "admins": BASE.admins,
        "channels": BASE.channels,
        "allow_dms": BASE.allow_dms,
        "allow_shared_channels": BASE.allow_shared_channels,
        "open": BASE.open,
    }
    fields.update(changes)
    return AccessPolicy(**fields)  # type: ignore[arg-type]


CASES = [
    # (id, policy, user, groups, place, permission, allowed, reason contains)
    ("open-allows-anyone-anywhere", policy(open=True, viewers=()), OTHER, (), SHARED_LISTED, A, True, "open"),
    ("empty-policy-denies", AccessPolicy(), VIEWER, (), PUBLIC_OK, S, False, "not a viewer"),
    ("empty-policy-denies-dm", AccessPolicy(), ADMIN, (), A_DM, S, False, "not a viewer"),
    ("viewer-by-id", BASE, VIEWER, (), PUBLIC_OK, S, True, "may search"),
    ("viewer-by-group", BASE, OTHER, (SEC_GROUP,), PUBLIC_OK, S, True, "may search"),
    ("other-group-is-not-a-viewer", BASE, OTHER, (OTHER_GROUP,), PUBLIC_OK, S, False, f"user {OTHER} is not a viewer"),
    ("stranger", BASE, OTHER, (), PUBLIC_OK, S, False, f"user {OTHER} is not a viewer"),
    ("everyone-views", policy(viewers=("*",)), OTHER, (), PUBLIC_OK, S, True, "may search"),
    ("everyone-views-but-not-exports", policy(viewers=("*",)), OTHER, (), PUBLIC_OK, E, False, "not an admin"),
    ("admin-is-a-viewer", BASE, ADMIN, (), PUBLIC_OK, S, True, "may search"),
    ("admin-by-group", policy(admins=(OTHER_GROUP,)), OTHER, (OTHER_GROUP,), PUBLIC_OK, A, True, "may admin"),
    ("everyone-admin", policy(admins=("*",)), OTHER, (), PUBLIC_OK, E, True, "may export"),
    ("admin-exports", BASE, ADMIN, (), PUBLIC_OK, E, True, "may export"),
    ("admin-admins", BASE, ADMIN, (), NOWHERE, A, True, "may admin"),
    ("viewer-cannot-export", BASE, VIEWER, (), PUBLIC_OK, E, False, "not an admin (export needs one)"),
    ("viewer-cannot-admin", BASE, VIEWER, (), PUBLIC_OK, A, False, "not an admin (admin needs one)"),
    ("admin-not-in-unlisted-channel", BASE, ADMIN, (), PUBLIC_OFF, A, False, f"channel {UNLISTED} is not allowed"),
    ("unlisted-channel", BASE, VIEWER, (), PUBLIC_OFF, S, False, f"channel {UNLISTED} is not allowed"),
    ("listed-private", BASE, VIEWER, (), PRIVATE_OK, S, True, "may search"),
    ("every-channel", policy(channels=("*",)), VIEWER, (), PUBLIC_OFF, S, True, "may search"),
    ("no-channels-means-dms-only", policy(channels=()), VIEWER, (), PUBLIC_OK, S, False, "is not allowed"),
    ("no-channels-dm-ok", policy(channels=()), VIEWER, (), A_DM, S, True, "may search"),
    ("dms-on", BASE, VIEWER, (), A_DM, S, True, "may search"),
    ("dms-off", policy(allow_dms=False), VIEWER, (), A_DM, S, False, "direct messages are not allowed"),
    ("dms-off-admin-too", policy(allow_dms=False), ADMIN, (), A_DM, E, False, "direct messages are not allowed"),
    ("nowhere-is-fine", policy(allow_dms=False, channels=()), VIEWER, (), NOWHERE, S, True, "may search"),
    ("shared-off-even-listed", BASE, VIEWER, (), SHARED_LISTED, S, False, "even though it is listed"),
    ("shared-off-star", policy(channels=("*",)), ADMIN, (), SHARED_LISTED, S, False, "shared with another org"),
    ("shared-on-listed", policy(allow_shared_channels=True), VIEWER, (), SHARED_LISTED, S, True, "may search"),
    (
        "shared-on-unlisted",
        policy(allow_shared_channels=True, channels=(ALLOWED,)),
        VIEWER,
        (),
        SHARED_LISTED,
        S,
        False,
        f"channel {SHARED} is not allowed",
    ),
    ("unknown-kind-fails-closed", policy(channels=("*",)), ADMIN, (), UNKNOWN, S, False, "not known"),
    ("viewer-shares-in-allowed", BASE, VIEWER, (), PUBLIC_OK, SH, True, "may share"),
    ("stranger-cannot-share", BASE, OTHER, (), PUBLIC_OK, SH, False, "not a viewer"),
    ("share-into-unlisted", BASE, VIEWER, (), PUBLIC_OFF, SH, False, "is not allowed"),
    ("share-into-shared", BASE, ADMIN, (), SHARED_LISTED, SH, False, "shared with another org"),
    ("share-into-shared-on", policy(allow_shared_channels=True), VIEWER, (), SHARED_LISTED, SH, True, "may share"),
    ("share-nowhere", BASE, VIEWER, (), NOWHERE, SH, False, "needs a channel"),
    ("share-into-dm", BASE, VIEWER, (), A_DM, SH, True, "may share"),
    ("share-into-dm-off", policy(allow_dms=False), VIEWER, (), A_DM, SH, False, "direct messages"),
]


@pytest.mark.parametrize(
    ("the_policy", "user", "groups", "place", "permission", "allowed", "reason"),
    [case[1:] for case in CASES],
    ids=[case[0] for case in CASES],
)
def test_decide(the_policy, user, groups, place, permission, allowed, reason):
    decision = the_policy.decide(user, groups, place, permission)
    assert decision.allowed is allowed
    assert reason in decision.reason
    assert decision.message == ("" if allowed else DENIED_MESSAGE)


@pytest.mark.parametrize(
    ("place", "target", "allowed", "reason"),
    [
        (NOWHERE, PUBLIC_OK, True, "may share"),
        (NOWHERE, PUBLIC_OFF, False, f"cannot share there: channel {UNLISTED} is not allowed"),
        (PUBLIC_OK, SHARED_LISTED, False, "cannot share there"),
        (PUBLIC_OFF, PUBLIC_OK, False, f"channel {UNLISTED} is not allowed"),
        (PUBLIC_OK, NOWHERE, False, "needs a channel"),
    ],
)
def test_share_checks_the_target_as_well_as_the_place(place, target, allowed, reason):
    decision = BASE.decide(VIEWER, (), place, Permission.SHARE, target=target)
    assert decision.allowed is allowed
    assert reason in decision.reason


def test_denials_all_read_the_same_and_disclose_nothing():
    denials = [c for c in CASES if not c[6]]
    messages = {c[1].decide(c[2], c[3], c[4], c[5]).message for c in denials}
    assert messages == {DENIED_MESSAGE}
    for secret in (UNLISTED, SHARED, OTHER, "viewer", "not an admin", "shared", "channel", "direct"):
        assert secret not in DENIED_MESSAGE


def test_unavailable_denies_and_says_to_try_again():
    decision = Decision.unavailable("lookup failed: timeout")
    assert not decision.allowed
    assert "try again" in decision.message


def test_group_ids_are_the_groups_the_policy_mentions():
    assert BASE.group_ids == {SEC_GROUP}
    assert policy(admins=(OTHER_GROUP, ADMIN)).group_ids == {SEC_GROUP, OTHER_GROUP}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("jane@example.com logged in", "j***@example.com logged in"),
        (
            "<mailto:maya.chen+x@corp.example.co.uk|maya.chen+x@corp.example.co.uk>",
            "<mailto:m***@corp.example.co.uk|m***@corp.example.co.uk>",
        ),
        ("from 203.0.113.7.", "from 203.0.113.x."),
        ("(10.0.0.255)", "(10.0.0.x)"),
        ("v6 2001:db8:85a3::8a2e:370:7334 seen", "v6 2001:db8:85a3::x seen"),
        ("loopback ::1 and fe80::1%eth0", "loopback ::x and fe80::x"),
        ("mapped ::ffff:198.51.100.2", "mapped ::x"),
        ("at 12:00:00 on 2026-11-24 23:00", "at 12:00:00 on 2026-11-24 23:00"),
        ("version 1.2.3.4.5 and 999.1.1.1", "version 1.2.3.4.5 and 999.1.1.1"),
        ("event 25e4c3e7-7f0d-4b84-8028-330fed144a51", "event 25e4c3e7-7f0d-4b84-8028-330fed144a51"),
        ("no data here", "no data here"),
    ],
)
def test_redact_for_sharing(text, expected):
    assert redact_for_sharing(text) == expected


def test_redaction_is_idempotent():
    once = redact_for_sharing("a@b.io 192.0.2.1 2001:db8::1")
    assert redact_for_sharing(once) == once
