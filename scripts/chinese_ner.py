#!/usr/bin/env python
"""Chinese NER: does pre-training `tiny` on Chinese text help on Weibo NER and résumé NER? (issue 16, item 4)

Pre-training corpus: the shared Chinese restaurant reviews (`zh/pretrain/asap_restaurant_reviews_sample.txt`) plus the
unlabelled text of the NER *training* files (Weibo and résumé; their tags unseen). The dev files are never read before
fine-tuning evaluates on them: they are the dev sets (the test splits are held out for judging the project).

  1. vocabulary: Chinese mode of the vocabulary stage (every CJK character its own token, like Google's and brightmart's
     Chinese models; `01_vocab`);
  2. pre-training data: whole-word masking over words from a Chinese segmenter (`02_data`), characters kept as tokens;
  3. pre-training of `tiny` (LAMB), reused when it finished before with the same budget;
  4. for each task and each seed: fine-tune the pre-trained model and its random twin (same config and tokenizer) with
     `finetune`'s defaults for `tiny` (FINETUNE_RECIPES: CRF layer, token masking, early stopping on dev F1);
  5. a table of dev F1 (mean ± spread over the seeds) with run times, and OUT/results.json.

Published anchors: résumé NER ≈ 94.5 (Lattice LSTM) to ≈ 95–96 (BERT-base-chinese); Weibo NER (all types) ≈ 58.8 (Lattice
LSTM) to ≈ 68–70 (BERT-base-chinese).

    python scripts/chinese_ner.py                                   # everything (pre-training first)
    python scripts/chinese_ner.py --tasks resume --seeds 1 2 3
    # a check of the logic in a few minutes (tiny budgets: not a result)
    python scripts/chinese_ner.py --work /tmp/zh_check --pretrain_steps 10 --pretrain_lines 100 --vocab_size 3000 \\
        --train_sentences 100 --epochs 1 --seeds 1

It relies on three pieces of work that were being written beside it; where each enters is named in ADAPT below, and
`--allow_missing` runs without the first two (SentencePiece pieces and the English word masking: only to check the logic).
"""
import argparse, inspect, json, sys, time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
ZH = ROOT.parent/'shared'/'data'/'zh'
REVIEWS = ZH/'pretrain'/'asap_restaurant_reviews_sample.txt'
TASKS = {'weibo': (ZH/'weibo_ner'/'weiboNER_2nd_conll.train', ZH/'weibo_ner'/'weiboNER_2nd_conll.dev'),
         'resume': (ZH/'resume_ner'/'train.char.bmes', ZH/'resume_ner'/'dev.char.bmes')}

# --- ADAPT: the other stages' Chinese support, by the names this script passes (change them here if they land otherwise) ---
# (a) 01_vocab, Chinese mode: `train_vocab(corpus, out, ..., **VOCAB_ZH)`: every CJK character its own token, WordPiece or
#     SentencePiece for Latin text and digits, tokenizer files that AutoTokenizer loads.
VOCAB_ZH = dict(lang='zh')
# (b) 02_data, Chinese whole-word masking: `create_pretraining_data(..., **DATA_ZH)`: words from a segmenter (jieba),
#     n-grams of words masked as units, characters kept as single tokens.
DATA_ZH = dict(lang='zh')
# (c) tagging (06): `read_examples(path)` reads the Weibo files (`char<digit><TAB>tag`, digits stripped) and BMES files
#     (`B-`/`M-`/`E-`/`S-`) into span examples with character offsets; checked by `read_task` below.


def supported(fn, kw: dict) -> bool:
    "Whether `fn` takes every keyword of `kw`."
    params = inspect.signature(fn).parameters
    return all(k in params for k in kw) or any(p.kind == p.VAR_KEYWORD for p in params.values())


def read_task(path: Path) -> list:
    "A NER file as span examples (the tagging module's reader); a clear exit when it cannot read this format yet."
    from albert_nb.finetune import read_examples
    from albert_nb.core import UserError
    try: return read_examples(path)
    except UserError as e:
        sys.exit(f"{path}: the reader cannot read this file yet ({e}): it needs the tagging module's Weibo/BMES readers (06_tagging)")


