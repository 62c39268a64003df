#!/usr/bin/env python
"""Time one optimizer step, side by side in one process: our `Lamb` against `torch.optim.AdamW(fused=True)`,
`torch.optim.AdamW(foreach=True)` and `torch_optimizer.Lamb`, on the parameters of ALBERT-base and of a
BERT-base-sized model. Goal: our Lamb within 1.5x of fused AdamW.

    python benchmarks/bench_lamb.py                      # both parameter sets, CPU
    python benchmarks/bench_lamb.py --sets albert --rounds 9
    python benchmarks/bench_lamb.py --device cuda

The optimizers take turns, round after round, and we report the median over rounds: on a shared machine the
load changes during a run, and taking turns exposes every optimizer to the same conditions. Gradients are
random and fixed; the learning rate is tiny, so the weights stay sane however many steps run.
"""
import argparse, os, statistics, sys, time

import torch
from transformers import AlbertForPreTraining, BertConfig, BertForPreTraining

from albert_nb.model import make_config
from albert_nb.lamb import Lamb, lamb_param_groups, lamb_cpu_kernel


def make_model(name):
    if name == 'albert': return AlbertForPreTraining(make_config('base', 30000))
    if name == 'bert': return BertForPreTraining(BertConfig(vocab_size=30522))   # BERT-base: 110M parameters
    raise SystemExit(f"unknown parameter set {name!r}: use albert or bert")


def sync(device):
    if device.type == 'cuda': torch.cuda.synchronize()


def time_steps(opt, n, device):
    sync(device); t = time.perf_counter()
    for _ in range(n): opt.step()
    sync(device)
    return (time.perf_counter() - t) / n * 1e3


def bench(name, device, rounds, steps, include_to=True):
    torch.manual_seed(0)
    model = make_model(name).to(device)
    params = list(model.parameters())
    for p in params: p.grad = torch.randn_like(p) * 1e-3
    lr = 1e-6
    opts = {
        'Lamb (ours)': Lamb(lamb_param_groups(model), lr=lr),
        'Lamb fused=True': Lamb(lamb_param_groups(model), lr=lr, fused=True),
        'AdamW fused': torch.optim.AdamW(params, lr=lr, fused=True),
        'AdamW foreach': torch.optim.AdamW(params, lr=lr, foreach=True),
    }
    if include_to:
        try:
            import torch_optimizer
            opts['torch_optimizer.Lamb'] = torch_optimizer.Lamb(params, lr=lr)
        except ImportError:
            print("torch_optimizer not installed: skipped (pip install torch_optimizer)")
    for o in opts.values(): o.step(); o.step()            # create the state and warm up
    times = {k: [] for k in opts}
    for _ in range(rounds):
        for k, o in opts.items():
            times[k].append(time_steps(o, max(1, steps // 4) if k == 'torch_optimizer.Lamb' else steps, device))
    n = sum(p.numel() for p in params)
    ref = statistics.median(times['AdamW fused'])
    print(f"\n{name}: {n / 1e6:.1f}M parameters in {len(params)} tensors, {device}"
          + (f" (Lamb (ours) uses the CPU kernel)" if device.type == 'cpu' and lamb_cpu_kernel() else ''))
    print(f"  {'optimizer':22s} {'ms/step':>9s} {'min':>8s} {'x fused AdamW':>14s}")
    for k, v in times.items():
        med = statistics.median(v)
        print(f"  {k:22s} {med:9.2f} {min(v):8.2f} {med / ref:14.2f}")
    return {k: statistics.median(v) for k, v in times.items()}


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--sets', default='albert,bert', help='comma-separated parameter sets: albert, bert')
    ap.add_argument('--device', default='cpu')
    ap.add_argument('--rounds', type=int, default=7, help='turns each optimizer takes (median reported)')
    ap.add_argument('--steps', type=int, default=10, help='steps per turn (a quarter of that for torch_optimizer)')
    ap.add_argument('--no_torch_optimizer', action='store_true')
    ap.add_argument('--threads', type=int, default=0, help='CPU threads (0: torch default); 1 is steadier on a shared machine')
    a = ap.parse_args()
    if a.threads: torch.set_num_threads(a.threads)
    device = torch.device(a.device)
    load = os.getloadavg()[0] if hasattr(os, 'getloadavg') else float('nan')
    print(f"torch {torch.__version__}, {torch.get_num_threads()} threads, load average {load:.2f} at start")
    for name in a.sets.split(','):
        bench(name.strip(), device, a.rounds, a.steps, include_to=not a.no_torch_optimizer)
    if hasattr(os, 'getloadavg'): print(f"\nload average {os.getloadavg()[0]:.2f} at end (above ~1 the machine was shared: figures are noisy)")


if __name__ == '__main__': main()
