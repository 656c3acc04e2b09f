"""`make bench`: query counts, server times and export cost on a large demo company.

Run as `python -m bench` (see `python -m bench --help`). It uses its own PostgreSQL database
(`ebok_bench` next to DATABASE_URL's, or BENCH_DATABASE_URL) and leaves the figures in
bench/results.json and bench/results.md (git-ignored).
"""
