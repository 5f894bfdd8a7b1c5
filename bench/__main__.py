"""``python -m bench``: every benchmark, one markdown table (see ``bench.suite``)."""

from bench.suite import main

raise SystemExit(main())
