#!/usr/bin/env python3
"""chain-split.py: how the connect chain's time splits between its programs, from perf samples.

Tail-called programs have no bpf_stats of their own (only the cgroup's entry program has), so
chain-cost.sh's PROFILE=1 records kmb-connect with `perf record -g` and this reads the stacks:
a sample whose callchain holds a JIT-ed BPF program (bpf_prog_<tag>_<name>) counts for the
innermost such program, helpers and map lookups it called included (a tail call replaces the
caller's frame, so each sample has one chain program). The split is the share of those samples.
  chain-split.py PERF_DATA...   prints "program samples share" per program, summed over the files
"""
import collections
import re
import subprocess
import sys

PROG = re.compile(r"bpf_prog_[0-9a-f]{16}_(\S+)")


def samples(path):
    out = subprocess.run(["perf", "script", "-i", path, "-F", "ip,sym"], capture_output=True, text=True).stdout
    for block in out.split("\n\n"):
        # Innermost frame first: the first BPF program found is the one that was running.
        for line in block.splitlines():
            m = PROG.search(line)
            if m:
                yield m.group(1)
                break


counts = collections.Counter()
for path in sys.argv[1:]:
    counts.update(samples(path))
total = sum(counts.values())
for prog, n in counts.most_common():
    print(f"{prog} {n} {n / total:.4f}")
