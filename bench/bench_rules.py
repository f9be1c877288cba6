"""Rules engine benchmark: the whole catalogue over a synthetic register.

Prints, for BENCH_ROWS subjects (default 1,000,000):
  * `shouzhan rules batch` parquet → parquet as a whole process (subprocess wall time, peak RSS);
  * compute only (Polars, in memory, already normalised);
  * the one-case interpreter on a sample, scaled up — the baseline measured in this run;
  * the ratio per row, and the latency of explaining one enterprise.
It also checks the sample's rows are identical in both engines (exact to the fen).
Never a timed test: figures are printed, not asserted.
"""

from __future__ import annotations

import datetime as dt
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
ON = dt.date(2025, 9, 1)
ON_ARG = ON.isoformat()


def _cli_run(inp: Path, out: Path) -> tuple[float, float]:
    """Wall seconds and peak RSS (MiB) of one `shouzhan rules batch` process."""
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    cmd = [
        sys.executable,
        "-m",
        "shouzhan.cli",
        "rules",
        "batch",
        "--input",
        str(inp),
        "--output",
        str(out),
        "--on",
        ON_ARG,
    ]
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    err = proc.stderr.read().decode() if proc.stderr else ""
    if proc.returncode != 0:
        raise SystemExit(f"rules batch failed ({proc.returncode}): {err}")
    return wall, usage.ru_maxrss / 1024  # Linux: KiB


def main() -> None:
    import polars as pl

    from shouzhan.rules import load_catalogue
    from shouzhan.rules.batch import normalize_polars, run_polars
    from shouzhan.rules.interpreter import explain
    from shouzhan.rules.synthetic import register
    from shouzhan.rules.vocabulary import FACTS

    rows = int(os.environ.get("BENCH_ROWS", "1000000"))
    catalogue = load_catalogue(ROOT / "catalogue")
    n_clauses = len(catalogue.clauses)
    print(f"rules: {rows:,} synthetic subjects × {n_clauses} clauses (catalogue/), on {ON_ARG}")

    with tempfile.TemporaryDirectory(prefix="bench-rules-") as tmp:
        inp, out = Path(tmp) / "register.parquet", Path(tmp) / "eligible.parquet"
        t = time.perf_counter()
        raw = register(rows)
        raw.write_parquet(inp)
        print(
            f"  register generated and written in {time.perf_counter() - t:.2f} s ({inp.stat().st_size / 2**20:.0f} MiB parquet)"
        )

        # Whole process, parquet → parquet: best of 3 (the first also warms the page cache).
        runs = [_cli_run(inp, out) for _ in range(3)]
        wall, _rss = min(runs)
        out_rows = pl.read_parquet(out).height
        print(
            f"  shouzhan rules batch (whole process): {wall * 1000:.0f} ms wall, peak RSS {max(r for _, r in runs):.0f} MiB, {out_rows:,} rows out"
        )

        # Compute only: normalised facts in memory → result rows.
        facts = normalize_polars(raw, catalogue)
        compute = []
        for _ in range(5):
            t = time.perf_counter()
            result = run_polars(catalogue, facts, ON)
            compute.append(time.perf_counter() - t)
        t_compute = min(compute)
        print(
            f"  polars compute only: {t_compute * 1000:.0f} ms (best of 5; {t_compute / rows * 1e9:.0f} ns per subject)"
        )

        # Baseline: the interpreter on a sample, scaled up.
        sample_n = min(rows, int(os.environ.get("BENCH_SAMPLE", "3000")))
        sample = facts.head(sample_n)
        records = [
            {k: v for k, v in r.items() if k in FACTS and v is not None} for r in sample.iter_rows(named=True)
        ]
        t = time.perf_counter()
        expected = set()
        for rid, rec in zip(sample.get_column("id").to_list(), records, strict=True):
            for res in explain(catalogue, rec, ON, normalized=True):
                if res.status != "not_eligible":
                    expected.add((rid, res.id, res.status, res.max_amount_fen))
        t_interp = (time.perf_counter() - t) / sample_n
        print(
            f"  interpreter (baseline): {t_interp * 1e6:.0f} µs per subject on {sample_n:,} → "
            f"{t_interp * rows:.1f} s scaled to {rows:,}"
        )
        ratio = t_interp * rows / t_compute
        print(
            f"  polars vs interpreter per row: {ratio:,.0f}x faster (compute only); {t_interp * rows / wall:,.0f}x (whole process)"
        )

        ids = set(sample.get_column("id").to_list())
        got = {r for r in result.filter(pl.col("id").is_in(list(ids))).iter_rows()}
        print(
            f"  exact: polars rows == interpreter rows on the sample: {got == expected} ({len(expected):,} rows)"
        )

        # Explain one enterprise (nested JSON facts, as the API sends them).
        one = {
            "enterprise": {
                "district": "徐汇",
                "sector": "micro_drama",
                "is_startup": True,
                "in_cluster": True,
            },
            "project": {
                "kind": "micro_drama",
                "excellent": True,
                "promotes_city_image": True,
                "national_selection": True,
                "script_copyright_holder": True,
                "rd_investment_yuan": "12345678.90",
            },
        }
        lat = []
        for _ in range(300):
            t = time.perf_counter()
            explain(catalogue, one, ON)
            lat.append(time.perf_counter() - t)
        print(
            f"  explain one enterprise: median {statistics.median(lat) * 1000:.2f} ms, p99 {sorted(lat)[296] * 1000:.2f} ms"
        )
        # Not measured here (OpenFisca is not installed): the figure issue #3 gives for this machine.
        print(
            "  reference (quoted from issue #3, not measured by this bench): OpenFisca, same 17 clauses, "
            "1,000,000 subjects, whole process about 2.8 s"
        )


if __name__ == "__main__":
    main()
