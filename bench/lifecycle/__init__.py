"""The lifecycle benchmark's parts; `bench/lifecycle_bench.py` is its command line."""
