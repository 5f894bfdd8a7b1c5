"""Alert delivery: the worker (``worker``), what it works with (``ports``) and the metadata its
messages carry (``metadata``)."""

from auditbot.services.delivery.metadata import ALERT_EVENT_TYPE, NOTICE_EVENT_TYPE, read_metadata
from auditbot.services.delivery.ports import (
    AlertItem,
    AlertRenderer,
    ChannelRefused,
    DeliveryProblem,
    InDoubt,
    JoinRefused,
    LeaseBook,
    OutgoingMessage,
    PostedMessage,
    PostRejected,
    RateLimited,
    SlackDelivery,
    StoredEvents,
)
from auditbot.services.delivery.worker import Delivery, DeliveryReport, DeliverySettings, LeaseLost

__all__ = [
    "ALERT_EVENT_TYPE",
    "NOTICE_EVENT_TYPE",
    "AlertItem",
    "AlertRenderer",
    "ChannelRefused",
    "Delivery",
    "DeliveryProblem",
    "DeliveryReport",
    "DeliverySettings",
    "InDoubt",
    "JoinRefused",
    "LeaseBook",
    "LeaseLost",
    "OutgoingMessage",
    "PostRejected",
    "PostedMessage",
    "RateLimited",
    "SlackDelivery",
    "StoredEvents",
    "read_metadata",
]
