from auditbot.cli import main

raise SystemExit(main())
