"""The Atlassian Organizations (Admin) API: an httpx client, its wire models and its rate budget."""

from auditbot.atlassian.budget import RequestBudget
from auditbot.atlassian.client import DEFAULT_BASE_URL, AdminApiClient, ClientStats, RetryPolicy

__all__ = ["DEFAULT_BASE_URL", "AdminApiClient", "ClientStats", "RequestBudget", "RetryPolicy"]
