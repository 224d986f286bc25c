"""How long a full-year package with all seven reports takes to build, and how much memory the
ledger keeps.

Each build runs in a fresh Python process (as a build pool worker starts: imports, fonts, and the
ledger walked from the opening of its decade), then again in the same process (the ledger's
months cached). Memory: the ledger's caches filled past their bounds (many businesses, every
month of a decade), measured with tracemalloc.

    .venv/bin/python benchmarks/package_build.py [--repeat 3] [--businesses 30]
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time

CHILD = """
import json, sys, time
started = time.perf_counter()
from datetime import UTC, date, datetime
from mock_server.reports.archive import ArchiveSpec, build_archive
imported = time.perf_counter()
ALL = ("pl", "balance_sheet", "cash_flow", "ar_aging", "ap_aging", "budget_vs_actual", "bank_reconciliation")
fmt, business = sys.argv[1], sys.argv[2]
def spec():
    return ArchiveSpec(7, business, "Acme Demo Co", date(2026, 1, 1), date(2026, 12, 31), fmt, ALL,
                       datetime(2027, 1, 2, 9, 30, tzinfo=UTC))
first = time.perf_counter()
size = len(build_archive(spec()))
cold = time.perf_counter() - first
again = time.perf_counter()
build_archive(spec())
warm = time.perf_counter() - again
print(json.dumps({"import": imported - started, "cold": cold, "warm": warm, "size": size}))
"""

MEMORY = """
import json, sys, tracemalloc
from datetime import date
tracemalloc.start()
from mock_server.reports import books
base = tracemalloc.get_traced_memory()[0]
businesses = int(sys.argv[1])
for number in range(businesses):
    book = books.books_for(7, f"business-{number}", date(2026, 1, 1))
    for index in range(120):  # every month of the decade, each kept as asked
        book.month(index)
current, peak = tracemalloc.get_traced_memory()
months_kept, states_kept = books.cache_sizes()
print(json.dumps({"months_kept": months_kept, "states_kept": states_kept, "months_generated": businesses * 123,
                  "mib": (current - base) / 2**20, "peak_mib": (peak - base) / 2**20}))
"""


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3, help="fresh processes per format (1-10)")
    parser.add_argument("--businesses", type=int, default=30, help="businesses for the memory figure (1-200)")
    args = parser.parse_args()
    if not 1 <= args.repeat <= 10 or not 1 <= args.businesses <= 200:
        parser.error("--repeat must be 1-10 and --businesses 1-200")
    print(f"{time.strftime('%Y-%m-%d')}: full-year 2026 package, seven reports, {args.repeat} fresh processes each")
    for fmt in ("pdf", "xlsx"):
        runs = []
        for attempt in range(args.repeat):
            out = subprocess.run(
                [sys.executable, "-c", CHILD, fmt, f"bench-{attempt}"], capture_output=True, text=True, timeout=120
            )
            if out.returncode != 0:
                print(out.stderr, file=sys.stderr)
                return 1
            runs.append(json.loads(out.stdout))
        cold = [r["cold"] for r in runs]
        warm = [r["warm"] for r in runs]
        print(
            f"  {fmt}: build in a fresh process median {statistics.median(cold):.2f} s (max {max(cold):.2f}),"
            f" again in the same process {statistics.median(warm):.2f} s; imports {runs[0]['import']:.2f} s;"
            f" zip {runs[0]['size']:,} bytes"
        )
    out = subprocess.run(
        [sys.executable, "-c", MEMORY, str(args.businesses)], capture_output=True, text=True, timeout=300
    )
    if out.returncode != 0:
        print(out.stderr, file=sys.stderr)
        return 1
    memory = json.loads(out.stdout)
    print(
        f"  ledger memory: {memory['months_generated']} months generated for {args.businesses} businesses,"
        f" {memory['months_kept']} months and {memory['states_kept']} month-end states kept:"
        f" {memory['mib']:.1f} MiB held (peak {memory['peak_mib']:.1f} MiB)"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
