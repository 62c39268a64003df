#!/usr/bin/env python
"""Speed of `albert_nb.predict.Predictor` against transformers' token-classification pipeline, side by side.

Both run in this one process, on the same model directory and the same MIT Restaurant sentences, one after
the other and repeated in turns (best of `--repeats`), so that a machine shared with other work slows both alike.
The models have random weights: speed does not depend on what the weights are (we sharpen the classifier so
that, like a trained tagger, it predicts entities and the decoding has work to do). `Predictor` decodes words
with Viterbi (valid spans); the pipeline groups pieces (`aggregation_strategy="simple"`): the two do the same
work up to the grouping, and their entities differ by design (we print how many each finds). The English vocabulary
(8,000 SentencePiece pieces) is trained on the shared pre-training corpus first, as a user would (about 10 s).

    python benchmarks/bench_predict.py                          # tiny and base, batch 1 and 64
    python benchmarks/bench_predict.py --presets tiny --batch_sizes 64 --n 4096 --threads 2

Reported per (model, batch size, implementation): sentences per second over the whole list, milliseconds per
sentence (the inverse), at batch 1 the median latency of one call with one sentence (what an interactive
user waits), and sentences per CPU-second of this process (all its threads together). On a machine busy with
other work, wall-clock figures fall with the load while CPU time falls much less: with `--threads 1`, sentences
per CPU-second estimates what one idle core would give.

The goal (issue 7) is >= 500 sentences/s at batch 64 for `tiny` on the project's 2-core CPU.
"""
import argparse, os, platform, statistics, sys, tempfile, time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent/'shared'/'data'

def mit_sentences(path, n):
    "The first `n` sentences of a BIO file (`TAG<TAB>token`), tokens joined by spaces, and the label set."
    sents, cur, labels = [], [], set()
    for line in open(path, encoding='utf-8'):
        line = line.rstrip('\r\n')
        if line.strip():
            tag, token = line.split('\t')
            cur.append(token); labels.add(tag)
        elif cur: sents.append(' '.join(cur)); cur = []
    if cur: sents.append(' '.join(cur))
    return sents[:n], sorted(labels)

def cpu_name():
    try:
        for line in open('/proc/cpuinfo'):
            if line.startswith('model name'): return line.split(':', 1)[1].strip()
    except OSError: pass
    return platform.processor() or 'unknown CPU'

