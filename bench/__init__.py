"""auditbot's benchmarks: ``python -m bench`` runs them all, ``python -m bench.bench_<name>`` one."""
