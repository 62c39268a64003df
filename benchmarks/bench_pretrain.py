#!/usr/bin/env python
"""Training speed of our pre-training loop against a plain PyTorch loop, side by side in one process.

Ours: `albert_nb.pretrain.pretrain` as a user runs it (AlbertPretrainingModel with the MLM head at the masked
positions only, our fused multi-tensor LAMB, Google's loss, metrics kept on the device and read every `log_every` steps).
Plain: what one writes with transformers alone: `AlbertForPreTraining` (MLM logits at every position, dense labels),
`torch.optim.AdamW`, global-norm clipping, `loss.item()` every step. Both read the same batches (same data, seed and
order), use the same configuration (SDPA attention, fp32) and the same number of threads. The two are measured in
turns (ours, plain, ours, plain, ...) so that a change in machine load hits both; we report the median.

Tokens are the positions processed (batch x max_seq_length). Model FLOPs are counted for Google's algorithm (MLM head
at the masked positions) for both loops, so that MFU compares useful work; the plain loop does more arithmetic than
that. MFU is against the fp32 matmul peak measured here at the start (the best of square matmuls up to 2048).

    python benchmarks/bench_pretrain.py                     # tiny and base, vocabulary 30,000, sequences of 128
    python benchmarks/bench_pretrain.py --presets tiny --steps 8 --repeats 3 --batch tiny=32
"""
import argparse, json, math, os, shutil, statistics, sys, tempfile, time
from pathlib import Path

import torch
from transformers import AlbertForPreTraining

from albert_nb.core import project_root
from albert_nb.vocab import train_vocab
from albert_nb.data import create_pretraining_data, PretrainingDataset, pretraining_loader
from albert_nb.model import make_config
from albert_nb.pretrain import pretrain, read_log

SHARED = project_root().parent/'shared'/'data'/'pretrain_en'

def matmul_peak(sizes=(512, 1024, 2048), reps=5) -> float:
    "Best fp32 matmul rate here, in FLOP/s."
    best = 0.0
    for n in sizes:
        a, b = torch.randn(n, n), torch.randn(n, n)
        a @ b
        t = time.perf_counter()
        for _ in range(reps): a @ b
        best = max(best, 2 * n ** 3 * reps / (time.perf_counter() - t))
    return best

def model_flops_per_step(cfg, B:int, L:int, P:int) -> float:
    "Training FLOPs (forward x 3) of one step of Google's algorithm: encoder, attention, MLM head at P positions, pooler, SOP."
    H, E, I, V, layers = cfg.hidden_size, cfg.embedding_size, cfg.intermediate_size, cfg.vocab_size, cfg.num_hidden_layers
    per_token = 2 * E * H + layers * (2 * 4 * H * H + 2 * 2 * H * I + 2 * 2 * L * H)   # projection, blocks, attention scores
    head = P * (2 * H * E + 2 * E * V) + 2 * H * H + 2 * H * 2                          # MLM at P positions, pooler, SOP
    return 3 * B * (L * per_token + head)

def bench_data(cache:Path) -> Path:
    "English pre-training data (cooking posts, 8k vocabulary, 128 tokens), made once."
    vocab = train_vocab([SHARED/'mams_restaurant_sentences.txt', SHARED/'cooking_stackexchange_posts.txt'], cache/'vocab_en_8k',
                        vocab_size=8000, doc_per_line=True)
    create_pretraining_data(SHARED/'cooking_stackexchange_posts.txt', vocab, cache/'data_128', max_seq_length=128,
                            dupe_factor=1, doc_per_line=True, workers=2)
    return cache/'data_128'

def run_ours(data, preset, B, steps, vocab_size, seed, log_every) -> float:
    "Median tokens/s of our loop over its log windows (the first, which warms up, left out)."
    out = Path(tempfile.mkdtemp(prefix='bench_ours_'))
    try:
        pretrain(data, out/'run', config=preset, steps=steps, batch_size=B, seed=seed, warmup=0, eval_every=0, eval_batches=1,
                 save_every=10 ** 9, log_every=log_every, progress=False, model_overrides={'vocab_size': vocab_size})
        df = read_log(out/'run'); tps = df[df.split == 'train'].tokens_per_s.tolist()[1:]
        return statistics.median(tps)
    finally: shutil.rmtree(out, ignore_errors=True)

