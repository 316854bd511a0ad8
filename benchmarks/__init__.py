"""The benchmarks behind BENCHMARKS.md: each measures ours against an anchor in one run."""
