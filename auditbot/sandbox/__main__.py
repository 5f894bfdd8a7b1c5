"""``python -m auditbot.sandbox``: the same as ``auditbot sandbox``."""

from auditbot.sandbox.cli import main

raise SystemExit(main())
