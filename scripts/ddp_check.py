#!/usr/bin/env python
"""Data parallel on this CPU: a 2-process run (gloo) follows the loss curve of a 1-process run with the same global batch.

Both runs use the `albert_nb_pretrain` command on the same data and settings; the 2-process one is started with
`accelerate launch --multi_gpu --num_processes 2` (accelerate's multi-process launcher, which on a machine
without GPUs starts CPU processes; `--cpu` would force one process), or `torchrun --nproc_per_node 2` (`--launcher torchrun`). Each process
takes half of every global batch, and the loop gives each half its exact share of the batch's loss, so the two runs
compute the same gradients up to the order of float additions. Prints one JSON line: the per-step losses of both runs,
the largest difference between them, and the largest difference between their final weights.

    python scripts/ddp_check.py --data DIR --work DIR [--steps 60] [--batch_size 4] [--launcher accelerate|torchrun]
"""
import argparse, json, os, shutil, subprocess, sys, time
from pathlib import Path

import pandas as pd
import torch
from safetensors.torch import load_file

BIN = Path(sys.executable).parent

def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--data', required=True, help='a data directory written by albert_nb_data')
    ap.add_argument('--work', required=True, help='where the two runs go (replaced)')
    ap.add_argument('--config', default='toy')
    ap.add_argument('--steps', type=int, default=60)
    ap.add_argument('--batch_size', type=int, default=4, help='global batch, the same for both runs')
    ap.add_argument('--launcher', default='accelerate', choices=['accelerate', 'torchrun'])
    a = ap.parse_args()
    work = Path(a.work); shutil.rmtree(work, ignore_errors=True); work.mkdir(parents=True)
    script = str(BIN/'albert_nb_pretrain')
    common = ['--data', a.data, '--config', a.config, '--steps', str(a.steps), '--batch_size', str(a.batch_size),
              '--optimizer', 'adamw', '--lr', '1e-3', '--warmup', '0', '--log_every', '1', '--eval_every', '0',
              '--save_every', str(a.steps), '--threads', '1', '--no_progress']
    # accelerate's multi-process launcher is `--multi_gpu` even on a CPU-only machine (`--cpu` would force a single process);
    # the loop's Accelerator(cpu=True) then joins the processes with gloo
    launch = ([str(BIN/'accelerate'), 'launch', '--multi_gpu', '--num_processes', '2', '--num_machines', '1', '--mixed_precision', 'no',
               '--dynamo_backend', 'no', script] if a.launcher == 'accelerate' else
              [str(BIN/'torchrun'), '--standalone', '--nproc_per_node', '2', script])
    env = dict(os.environ, OMP_NUM_THREADS='1', PATH=f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}")
    seconds = {}
    for name, cmd in (('one', [script]), ('two', launch)):
        t = time.time()
        r = subprocess.run(cmd + common + ['--out', str(work/name)], capture_output=True, text=True, env=env)
        seconds[name] = round(time.time() - t, 1)
        if r.returncode: sys.exit(f"{name}-process run failed:\n{r.stdout[-3000:]}\n{r.stderr[-3000:]}")
    logs = {n: pd.read_csv(work/n/'log.csv').query("split == 'train'").set_index('step') for n in ('one', 'two')}
    loss = pd.DataFrame({'one_process': logs['one'].loss, 'two_processes': logs['two'].loss})
    loss.to_csv(work/'curves.csv')
    processes = {n: json.loads((work/n/'albert_nb_pretrain.json').read_text())['result']['processes'] for n in ('one', 'two')}
    w1, w2 = load_file(work/'one'/'model.safetensors'), load_file(work/'two'/'model.safetensors')
    print(json.dumps(dict(steps=a.steps, batch_size=a.batch_size, launcher=a.launcher, processes=processes, seconds=seconds,
                          max_loss_diff=float((loss.one_process - loss.two_processes).abs().max()),
                          max_weight_diff=max(float((w1[k] - w2[k]).abs().max()) for k in w1),
                          first_loss=float(loss.one_process.iloc[0]), last_loss=float(loss.one_process.iloc[-1]),
                          curves=str(work/'curves.csv'))))

if __name__ == '__main__': main()
