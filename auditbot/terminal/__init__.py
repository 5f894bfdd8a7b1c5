"""The terminal edge: ``auditbot`` subcommands that print results for people and scripts."""
