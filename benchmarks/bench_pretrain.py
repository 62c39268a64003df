#!/usr/bin/env python
"""Training speed of our pre-training loop against a plain transformers loop, side by side in one process, on a CPU or a GPU.

Ours: `albert_nb.pretrain.pretrain` as a user runs it (AlbertPretrainingModel with the MLM head at the masked
positions only, our LAMB, Google's loss, metrics kept on the device and read every `log_every` steps, mixed precision
through accelerate). Plain: what one writes with transformers alone: `AlbertForPreTraining` (MLM logits at every
position, dense labels), `torch.optim.AdamW` (fused on CUDA), `torch.autocast` for bf16/fp16, global-norm clipping,
`loss.item()` every step. Both read the same batches (same data, seed and order), use the same configuration (SDPA
attention) and the same number of threads. The two are measured in turns (ours, plain, ours, plain, ...) so that a
change in machine load hits both; we report the median.

Tokens are the positions processed (batch x max_seq_length). Model FLOPs are counted for Google's algorithm (MLM head
at the masked positions) for both loops, so that MFU compares useful work. MFU is against the matmul peak measured here
at the start: bf16 (fp16) square matmuls on a GPU with --precision bf16 (fp16), fp32 otherwise (the CPU). Peak memory
is the device's largest allocation during each run (CUDA only).

    python benchmarks/bench_pretrain.py                                   # CPU: tiny and base, vocabulary 30,000, sequences of 128
    python benchmarks/bench_pretrain.py --device cuda --precision bf16    # GPU: tiny, base, large at several batches, < 5 minutes
    python benchmarks/bench_pretrain.py --presets tiny --batch tiny=16,32 --steps 8 --repeats 3
"""
import argparse, json, math, os, random, shutil, statistics, sys, tempfile, time
from contextlib import nullcontext
from pathlib import Path

import torch
from transformers import AlbertForPreTraining

from albert_nb.core import project_root, get_device, device_name
from albert_nb.vocab import train_vocab
from albert_nb.data import create_pretraining_data, PretrainingDataset, pretraining_loader
from albert_nb.model import make_config
from albert_nb.pretrain import pretrain, read_log

SHARED = project_root().parent/'shared'/'data'/'pretrain_en'
DTYPES = {'no': torch.float32, 'bf16': torch.bfloat16, 'fp16': torch.float16}
DEFAULT_BATCHES = {'cpu': ['tiny=16', 'base=4'], 'cuda': ['tiny=128,256', 'base=64,128', 'large=32,64']}

def sync(device):
    if device.type == 'cuda': torch.cuda.synchronize()

def matmul_peak(device, dtype=torch.float32, sizes=(512, 1024, 2048), reps=5) -> float:
    "Best square-matmul rate here, in FLOP/s, for `dtype` on `device`."
    best = 0.0
    for n in sizes:
        a, b = torch.randn(n, n, device=device, dtype=dtype), torch.randn(n, n, device=device, dtype=dtype)
        a @ b; sync(device)
        t = time.perf_counter()
        for _ in range(reps): a @ b
        sync(device)
        best = max(best, 2 * n ** 3 * reps / (time.perf_counter() - t))
    return best

def model_flops_per_step(cfg, B:int, L:int, P:int) -> float:
    "Training FLOPs (forward x 3) of one step of Google's algorithm: encoder, attention, MLM head at P positions, pooler, SOP."
    H, E, I, V, layers = cfg.hidden_size, cfg.embedding_size, cfg.intermediate_size, cfg.vocab_size, cfg.num_hidden_layers
    per_token = 2 * E * H + layers * (2 * 4 * H * H + 2 * 2 * H * I + 2 * 2 * L * H)   # projection, blocks, attention scores
    head = P * (2 * H * E + 2 * E * V) + 2 * H * H + 2 * H * 2                          # MLM at P positions, pooler, SOP
    return 3 * B * (L * per_token + head)

def synthetic_corpus(path:Path, docs:int=12000, words:int=4000, seed:int=0) -> Path:
    "A corpus of Zipf-distributed made-up words (for machines without the project's shared data, e.g. a rented GPU)."
    rng = random.Random(seed)
    vocab = [''.join(rng.choice('abcdefghijklmnopqrstuvwxyz') for _ in range(rng.randint(2, 9))) for _ in range(words)]
    weights = [1 / (k + 1) for k in range(words)]
    with open(path, 'w') as f:
        for _ in range(docs):
            sents = [' '.join(rng.choices(vocab, weights, k=rng.randint(6, 24))).capitalize() + '.' for _ in range(rng.randint(4, 12))]
            f.write(' '.join(sents) + '\n')
    return path

