"""auditbot: your Atlassian organization's audit log, from Slack."""

__version__ = "0.1.0"
