#!/usr/bin/env python
"""Speed and memory of `create_pretraining_data` on the shared English corpus, at 1x and 4x its size.

The job is the one Google's `create_pretraining_data.py` was measured on, on this project's 2-core machine
(both shared English files, one sentence a line as its reader sees them, max_seq_length 128,
20 predictions, dupe_factor 5): 355-410 instances/s and 700 MiB peak, in one process. TensorFlow cannot
run here, so those quoted figures are the comparison. Each configuration runs in a fresh process; we print
wall-clock instances/s, instances per CPU second (all processes), and the peak resident memory of the main
process and of the largest worker. Workers are forked: most of a worker's resident pages (the libraries the
main process imported, about 290 MiB) are shared with the main process, not copies. Run from the project root:

    python benchmarks/bench_data.py                 # 1x and 4x, 1 and 2 workers
    python benchmarks/bench_data.py --sizes 1 --workers 1 --layout mixed
    python benchmarks/bench_data.py --lang zh       # the shared Chinese reviews, whole-word masking of rjieba's words
"""
import argparse, json, os, resource, subprocess, sys, tempfile, time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent/'shared'/'data'/'pretrain_en'
FILES = [SHARED/'mams_restaurant_sentences.txt', SHARED/'cooking_stackexchange_posts.txt']
ZH_FILES = [ROOT.parent/'shared'/'data'/'zh'/'pretrain'/'asap_restaurant_reviews_sample.txt']   # one review a line
GOOGLE = (355, 410, 700)   # instances/s (low, high) and peak MiB, measured on this machine with TensorFlow (issue 3)

def rss_mib(ru): return ru.ru_maxrss / 1024           # Linux: kilobytes

def child(a):
    "One measured run, in this fresh process; prints a JSON line."
    import warnings; warnings.simplefilter('ignore')
    from albert_nb.data import create_pretraining_data
    from albert_nb.vocab import AlbertVocab
    vocab, workers = AlbertVocab(a.vocab), a.workers[0]
    base = rss_mib(resource.getrusage(resource.RUSAGE_SELF))
    layout = True if a.lang == 'zh' else [False, True] * a.size if a.layout == 'mixed' else False
    files = [str(Path(a.corpus_dir)/f'{i}-{f.name}') for i in range(a.size) for f in (ZH_FILES if a.lang == 'zh' else FILES)]
    cpu0 = sum(os.times()[:4])
    t = time.perf_counter()
    with tempfile.TemporaryDirectory() as d:
        m = create_pretraining_data(files, vocab, Path(d)/'out', 128, 20, dupe_factor=a.dupe, workers=workers,
                                    doc_per_line=layout, progress=False, lang=a.lang)
    wall = time.perf_counter() - t
    cpu = sum(os.times()[:4]) - cpu0
    print(json.dumps(dict(size=a.size, workers=workers, instances=m['num_instances'], wall=wall, cpu=cpu, base_mib=base,
                          peak_mib=rss_mib(resource.getrusage(resource.RUSAGE_SELF)),
                          worker_peak_mib=rss_mib(resource.getrusage(resource.RUSAGE_CHILDREN)))))

def english_vocab(path):
    if path: return path
    for p in (ROOT/'_runs'/'vocab_en_8k', Path(tempfile.gettempdir())/'albert_nb_bench_vocab_en_8k'):
        if (p/'spiece.model').exists(): return str(p)
    from albert_nb.vocab import train_vocab
    print('training the 8,000-piece English vocabulary once ...', flush=True)
    train_vocab(FILES, p, vocab_size=8000, doc_per_line=True)
    return str(p)

