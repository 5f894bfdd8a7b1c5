"""The Slack edge: the Bolt app, its listeners, Block Kit renderers and the notifier."""