def bench_data(cache:Path) -> Path:
    "English pre-training data (cooking posts, 8k vocabulary, 128 tokens), made once; a synthetic corpus where those posts are absent."
    if (cache/'data_128'/'manifest.json').exists(): return cache/'data_128'
    cache.mkdir(parents=True, exist_ok=True)
    if (SHARED/'cooking_stackexchange_posts.txt').exists():
        corpus, vocab_files, vsize = SHARED/'cooking_stackexchange_posts.txt', [SHARED/'mams_restaurant_sentences.txt', SHARED/'cooking_stackexchange_posts.txt'], 8000
    else:
        corpus = synthetic_corpus(cache/'synthetic.txt'); vocab_files, vsize = [corpus], 2000
    vocab = train_vocab(vocab_files, cache/'vocab', vocab_size=vsize, doc_per_line=True)
    create_pretraining_data(corpus, vocab, cache/'data_128', max_seq_length=128, dupe_factor=1, doc_per_line=True, workers=min(8, os.cpu_count() or 1))
    return cache/'data_128'

def reset_peak(device):
    if device.type == 'cuda': torch.cuda.empty_cache(); torch.cuda.reset_peak_memory_stats()

def peak_gib(device):
    return round(torch.cuda.max_memory_allocated() / 2 ** 30, 2) if device.type == 'cuda' else None

def run_ours(data, preset, B, steps, vocab_size, seed, log_every, device, precision, compile) -> tuple[float, float|None]:
    "Median tokens/s of our loop over its log windows (the first, which warms up, left out), and its peak memory."
    out = Path(tempfile.mkdtemp(prefix='bench_ours_'))
    reset_peak(device)
    try:
        pretrain(data, out/'run', config=preset, steps=steps, batch_size=B, seed=seed, warmup=0, eval_every=0, eval_batches=1,
                 save_every=10 ** 9, log_every=log_every, progress=False, precision=precision, compile=compile,
                 model_overrides={'vocab_size': vocab_size})
        df = read_log(out/'run'); tps = df[df.split == 'train'].tokens_per_s.tolist()[1:]
        return statistics.median(tps), peak_gib(device)
    finally: shutil.rmtree(out, ignore_errors=True)

def run_plain(data, preset, B, steps, vocab_size, seed, log_every, device, precision, compile=False) -> tuple[float, float|None]:
    "Median tokens/s of the plain transformers loop, timed over the same windows, and its peak memory."
    torch.manual_seed(seed)
    reset_peak(device)
    cfg = make_config(preset, vocab_size)
    model = AlbertForPreTraining(cfg).to(device).train()
    opt = torch.optim.AdamW(model.parameters(), lr=1e-3, weight_decay=0.01, fused=device.type == 'cuda')
    scaler = torch.amp.GradScaler(device.type) if precision == 'fp16' else None
    cast = torch.autocast(device.type, dtype=DTYPES[precision]) if precision != 'no' else nullcontext()
    ds = PretrainingDataset(data)
    L = ds.max_seq_length
    def epochs():   # epoch after epoch, as ours
        for epoch in range(10 ** 6): yield from pretraining_loader(ds, B, shuffle=True, seed=seed, epoch=epoch, pin_memory=device.type == 'cuda')
    batches = epochs()
    tps, t0 = [], time.perf_counter()
    for step in range(1, steps + 1):
        b = {k: v.to(device, non_blocking=True) for k, v in next(batches).items()}
        with cast:
            out = model(input_ids=b['input_ids'], attention_mask=b['attention_mask'], token_type_ids=b['token_type_ids'],
                        labels=b['labels'], sentence_order_label=b['sentence_order_label'])
        if scaler: scaler.scale(out.loss).backward(); scaler.unscale_(opt)
        else: out.loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        if scaler: scaler.step(opt); scaler.update()
        else: opt.step()
        opt.zero_grad(set_to_none=True)
        loss_value = out.loss.item()          # what a plain loop prints (and a host sync every step)
        if step % log_every == 0:
            tps.append(log_every * B * L / (time.perf_counter() - t0)); t0 = time.perf_counter()
    mem = peak_gib(device)
    del model, opt
    return statistics.median(tps[1:] or tps), mem