def chinese_vocab(path):
    "A WordPiece vocabulary of the Chinese reviews (one token per CJK character), trained once on the raw text."
    if path: return path
    p = Path(tempfile.gettempdir())/'albert_nb_bench_vocab_zh'
    if (p/'vocab.txt').exists(): return str(p)
    from albert_nb.vocab import train_wordpiece
    from albert_nb.data import split_sentences_zh
    tok = train_wordpiece((s for f in ZH_FILES for l in f.read_text(encoding='utf-8').splitlines() for s in split_sentences_zh(l)), 6000, exact_size=False)
    p.mkdir(parents=True, exist_ok=True); tok.save_pretrained(p)
    (p/'vocab.txt').write_text(''.join(t + '\n' for t in tok.convert_ids_to_tokens(list(range(len(tok))))))
    return str(p)

def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--vocab', help='vocabulary directory (default: _runs/vocab_en_8k, or trained once)')
    ap.add_argument('--sizes', type=int, nargs='+', default=[1, 4], help='corpus sizes, as copies of the corpus')
    ap.add_argument('--workers', type=int, nargs='+', default=[1, 2])
    ap.add_argument('--dupe', type=int, default=5)
    ap.add_argument('--layout', choices=['google', 'mixed'], default='google',
                    help="google: both files one sentence a line (as Google's reader saw them); mixed: posts one document a line")
    ap.add_argument('--lang', choices=['en', 'zh'], default='en', help="zh: the shared Chinese reviews with --lang zh (rjieba's words)")
    ap.add_argument('--child', action='store_true', help=argparse.SUPPRESS)
    ap.add_argument('--size', type=int, help=argparse.SUPPRESS)
    ap.add_argument('--corpus_dir', help=argparse.SUPPRESS)
    a = ap.parse_args()
    if a.child: return child(a)
    files = ZH_FILES if a.lang == 'zh' else FILES
    if not all(f.exists() for f in files): sys.exit(f"the shared corpus is not at {files[0].parent}")
    vocab = chinese_vocab(a.vocab) if a.lang == 'zh' else english_vocab(a.vocab)
    rows = []
    with tempfile.TemporaryDirectory() as corpus_dir:
        for f in files:                      # copies of each file: 4x is the same text four times over
            for i in range(max(a.sizes)): (Path(corpus_dir)/f'{i}-{f.name}').write_bytes(f.read_bytes())
        for size in a.sizes:
            for w in a.workers:
                r = subprocess.run([sys.executable, __file__, '--child', '--vocab', vocab, '--size', str(size), '--workers', str(w),
                                    '--dupe', str(a.dupe), '--layout', a.layout, '--lang', a.lang, '--corpus_dir', corpus_dir],
                                   capture_output=True, text=True, cwd=ROOT)
                if r.returncode: sys.exit(r.stderr[-3000:])
                rows.append(json.loads(r.stdout.strip().splitlines()[-1]))
                x = rows[-1]
                print(f"{x['size']}x corpus, {x['workers']} worker(s): {x['instances']:,} instances in {x['wall']:.1f} s = "
                      f"{x['instances'] / x['wall']:,.0f} instances/s ({x['instances'] / x['cpu']:,.0f} per CPU second); "
                      f"peak RSS {x['peak_mib']:.0f} MiB main process ({x['base_mib']:.0f} MiB of it after imports)"
                      + (f", {x['worker_peak_mib']:.0f} MiB largest worker" if x['workers'] > 1 else ''), flush=True)
    if a.lang == 'en':      # Google's figures are for the English job
        print(f"\nGoogle's create_pretraining_data.py on the 1x job, on this machine (quoted, TensorFlow is not available here): "
              f"{GOOGLE[0]}-{GOOGLE[1]} instances/s, {GOOGLE[2]} MiB peak, one process")
        for x in rows:
            if x['size'] == 1:
                s = x['instances'] / x['wall']
                print(f"  {x['workers']} worker(s): {s / GOOGLE[1]:.1f}-{s / GOOGLE[0]:.1f}x Google's speed")
    load = os.getloadavg()[0]
    print(f"(load average {load:.1f} on {os.cpu_count()} cores at the end: other work on the machine slows wall-clock figures; CPU seconds are unaffected)")

if __name__ == '__main__': main()
