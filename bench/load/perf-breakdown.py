#!/usr/bin/env python3
"""Where a request's processor time goes, from `perf script` output of one process under a steady load.

    perf-breakdown.py PERF_SCRIPT_TEXT REQUESTS SECONDS_PER_SAMPLE [STAGE ...]

Prints microseconds per request: first by the module of the sampled (leaf) frame — the kernel, the runtime
(libcoreclr), each managed assembly — then, for each STAGE (a substring of a frame name), the time of the samples
whose stack holds it (inclusive). The stacks come from `perf record -g` with the runtime's perf map enabled
(DOTNET_PerfMapEnabled=1), which names JIT-compiled frames `[Assembly] Namespace.Type::Method`. Used by profile.sh.
"""
import collections
import re
import sys


def stacks(path):
    """Yields each sample's frames, leaf first."""
    frames = []
    with open(path, errors="replace") as text:
        for line in text:
            if not line.strip():
                if frames:
                    yield frames
                frames = []
            elif line[0] in " \t":
                frames.append(line.strip())
    if frames:
        yield frames


def module(frame):
    managed = re.search(r"\[([A-Za-z][\w.]+)\] ", frame)
    if managed:
        return managed.group(1)
    if "kernel" in frame:
        return "(kernel)"
    native = re.search(r"\(([^()]+)\)$", frame)
    return "(" + native.group(1).rsplit("/", 1)[-1] + ")" if native else "(unknown)"


def main():
    path, requests, per_sample = sys.argv[1], float(sys.argv[2]), float(sys.argv[3])
    stages = sys.argv[4:]
    by_module = collections.Counter()
    by_stage = collections.Counter()
    total = 0
    for frames in stacks(path):
        total += 1
        by_module[module(frames[0])] += 1
        whole = "\n".join(frames)
        for stage in stages:
            if stage in whole:
                by_stage[stage] += 1
    us = lambda n: n * per_sample * 1e6 / requests
    print(f"{us(total):8.1f} µs per request in all ({total} samples)")
    print("\nby module of the sampled frame")
    for name, n in by_module.most_common(16):
        print(f"{us(n):8.1f} µs  {name}")
    if stages:
        print("\nby stage (inclusive)")
        for stage in stages:
            print(f"{us(by_stage[stage]):8.1f} µs  {stage}")


if __name__ == "__main__":
    main()
