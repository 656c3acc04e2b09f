"""One export measurement in a fresh process, so its peak memory is its own.

    python -m bench.export_probe ours|bare|trace --company <id>

ours:  the real large-export path: an ExportJob run by `ebok.services.export_job_run` (count,
       rows from the invoice list selector, typed and styled cells, progress updates, the file
       saved to storage). Timed end to end, database reads included.
bare:  the same rows (computed beforehand, not timed) written with bare openpyxl write-only:
       `ws.append(row)` for every row and `wb.save()`, no styles. The reference of the ratio.
trace: `ours` under tracemalloc, for the peak of Python allocations (slower; not timed).
Prints one JSON line.
"""

from __future__ import annotations

import json
import os
import resource
import sys
import tempfile
import time
from pathlib import Path


def _maxrss_mb() -> float:
    """This process's peak resident set size, in MB.

    Linux's VmHWM belongs to the process image and starts afresh at exec; getrusage's
    ru_maxrss survives exec and would report the parent's size at fork (the bench runner,
    which may hold the 100 000 invoices it just created), so it is only the fallback.
    """
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024  # kB
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kB on Linux


def main(mode: str, company_id: int) -> dict:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
    import django

    django.setup()

    from accounts.models import Company
    from bench.data import bench_user
    from ebok.models import ExportJob
    from ebok.services import export_job_run
    from invoices.exports import INVOICES

    company = Company.objects.get(pk=company_id)
    user = bench_user(company)
    baseline = _maxrss_mb()

    if mode == "bare":
        from openpyxl import Workbook

        rows = list(INVOICES.rows(user, {}))
        started = time.perf_counter()
        workbook = Workbook(write_only=True)
        sheet = workbook.create_sheet("Faktury")
        for row in rows:
            sheet.append(row)
        with tempfile.TemporaryFile() as handle:
            workbook.save(handle)
        seconds = time.perf_counter() - started
        return {"mode": mode, "rows": len(rows), "seconds": seconds, "maxrss_mb": _maxrss_mb()}

    if mode == "trace":
        import tracemalloc

        tracemalloc.start()
    job = ExportJob.objects.create(owner=user, company=company, kind=INVOICES.key, params={})
    started = time.perf_counter()
    job = export_job_run(job_id=str(job.pk))
    seconds = time.perf_counter() - started
    result = {
        "mode": mode,
        "rows": job.rows_done,
        "status": job.status,
        "error": job.error,
        "seconds": seconds,
        "maxrss_mb": _maxrss_mb(),
        "baseline_maxrss_mb": baseline,
        "file_mb": job.file.size / 2**20 if job.file else 0,
    }
    if mode == "trace":
        result["tracemalloc_peak_mb"] = tracemalloc.get_traced_memory()[1] / 2**20
        tracemalloc.stop()
    if job.file:
        job.file.delete(save=False)
    job.delete()
    return result


if __name__ == "__main__":
    print(json.dumps(main(sys.argv[1], int(sys.argv[sys.argv.index("--company") + 1]))))
