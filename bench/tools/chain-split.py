#!/usr/bin/env python3
"""chain-split.py: how the connect chain's time splits between its programs, from perf samples.

Tail-called programs have no bpf_stats of their own (only the cgroup's entry program has), so
chain-cost.sh's PROFILE=1 records kmb-connect with `perf record -g` and this reads the stacks:
a sample whose callchain holds a JIT-ed BPF program (bpf_prog_<tag>_<name>) counts for the
innermost such program, helpers and map lookups it called included (a tail call replaces the
caller's frame, so each sample has one chain program). The sockops chain runs in connect() too
(TCP_CONNECT_CB, and on loopback the SYN-ACK's ESTABLISHED and the close), so its programs show
up as well: each program's share is taken within its own chain (connect4 or sockops).
  chain-split.py PERF_DATA...
prints per program: "program chain samples share leaf:share,..." (leaf = the function the
samples were in: the program itself, a helper, a map lookup), summed over the files.
"""
import collections
import re
import subprocess
import sys

PROG = re.compile(r"bpf_prog_[0-9a-f]{16}_(\S+)")
FRAME = re.compile(r"^\s*[0-9a-f]+\s+(\S+)")


def chain_of(prog):
    return "sockops" if prog.endswith("sockops") else "connect"


def samples(path):
    out = subprocess.run(["perf", "script", "-i", path, "-F", "ip,sym"], capture_output=True, text=True).stdout
    for block in out.split("\n\n"):
        leaf = None
        # Innermost frame first: the first BPF program found is the one that was running.
        for line in block.splitlines():
            m = FRAME.match(line)
            if m and leaf is None:
                leaf = m.group(1)
            p = PROG.search(line)
            if p:
                yield p.group(1), ("(self)" if PROG.search(leaf or "") else re.sub(r"\+0x.*", "", leaf or "?"))
                break


counts = collections.Counter()
leaves = collections.defaultdict(collections.Counter)
for path in sys.argv[1:]:
    for prog, leaf in samples(path):
        counts[prog] += 1
        leaves[prog][leaf] += 1
totals = collections.Counter()
for prog, n in counts.items():
    totals[chain_of(prog)] += n
for prog, n in counts.most_common():
    top = ",".join(f"{leaf}:{c / n:.2f}" for leaf, c in leaves[prog].most_common(4))
    print(f"{prog} {chain_of(prog)} {n} {n / totals[chain_of(prog)]:.4f} {top}")