def run_plain(data, preset, B, steps, vocab_size, seed, log_every) -> float:
    "Median tokens/s of the plain loop, timed over the same windows."
    torch.manual_seed(seed)
    cfg = make_config(preset, vocab_size)
    model = AlbertForPreTraining(cfg).train()
    opt = torch.optim.AdamW(model.parameters(), lr=1e-3, weight_decay=0.01)
    ds = PretrainingDataset(data)
    L = ds.max_seq_length
    batches = iter(pretraining_loader(ds, B, shuffle=True, seed=seed, epoch=0))
    tps, t0 = [], time.perf_counter()
    for step in range(1, steps + 1):
        b = next(batches)
        out = model(input_ids=b['input_ids'], attention_mask=b['attention_mask'], token_type_ids=b['token_type_ids'],
                    labels=b['labels'], sentence_order_label=b['sentence_order_label'])
        out.loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step(); opt.zero_grad()
        loss_value = out.loss.item()          # what a plain loop prints
        if step % log_every == 0:
            tps.append(log_every * B * L / (time.perf_counter() - t0)); t0 = time.perf_counter()
    return statistics.median(tps[1:])

def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--presets', nargs='+', default=['tiny', 'base'])
    ap.add_argument('--batch', nargs='*', default=['tiny=16', 'base=4'], help='batch per preset, e.g. tiny=16')
    ap.add_argument('--steps', type=int, default=8, help='steps per measurement (the first log window is left out)')
    ap.add_argument('--log_every', type=int, default=2)
    ap.add_argument('--repeats', type=int, default=2, help='measurements of each loop, taken in turns')
    ap.add_argument('--vocab_size', type=int, default=30000, help="model vocabulary (ALBERT's 30,000; the data's 8k ids fit in it)")
    ap.add_argument('--threads', type=int, default=None)
    ap.add_argument('--data', default=None, help='a data directory of the data stage (default: made once under _runs/bench_pretrain)')
    a = ap.parse_args()
    if a.threads: torch.set_num_threads(a.threads)
    data = Path(a.data) if a.data else bench_data(project_root()/'_runs'/'bench_pretrain')
    batch = dict(kv.split('=') for kv in a.batch)
    peak = matmul_peak()
    L, P = PretrainingDataset(data).max_seq_length, PretrainingDataset(data).max_predictions_per_seq
    print(f"threads {torch.get_num_threads()}, fp32 matmul peak {peak / 1e9:.1f} GFLOP/s, sequences of {L}, vocabulary {a.vocab_size}")
    results = []
    for preset in a.presets:
        B = int(batch.get(preset, 8))
        flops = model_flops_per_step(make_config(preset, a.vocab_size), B, L, P)
        runs = {'ours': [], 'plain': []}
        for r in range(a.repeats):
            for name, fn in (('ours', run_ours), ('plain', run_plain)):
                runs[name].append(fn(data, preset, B, a.steps, a.vocab_size, seed=r, log_every=a.log_every))
        ours, plain = statistics.median(runs['ours']), statistics.median(runs['plain'])
        row = dict(preset=preset, batch=B, ours_tokens_per_s=round(ours, 1), plain_tokens_per_s=round(plain, 1),
                   ratio=round(ours / plain, 2), ours_mfu=round(ours / (B * L) * flops / peak, 4),
                   plain_mfu=round(plain / (B * L) * flops / peak, 4), runs={k: [round(x, 1) for x in v] for k, v in runs.items()})
        results.append(row)
        print(f"{preset:5s} batch {B:3d}: ours {ours:8.1f} tok/s (MFU {row['ours_mfu']:.1%})  plain {plain:8.1f} tok/s "
              f"(MFU {row['plain_mfu']:.1%})  ratio {row['ratio']:.2f}x", flush=True)
    print(json.dumps(dict(peak_gflops=round(peak / 1e9, 1), threads=torch.get_num_threads(), seq=L, results=results)))

if __name__ == '__main__': main()
