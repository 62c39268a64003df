#!/usr/bin/env python
"""Forward + backward of one pre-training step, side by side in one process: our `AlbertPretrainingModel`
(MLM head only at the masked positions, as Google's code) against `transformers.AlbertForPreTraining`
(MLM head at every position, dense labels), on the same weights and the same batches.

    python benchmarks/bench_mlm_head.py            # tiny at 128 and 512 tokens, base at 128
    python benchmarks/bench_mlm_head.py --quick    # tiny at 128 only
    python benchmarks/bench_mlm_head.py --device cuda

The two models take turns, round after round; we report the median over rounds, and the size of the MLM
logits each one builds (the gradient of the logits is as large again).
"""
import argparse, os, statistics, time

import torch
from transformers import AlbertForPreTraining

from albert_nb.model import AlbertPretrainingModel, make_config, dummy_pretraining_batch


def step_time(fn, n, device):
    if device.type == 'cuda': torch.cuda.synchronize()
    t = time.perf_counter()
    for _ in range(n): fn()
    if device.type == 'cuda': torch.cuda.synchronize()
    return (time.perf_counter() - t) / n * 1e3


def case(preset, seq_len, batch_size, max_predictions, device, rounds, steps, vocab=30000):
    torch.manual_seed(0)
    ours = AlbertPretrainingModel(make_config(preset, vocab)).to(device).train()
    hf = AlbertForPreTraining(ours.config).to(device).train()
    hf.load_state_dict(ours.state_dict())
    b = dummy_pretraining_batch(ours.config, batch_size=batch_size, seq_len=seq_len, max_predictions=max_predictions, device=device)
    hf_in = {k: b[k] for k in ('input_ids', 'attention_mask', 'token_type_ids', 'labels', 'sentence_order_label')}

    def run_ours():
        ours.zero_grad(set_to_none=True); ours(**b).loss.backward()

    def run_hf():
        hf.zero_grad(set_to_none=True); hf(**hf_in).loss.backward()

    with torch.no_grad():   # same loss, so we time the same computation
        l1, l2 = ours.eval()(**b).loss.item(), hf.eval()(**hf_in).loss.item()
    ours.train(); hf.train()
    for f in (run_ours, run_hf): f()
    t = {'gathered (ours)': [], 'full (transformers)': []}
    for _ in range(rounds):
        t['gathered (ours)'].append(step_time(run_ours, steps, device))
        t['full (transformers)'].append(step_time(run_hf, steps, device))
    a, h = statistics.median(t['gathered (ours)']), statistics.median(t['full (transformers)'])
    logits_ours = batch_size * max_predictions * vocab * 4 / 2**20
    logits_hf = batch_size * seq_len * vocab * 4 / 2**20
    print(f"{preset:5s} B={batch_size:3d} L={seq_len:3d} P={max_predictions:2d} | ours {a:8.1f} ms | transformers {h:8.1f} ms | "
          f"speed-up {h / a:5.2f}x | MLM logits {logits_ours:6.1f} MiB vs {logits_hf:7.1f} MiB | loss {l1:.5f} vs {l2:.5f}", flush=True)
    return a, h


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--device', default='cpu')
    ap.add_argument('--rounds', type=int, default=5)
    ap.add_argument('--steps', type=int, default=2)
    ap.add_argument('--quick', action='store_true', help='only tiny at 128 tokens')
    ap.add_argument('--threads', type=int, default=0, help='CPU threads (0: torch default); 1 is steadier on a shared machine')
    a = ap.parse_args()
    if a.threads: torch.set_num_threads(a.threads)
    device = torch.device(a.device)
    load = os.getloadavg()[0] if hasattr(os, 'getloadavg') else float('nan')
    print(f"torch {torch.__version__}, {torch.get_num_threads()} threads, {device}, load average {load:.2f} at start; "
          f"forward+backward per step, median of {a.rounds} rounds", flush=True)
    cases = [('tiny', 128, 32, 20)] if a.quick else [('tiny', 128, 32, 20), ('tiny', 512, 8, 20), ('base', 128, 8, 20)]
    for preset, L, B, P in cases: case(preset, L, B, P, device, a.rounds, a.steps)
    if hasattr(os, 'getloadavg'): print(f"load average {os.getloadavg()[0]:.2f} at end (above ~1 the machine was shared: figures are noisy)")


if __name__ == '__main__': main()