def subset(examples: list, n: int, seed: int = 0) -> list:
    import numpy as np
    if not n or n >= len(examples): return examples
    return [examples[i] for i in sorted(np.random.default_rng(seed).permutation(len(examples))[:n])]


def build_corpus(work: Path, tasks: list, lines: int) -> list[tuple[Path, bool]]:
    "The pre-training text as files (path, one document a line?): the reviews, and each NER training file's text, never dev."
    work.mkdir(parents=True, exist_ok=True)
    with open(REVIEWS, encoding='utf-8') as f: reviews = [l for l in f if l.strip()]
    out = work/'reviews.txt'; out.write_text(''.join(reviews[:lines] if lines else reviews), encoding='utf-8')
    files = [(out, True)]
    for t in tasks:
        texts = [ex['text'] for ex in read_task(TASKS[t][0])]          # the training file only
        f = work/f'{t}_train_text.txt'                                  # in the run folder only, never in the repo
        f.write_text(''.join(x + '\n' for x in (texts[:lines] if lines else texts)), encoding='utf-8')
        files.append((f, t == 'weibo'))   # a Weibo post is a document; résumé sentences follow one another
    return files


def pretrain_zh(args) -> tuple[Path, float]:
    "Vocabulary, data and a `tiny` pre-training on the Chinese corpus, in --work (reused when it finished with this budget)."
    from albert_nb.vocab import train_vocab
    from albert_nb.data import create_pretraining_data
    from albert_nb.pretrain import pretrain
    work = Path(args.work)/'pretrain'
    budget = dict(steps=args.pretrain_steps, lines=args.pretrain_lines, vocab_size=args.vocab_size, seq_len=args.seq_len,
                  batch_size=args.pretrain_batch, lr=args.pretrain_lr, tasks=sorted(args.corpus_tasks or args.tasks), vocab=VOCAB_ZH, data=DATA_ZH,
                  allow_missing=args.allow_missing)
    timing = work/'pretrained'/'albert_nb_pretrain_seconds.json'
    done = json.loads(timing.read_text()) if timing.exists() else {}
    if done.get('budget') == budget:
        print(f"pre-trained model: {work/'pretrained'} (finished before: reused)", flush=True)
        return work/'pretrained', done['seconds']
    if (work/'pretrained').exists(): sys.exit(f"{work}: holds a pre-training with another budget: pass another --work")
    vocab_kw = VOCAB_ZH if supported(train_vocab, VOCAB_ZH) else None
    data_kw = DATA_ZH if supported(create_pretraining_data, DATA_ZH) else None
    missing = [m for m, kw in (("the vocabulary stage's Chinese mode (train_vocab(..., %s))" % VOCAB_ZH, vocab_kw),
                               ("the data stage's Chinese whole-word masking (create_pretraining_data(..., %s))" % DATA_ZH, data_kw)) if kw is None]
    if missing and not args.allow_missing:
        sys.exit("not available in this checkout: " + '; '.join(missing) + ". Adapt VOCAB_ZH / DATA_ZH at the top of this script, "
                 "or pass --allow_missing to check the logic without them")
    for m in missing: print(f"warning: running without {m}", flush=True)
    t0 = time.time()
    files = build_corpus(work/'corpus', args.corpus_tasks or args.tasks, args.pretrain_lines)
    vocab = train_vocab([f for f, _ in files], work/'vocab', vocab_size=args.vocab_size, doc_per_line=True, exact_size=False,
                        **(vocab_kw or {}))
    if not (work/'data'/'manifest.json').exists():
        create_pretraining_data([f for f, _ in files], vocab, work/'data', max_seq_length=args.seq_len, max_predictions_per_seq=20,
                                dupe_factor=args.dupe_factor, doc_per_line=[d for _, d in files], check_layout=False, **(data_kw or {}))
    prep = time.time() - t0
    print(f"vocabulary and data ready ({prep:.0f} s); pre-training {args.pretrain_steps} steps of {args.pretrain_batch} x {args.seq_len}", flush=True)
    res = pretrain(work/'data', work/'pretrained', config='tiny', steps=args.pretrain_steps, batch_size=args.pretrain_batch,
                   lr=args.pretrain_lr, optimizer='lamb', warmup=max(args.pretrain_steps // 10, 1), seed=42,
                   save_every=max(args.pretrain_steps // 5, 10), eval_every=0, progress=not args.quiet)
    secs = max(time.time() - t0, prep + res.get('train', {}).get('seconds', 0.0))
    timing.write_text(json.dumps(dict(seconds=round(secs, 1), budget=budget)))
    return work/'pretrained', secs


def random_twin(out: Path, pretrained: Path, seed: int = 42) -> Path:
    "A randomly initialised model with the pre-trained model's config and tokenizer."
    import shutil
    from transformers import AutoConfig, AutoTokenizer
    from albert_nb.core import seed_everything
    from albert_nb.model import AlbertPretrainingModel
    shutil.rmtree(out, ignore_errors=True)
    seed_everything(seed)
    AlbertPretrainingModel(AutoConfig.from_pretrained(pretrained)).save_pretrained(out)
    AutoTokenizer.from_pretrained(pretrained).save_pretrained(out)
    for f in ('spiece.model', 'vocab.txt', 'albert_nb_vocab.json'):
        if (pretrained/f).exists(): shutil.copy(pretrained/f, out/f)
    return out


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--work', default=str(ROOT/'_runs'/'chinese_ner'), help='working directory: corpus, vocabulary, data, models, results')
    ap.add_argument('--tasks', nargs='+', choices=list(TASKS), default=list(TASKS))
    ap.add_argument('--corpus_tasks', nargs='+', choices=list(TASKS), help="whose training text joins the pre-training corpus (default: --tasks)")
    ap.add_argument('--only', nargs='+', choices=['random', 'pretrained'], default=['random', 'pretrained'])
    ap.add_argument('--seeds', type=int, nargs='+', default=[1, 2, 3], help='fine-tuning seeds (mean and spread)')
    ap.add_argument('--pretrained', help='a pre-trained Chinese tiny ALBERT directory to use instead of pre-training here')
    g = ap.add_argument_group('pre-training')
    g.add_argument('--pretrain_steps', type=int, default=5000)
    g.add_argument('--pretrain_batch', type=int, default=32)
    g.add_argument('--pretrain_lr', type=float, default=2e-3, help='LAMB (the English tiny runs: 2e-3 at batch 32)')
    g.add_argument('--seq_len', type=int, default=128)
    g.add_argument('--dupe_factor', type=int, default=10, help='passes over the small corpus, each with new masks')
    g.add_argument('--vocab_size', type=int, default=8000, help='an upper bound: a character vocabulary is what the corpus holds')
    g.add_argument('--pretrain_lines', type=int, default=0, help='use only the first N lines/sentences of each text (0: all; for checks)')
    g.add_argument('--allow_missing', action='store_true', help='run without the Chinese vocabulary/masking modes (checks only)')
    f = ap.add_argument_group("fine-tuning (default: finetune's recipe for tiny)")
    f.add_argument('--epochs', type=int); f.add_argument('--lr', type=float); f.add_argument('--batch_size', type=int)
    f.add_argument('--patience', type=int); f.add_argument('--mask_prob', type=float)
    f.add_argument('--no_crf', action='store_true', help='no CRF output layer')
    f.add_argument('--max_length', type=int, default=128, help='Weibo posts run past 128 characters: longer ones are windowed')
    f.add_argument('--train_sentences', type=int, default=0, help='fine-tune on a seeded subset of this many sentences (0: all; for checks)')
    f.add_argument('--quiet', action='store_true', help='no progress bars')
    args = ap.parse_args(argv)
    for t in args.tasks:
        for p in TASKS[t]:
            if not p.exists(): sys.exit(f"{p}: not found: this script needs the shared data beside the checkout")
    import torch
    from statistics import mean, pstdev
    from albert_nb.finetune import finetune
    work = Path(args.work); work.mkdir(parents=True, exist_ok=True)
    if args.pretrained: pretrained, pre_secs = Path(args.pretrained), None
    else: pretrained, pre_secs = pretrain_zh(args)
    twin = random_twin(work/'random_init', pretrained) if 'random' in args.only else None
    kw = {k: v for k, v in dict(epochs=args.epochs, lr=args.lr, batch_size=args.batch_size, early_stopping_patience=args.patience,
                                mask_prob=args.mask_prob, max_length=args.max_length).items() if v is not None}
    if args.no_crf: kw['crf'] = False
    results_file = work/'results.json'
    results = json.loads(results_file.read_text()) if results_file.exists() else {}
    for t in args.tasks:
        train, dev = read_task(TASKS[t][0]), read_task(TASKS[t][1])    # the shared .dev file is the dev set
        train = subset(train, args.train_sentences)
        if args.train_sentences:   # a check on a small subset may miss a rare type: leave it out of dev then (never in a result)
            seen = {sp['label'] for ex in train for sp in ex['spans']}
            lost = sorted({sp['label'] for ex in dev for sp in ex['spans']} - seen)
            if lost:
                print(f"  (check run: dev entities of types the subset lacks are left out: {', '.join(lost)})")
                dev = [dict(ex, spans=[sp for sp in ex['spans'] if sp['label'] in seen]) for ex in dev]
        print(f"\n{t}: {len(train)} training and {len(dev)} dev sentences", flush=True)
        for init, model in (('random', twin), ('pretrained', pretrained)):
            if init not in args.only: continue
            runs = []
            for s in args.seeds:
                res = finetune(model, train, dev, work/f'ft_{t}_{init}_s{s}', seed=s, overwrite=True, progress=not args.quiet, **kw)
                runs.append(dict(seed=s, f1=res['best']['f1'], best_epoch=res['best_epoch'], seconds=res['seconds'],
                                 per_type={k: v['f1'] for k, v in res['best']['per_type'].items()}))
                print(f"  {init:<10} seed {s}: dev F1 {100 * runs[-1]['f1']:.1f} (best epoch {res['best_epoch']}, {res['seconds']:.0f} s)", flush=True)
            results[f'{t}/{init}'] = dict(task=t, init=init, runs=runs, f1=round(mean(r['f1'] for r in runs), 4),
                                          f1_sd=round(pstdev(r['f1'] for r in runs), 4),
                                          finetune_seconds=round(mean(r['seconds'] for r in runs), 1),
                                          pretrain_seconds=pre_secs if init == 'pretrained' else None)
            results_file.write_text(json.dumps(results, indent=1, ensure_ascii=False))
    results['settings'] = dict(vars(args), threads=torch.get_num_threads(), vocab_kw=VOCAB_ZH, data_kw=DATA_ZH)
    results_file.write_text(json.dumps(results, indent=1, ensure_ascii=False))
    print(f"\n{'task':<8} {'model':<12} {'dev F1':>14} {'fine-tune':>10} {'pre-train':>10}")
    for t in args.tasks:
        for init in ('random', 'pretrained'):
            r = results.get(f'{t}/{init}')
            if not r: continue
            pre = r.get('pretrain_seconds')
            print(f"{t:<8} {init:<12} {100 * r['f1']:>7.1f} ±{100 * r['f1_sd']:<4.1f} {r['finetune_seconds']:>9.0f}s "
                  f"{(f'{pre:.0f}s' if pre else '-'):>10}")
    print("published: résumé ≈ 94.5 (Lattice LSTM) to 95–96 (BERT-base-chinese); Weibo ≈ 58.8 (Lattice LSTM) to 68–70 (BERT-base-chinese)")
    print(f"results: {results_file}")


if __name__ == '__main__':
    main()