def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--presets', nargs='+', default=['tiny', 'base'], help='model sizes (albert_nb.model presets)')
    ap.add_argument('--batch_sizes', nargs='+', type=int, default=[1, 64])
    ap.add_argument('--n', type=int, default=2048, help='sentences for batched runs')
    ap.add_argument('--n_single', type=int, default=256, help='sentences for batch-1 runs')
    ap.add_argument('--repeats', type=int, default=3, help='timed runs of each (the best counts)')
    ap.add_argument('--threads', type=int, default=None, help='torch CPU threads (default: torch\'s own choice)')
    ap.add_argument('--work', default=os.path.join(tempfile.gettempdir(), 'albert_nb_bench_predict'),
                    help='where the vocabulary and model directories go (reused between runs)')
    ap.add_argument('--data', default=str(SHARED/'mit_restaurant'/'restauranttrain.bio'), help='MIT Restaurant BIO file')
    a = ap.parse_args()

    import numpy as np, torch, transformers
    from transformers import AutoTokenizer, AlbertForTokenClassification, pipeline
    from albert_nb.core import seed_everything
    from albert_nb.model import make_config
    from albert_nb.vocab import train_vocab
    from albert_nb.predict import Predictor
    from albert_nb.tagging import _quiet_transformers
    if a.threads: torch.set_num_threads(a.threads)
    transformers.utils.logging.set_verbosity_error()

    if not Path(a.data).exists(): sys.exit(f"error: {a.data}: no such file: pass --data with the MIT Restaurant restauranttrain.bio")
    sents, labels = mit_sentences(a.data, max(a.n, a.n_single))
    work = Path(a.work); work.mkdir(parents=True, exist_ok=True)
    corpus = [SHARED/'pretrain_en'/'mams_restaurant_sentences.txt', SHARED/'pretrain_en'/'cooking_stackexchange_posts.txt']
    vocab = train_vocab(corpus, work/'vocab_en_8k', vocab_size=8000, doc_per_line=True)
    tok = AutoTokenizer.from_pretrained(vocab)
    n_pieces = np.mean([len(x) for x in tok(sents[:a.n])['input_ids']])

    load0 = os.getloadavg()[0]
    print(f"# {cpu_name()}, {os.cpu_count()} cores, torch {torch.__version__} with {torch.get_num_threads()} threads, "
          f"transformers {transformers.__version__}; load average {load0:.1f} at start")
    print(f"# {len(sents)} MIT Restaurant sentences, {n_pieces:.1f} pieces each on average with [CLS]/[SEP]; random weights")
    print(f"{'model':6} {'batch':>5} {'implementation':22} {'sent/s':>8} {'ms/sent':>8} {'1-call p50 ms':>13} {'speed-up':>8} {'sent/CPU-s':>10}")
    rows = []
    for preset in a.presets:
        d = work/f'{preset}_mit'
        if not (d/'config.json').exists():
            seed_everything(0)
            cfg = make_config(preset, len(tok), num_labels=len(labels), id2label=dict(enumerate(labels)),
                              label2id={l: i for i, l in enumerate(labels)})
            m = AlbertForTokenClassification(cfg)
            with torch.no_grad(): m.classifier.weight.mul_(200)      # decisive labels, as a trained tagger's
            m.save_pretrained(d); tok.save_pretrained(d)
        for bs in a.batch_sizes:
            texts = sents[:a.n_single if bs == 1 else a.n]
            ours = Predictor(d, device='cpu', batch_size=bs)
            with _quiet_transformers():
                pipe = pipeline('token-classification', model=str(d), aggregation_strategy='simple', device='cpu', batch_size=bs)
            impls = {'albert_nb Predictor': ours, 'transformers pipeline': pipe}
            for f in impls.values(): f(texts[:max(bs, 8)])                # warm-up
            best = {k: float('inf') for k in impls}; best_cpu = dict(best)
            for _ in range(a.repeats):                                     # in turns, so both see the same load
                for k, f in impls.items():
                    t, c = time.perf_counter(), time.process_time(); out = f(texts)
                    best[k] = min(best[k], time.perf_counter() - t); best_cpu[k] = min(best_cpu[k], time.process_time() - c)
                    if k.startswith('albert'): ours_out = out
                    else: pipe_out = out
            lat = {}
            if bs == 1:
                for k, f in impls.items():
                    ts = []
                    for s in texts[:64]:
                        t = time.perf_counter(); f([s]); ts.append(time.perf_counter() - t)
                    lat[k] = statistics.median(ts) * 1000
            for k in impls:
                sps = len(texts) / best[k]
                speedup = best['transformers pipeline'] / best[k]
                row = dict(model=preset, batch=bs, impl=k, sent_s=sps, ms=1000 / sps, p50=lat.get(k), speedup=speedup,
                           sent_cpu_s=len(texts) / best_cpu[k])
                rows.append(row)
                p50 = f"{row['p50']:.1f}" if row['p50'] is not None else '-'
                print(f"{preset:6} {bs:5d} {k:22} {sps:8.0f} {1000/sps:8.2f} {p50:>13} {speedup:7.2f}x {row['sent_cpu_s']:10.0f}", flush=True)
            print(f"#   entities: Predictor {sum(map(len, ours_out))}, pipeline {sum(map(len, pipe_out))} in {len(texts)} sentences")
    print(f"# load average {os.getloadavg()[0]:.1f} at the end (the machine's other work slows every figure)")
    tiny64 = [r for r in rows if r['model'] == 'tiny' and r['batch'] == 64 and r['impl'].startswith('albert')]
    if tiny64: print(f"# goal: tiny, batch 64: {tiny64[0]['sent_s']:.0f} sentences/s (goal >= 500)")

if __name__ == '__main__': main()