def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--device', default=None, choices=['cpu', 'cuda'], help='default: a GPU if there is one')
    ap.add_argument('--precision', default=None, choices=['no', 'bf16', 'fp16'], help="default: bf16 on CUDA, 'no' (fp32) on the CPU")
    ap.add_argument('--presets', nargs='+', default=None, help='default: tiny base (CPU); tiny base large (CUDA)')
    ap.add_argument('--batch', nargs='*', default=None, help='batches per preset, e.g. tiny=16,32 base=4 (default: by device)')
    ap.add_argument('--steps', type=int, default=None, help='steps per measurement (the first log window is left out; default 8 CPU, 30 CUDA)')
    ap.add_argument('--log_every', type=int, default=None, help='default 2 (CPU), 10 (CUDA)')
    ap.add_argument('--repeats', type=int, default=2, help='measurements of each loop, taken in turns')
    ap.add_argument('--vocab_size', type=int, default=30000, help="model vocabulary (ALBERT's 30,000; the data's ids fit in it)")
    ap.add_argument('--threads', type=int, default=None)
    ap.add_argument('--compile', action='store_true', help='torch.compile our loop (the plain loop stays eager)')
    ap.add_argument('--quick_peak', action='store_true', help='measure the matmul peak on small matrices only (smoke tests)')
    ap.add_argument('--data', default=None, help='a data directory of the data stage (default: made once under _runs/bench_pretrain)')
    a = ap.parse_args()
    if a.threads: torch.set_num_threads(a.threads)
    device = torch.device(a.device or get_device().type)
    if device.type != get_device().type:
        sys.exit(f"--device {device.type}: but the loop would run on {get_device().type} here (albert_nb uses the best device it finds)")
    precision = a.precision or ('bf16' if device.type == 'cuda' else 'no')
    presets = a.presets or (['tiny', 'base', 'large'] if device.type == 'cuda' else ['tiny', 'base'])
    steps, log_every = a.steps or (30 if device.type == 'cuda' else 8), a.log_every or (10 if device.type == 'cuda' else 2)
    batch = {k: [int(x) for x in v.split(',')] for k, v in (kv.split('=') for kv in (a.batch or DEFAULT_BATCHES[device.type]))}
    data = Path(a.data) if a.data else bench_data(project_root()/'_runs'/'bench_pretrain')
    peak_dtype = DTYPES[precision] if device.type == 'cuda' else torch.float32
    peak = matmul_peak(device, peak_dtype, sizes=(256, 512) if a.quick_peak else (1024, 2048, 4096, 8192) if device.type == 'cuda' else (512, 1024, 2048))
    L, P = PretrainingDataset(data).max_seq_length, PretrainingDataset(data).max_predictions_per_seq
    print(f"{device_name(device)}, precision {precision}, {str(peak_dtype).replace('torch.', '')} matmul peak {peak / 1e12:.3f} TFLOP/s, "
          f"sequences of {L}, vocabulary {a.vocab_size}" + (", ours compiled" if a.compile else ''), flush=True)
    t_start, results = time.time(), []
    for preset in presets:
        for B in batch.get(preset, [8]):
            flops = model_flops_per_step(make_config(preset, a.vocab_size), B, L, P)
            runs, mem = {'ours': [], 'plain': []}, {}
            for r in range(a.repeats):
                for name, fn in (('ours', run_ours), ('plain', run_plain)):
                    tps, m = fn(data, preset, B, steps, a.vocab_size, seed=r, log_every=log_every, device=device, precision=precision,
                                compile=a.compile)
                    runs[name].append(tps); mem[name] = m
            ours, plain = statistics.median(runs['ours']), statistics.median(runs['plain'])
            row = dict(preset=preset, batch=B, ours_tokens_per_s=round(ours, 1), plain_tokens_per_s=round(plain, 1),
                       ratio=round(ours / plain, 2), ours_mfu=round(ours / (B * L) * flops / peak, 4),
                       plain_mfu=round(plain / (B * L) * flops / peak, 4), ours_peak_gib=mem['ours'], plain_peak_gib=mem['plain'],
                       runs={k: [round(x, 1) for x in v] for k, v in runs.items()})
            results.append(row)
            memory = f"  peak memory {mem['ours']} / {mem['plain']} GiB" if device.type == 'cuda' else ''
            print(f"{preset:5s} batch {B:4d}: ours {ours:10.1f} tok/s (MFU {row['ours_mfu']:.1%})  plain {plain:10.1f} tok/s "
                  f"(MFU {row['plain_mfu']:.1%})  ratio {row['ratio']:.2f}x{memory}", flush=True)
    print(json.dumps(dict(device=device_name(device), precision=precision, peak_tflops=round(peak / 1e12, 4), threads=torch.get_num_threads(),
                          seq=L, compile=a.compile, seconds=round(time.time() - t_start, 1), results=results)))

if __name__ == '__main__': main()
