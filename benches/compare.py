#!/usr/bin/env python3
"""Compare locklint binaries on one workload in the same run.

    python3 benches/compare.py [--runs N] [--] BINARY... -- ARGS...

Runs each binary with ARGS (e.g. `check target/gen_large.sql --format json`) N times
(default 11), interleaved (A B A B ...) so that machine load affects them alike, output to
/dev/null, and prints per binary the median wall time, the median CPU time (user + sys of the
process and its threads) and the median peak RSS, then each binary's ratio to the first.
"""

import os
import statistics
import subprocess
import sys
import time


def main(argv):
    runs = 11
    if len(argv) >= 2 and argv[0] == "--runs":
        runs = int(argv[1])
        argv = argv[2:]
    if argv and argv[0] == "--":
        argv = argv[1:]
    if "--" not in argv:
        sys.exit(__doc__)
    cut = argv.index("--")
    bins, args = argv[:cut], argv[cut + 1 :]
    if not bins or not args:
        sys.exit(__doc__)
    wall = {b: [] for b in bins}
    cpu = {b: [] for b in bins}
    rss = {b: [] for b in bins}
    for _ in range(runs):
        for b in bins:
            start = time.perf_counter()
            proc = subprocess.Popen(
                [b] + args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
            )
            _, status, usage = os.wait4(proc.pid, 0)
            wall[b].append(time.perf_counter() - start)
            cpu[b].append(usage.ru_utime + usage.ru_stime)
            rss[b].append(usage.ru_maxrss)
            code = os.waitstatus_to_exitcode(status)
            if code not in (0, 1):
                sys.exit(f"{b} exited with {code}")
    first = bins[0]
    base_wall = statistics.median(wall[first])
    base_cpu = statistics.median(cpu[first])
    print(f"{runs} runs each, interleaved; medians")
    print(f"{'binary':<48} {'wall s':>8} {'cpu s':>8} {'RSS MB':>7} {'wall ×':>7} {'cpu ×':>7}")
    for b in bins:
        w, c = statistics.median(wall[b]), statistics.median(cpu[b])
        r = statistics.median(rss[b]) / 1024
        print(f"{b:<48} {w:>8.4f} {c:>8.4f} {r:>7.0f} {w / base_wall:>7.2f} {c / base_cpu:>7.2f}")


if __name__ == "__main__":
    main(sys.argv[1:])
