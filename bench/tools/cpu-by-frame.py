#!/usr/bin/env python3
"""Sums a dotnet-trace speedscope file (converted from the default CPU-sampling trace) by frame.

dotnet-trace's thread-time samples end in a pseudo-frame: CPU_TIME when managed code was running,
UNMANAGED_CODE_TIME otherwise (waits included). Only CPU_TIME time is counted, per frame
inclusively (a frame once per stack) and exclusively (the frame under the pseudo-frame).
Usage: cpu-by-frame.py FILE.speedscope.json [FILTER] [N]   (FILTER: a substring of frame names)
"""
import collections
import json
import sys

data = json.load(open(sys.argv[1]))
frames = [f["name"] for f in data["shared"]["frames"]]
inclusive, exclusive, total = collections.Counter(), collections.Counter(), 0.0
for profile in data["profiles"]:
    stack, last = [], None
    for event in profile["events"]:
        at = event["at"]
        if stack and last is not None and frames[stack[-1]] == "CPU_TIME":
            span = at - last
            total += span
            for name in {frames[i] for i in stack}:
                inclusive[name] += span
            if len(stack) > 1:
                exclusive[frames[stack[-2]]] += span
        last = at
        if event["type"] == "O":
            stack.append(event["frame"])
        elif stack:
            stack.pop()
print(f"managed CPU sampled: {total:.0f} ms")
wanted = sys.argv[2] if len(sys.argv) > 2 else ""
limit = int(sys.argv[3]) if len(sys.argv) > 3 else 60
shown = 0
for name, ms in inclusive.most_common():
    if wanted not in name:
        continue
    print(f"{ms:8.0f} {exclusive[name]:7.0f}  {name[:160]}")
    shown += 1
    if shown >= limit:
        break
