#!/usr/bin/env python
"""Run the notebooks as tests, like `nbdev_test`, and end with one line `N passed, N failed`.

`nbdev_test` only prints `Success.`; CI and people want a count. Each notebook runs in its own
process (a fresh interpreter, as a user's kernel would be) with its folder as working directory,
skipping the cells flagged in settings.ini's `tst_flags` (`notest`, `slow`) unless `--flags` names them.

    python tools/test_nbs.py                      # every notebook in nbs/
    python tools/test_nbs.py nbs/01_vocab.ipynb   # some of them
    python tools/test_nbs.py --flags slow         # the slow cells too
    python tools/test_nbs.py --full_smoke         # full mode end to end at budgets of seconds (ALBERT_NB_MODE=full
                                                  # ALBERT_NB_SMOKE=1, see 00_core), in order, from an empty _runs/full_smoke
"""
import argparse, os, shutil, subprocess, sys, time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RUN_ONE = ("import sys; from pathlib import Path; from nbdev.test import test_nb; from nbdev.config import get_config\n"
           "ok, t = test_nb(Path(sys.argv[1]), skip_flags=get_config().tst_flags.split(), force_flags=sys.argv[2].split(),"
           " basepath=get_config().config_path)\n"
           "sys.exit(0 if ok else 1)")

def run_notebook(nb: Path, flags: str):
    start = time.time()
    # as in an activated environment: the package's console scripts sit next to this interpreter
    env = dict(os.environ, PATH=f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}")
    # CPU seconds too: on a shared machine the wall clock says more about the neighbours than about the notebook
    p = subprocess.Popen([sys.executable, '-c', RUN_ONE, str(nb), flags], cwd=ROOT/'nbs', env=env,
                         stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    out = p.stdout.read(); p.stdout.close()
    _, status, usage = os.wait4(p.pid, 0)      # reaps it, with the CPU time of it and of the programs it ran
    p.returncode = os.waitstatus_to_exitcode(status)
    return nb, p.returncode == 0, time.time() - start, usage.ru_utime + usage.ru_stime, out

def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('notebooks', nargs='*', help='notebooks to test (default: nbs/*.ipynb)')
    ap.add_argument('--flags', default='', help='space-separated test flags to run, e.g. "slow"')
    ap.add_argument('--n_workers', type=int, default=1, help='notebooks run at once (2 cores here: 1 is fastest overall)')
    ap.add_argument('--full_smoke', action='store_true',
                    help="full mode at the smoke setting's budgets, every notebook in order: checks full mode on a CPU in minutes")
    a = ap.parse_args()
    if a.full_smoke:   # the variables reach each notebook's process; each notebook needs the outputs of those before it
        os.environ.update(ALBERT_NB_MODE='full', ALBERT_NB_SMOKE='1'); a.n_workers = 1
        if not a.notebooks: shutil.rmtree(ROOT/'_runs'/'full_smoke', ignore_errors=True)   # all of them: from nothing, as a new user
    nbs = [Path(p).resolve() for p in a.notebooks] or sorted((ROOT/'nbs').glob('[!_.]*.ipynb'))
    passed = failed = 0
    with ThreadPoolExecutor(a.n_workers) as pool:
        for nb, ok, secs, cpu, out in pool.map(lambda nb: run_notebook(nb, a.flags), nbs):
            print(f"{'PASS' if ok else 'FAIL'} {nb.name} ({secs:.0f} s, {cpu:.0f} s of CPU)", flush=True)
            if not ok: print(out[-6000:], flush=True)
            passed += ok; failed += not ok
    print(f"{passed} passed, {failed} failed")
    sys.exit(1 if failed or not passed else 0)

if __name__ == '__main__': main()
