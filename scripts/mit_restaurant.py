#!/usr/bin/env python
"""MIT Restaurant: does pre-training on our own corpus help a `tiny` ALBERT tag entities, and how far is it from a CRF?

On a seeded 90/10 split of the shared MIT Restaurant training file (the 10 % is the dev set; the corpus' test split
is never read, and nothing is tuned on anything but this dev set), fine-tune with the same vocabulary, settings and seed:

  (a) a `tiny` ALBERT from random initialisation (Google's truncated-normal init, the pre-trained model's config), and
  (b) the same `tiny` ALBERT pre-trained on the shared English corpora (`--pretrained`, the pre-training stage's slow
      run; or, without it, a pre-training run here: `--pretrain_steps`, reused when the script runs again),

and, if `python-crfsuite` is installed (`pip install python-crfsuite`), train a CRF with standard word features on the
same split. Prints dev entity-level F1 (seqeval) overall and for Dish, with the time each took, and writes them to
OUT/results.json.

With `--tapt_steps N`, also (c) and (d): (a) and (b) after task-adaptive pre-training, N more LAMB steps of MLM + SOP on
the text of the training split alone (its labels unseen, the dev split never read). With `--seeds`, every fine-tuning
runs once per seed and the table gives the mean and spread: one seed on 152 Dish mentions moves Dish F1 by a few points.

    python scripts/mit_restaurant.py --pretrained _runs/pretrain_tiny_en/albert_tiny       # (a), (b) and the CRF
    python scripts/mit_restaurant.py --lr 1e-3 --seeds 42 1 2 3     # pre-train here (5,000 steps, ~47 min on 2 cores), then all
    python scripts/mit_restaurant.py --pretrained _runs/pretrain_tiny_en/albert_tiny --tapt_steps 600 --only pretrained_tapt
    python scripts/mit_restaurant.py --pretrained _runs/pretrain_tiny_en/albert_tiny --only random --lr 1e-3 --seeds 1 2 3
"""
import argparse, json, os, sys, time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent/'shared'/'data'
MIT = SHARED/'mit_restaurant'/'restauranttrain.bio'
EN_CORPUS = [SHARED/'pretrain_en'/'mams_restaurant_sentences.txt', SHARED/'pretrain_en'/'cooking_stackexchange_posts.txt']


def load_split(seed=0, dev_fraction=0.1):
    "The MIT Restaurant training file as examples, split 90/10 with `seed`."
    from albert_nb.finetune import read_bio, split_examples
    return split_examples(read_bio(MIT), dev_fraction, seed)


def pretrain_here(work: Path, steps: int, vocab: Path | None = None, batch_size: int = 32, seq_len: int = 64, lr: float = 2e-3,
                  seed: int = 42) -> tuple[Path, float]:
    "Vocabulary (8k unigram, unless `vocab`), pre-training data and a `tiny` MLM+SOP run on the shared English corpora (reused if it finished before); returns (model dir, seconds)."
    from albert_nb.vocab import train_vocab
    from albert_nb.data import create_pretraining_data
    from albert_nb.pretrain import pretrain
    timing = work/'pretrained'/'albert_nb_pretrain_seconds.json'   # written last, once the run has finished
    done = json.loads(timing.read_text()) if timing.exists() else {}
    if done.get('steps') == steps:   # finished before: reuse it, and its time
        print(f"pre-trained model: {work/'pretrained'} (finished before, {steps} steps)", flush=True)
        return work/'pretrained', done['seconds']
    t0 = time.time()
    vocab = vocab or train_vocab(EN_CORPUS, work/'vocab', vocab_size=8000, doc_per_line=True)
    if not (work/'data'/'manifest.json').exists():   # short sequences: MIT queries are ~10 pieces, and a step costs less
        # MAMS: one sentence a line, no document boundaries (one long document); cooking posts: one post a line
        create_pretraining_data(EN_CORPUS, vocab, work/'data', max_seq_length=seq_len, max_predictions_per_seq=10,
                                dupe_factor=3, doc_per_line=[False, True])
    print(f"pre-training data ready ({time.time() - t0:.0f} s); pre-training {steps} steps of {batch_size} x {seq_len}", flush=True)
    prep = time.time() - t0
    # LAMB at 2e-3 (batch 32), the pre-training stage's measured setting: AdamW at 1e-3 collapses `tiny` (see 05_pretrain)
    res = pretrain(work/'data', work/'pretrained', config='tiny', steps=steps, batch_size=batch_size, lr=lr, optimizer='lamb',
                   warmup=steps // 10, seed=seed, save_every=max(steps // 5, 50), eval_every=0, progress=False)
    # a killed run that resumed here: its training seconds count across the invocations (the loop's log keeps them)
    secs = max(time.time() - t0, prep + res.get('train', {}).get('seconds', 0.0))
    timing.write_text(json.dumps(dict(seconds=round(secs, 1), steps=steps)))
    return work/'pretrained', secs


def task_adaptive_pretrain(model_dir: Path, train: list, work: Path, steps: int, lr: float = 1e-3, batch_size: int = 32,
                           seq_len: int = 64, seed: int = 42) -> tuple[Path, float]:
    """Continue pre-training `model_dir` (MLM + SOP) on the text of the training split alone, labels unseen: task-adaptive
    pre-training (Gururangan et al., 2020, "Don't stop pretraining"). The dev split's text is never read.
    Returns (model dir, seconds)."""
    from albert_nb.data import create_pretraining_data
    from albert_nb.pretrain import pretrain
    t0 = time.time()
    work.mkdir(parents=True, exist_ok=True)
    text = work/'train_split_text.txt'     # in the git-ignored run folder only: the MIT sets are never copied into the repo
    text.write_text(''.join(ex['text'] + '\n' for ex in train), encoding='utf-8')
    if not (work/'data'/'manifest.json').exists():
        # one query a line, all in one document: sentence pairs are neighbouring queries, so SOP has little to learn
        # here; the masked-LM half is what adapts the model to the queries' words
        create_pretraining_data([text], model_dir, work/'data', max_seq_length=seq_len, max_predictions_per_seq=10,
                                dupe_factor=10, doc_per_line=False)
    print(f"task-adaptive pre-training of {model_dir}: {steps} steps of {batch_size} x {seq_len} on {len(train)} training queries", flush=True)
    pretrain(work/'data', work/'pretrained', init_from=model_dir, steps=steps, batch_size=batch_size, lr=lr, optimizer='lamb',
             warmup=steps // 10, seed=seed, save_every=max(steps // 5, 50), eval_every=0, progress=False)
    secs = time.time() - t0
    (work/'pretrained'/'albert_nb_pretrain_seconds.json').write_text(json.dumps(dict(seconds=round(secs, 1), steps=steps)))
    return work/'pretrained', secs


def random_twin(out: Path, pretrained: Path | None = None, vocab: Path | None = None, preset: str = 'tiny', seed: int = 42) -> Path:
    "A randomly initialised model with the pre-trained model's config and tokenizer (or `preset` with `vocab`'s tokenizer)."
    from transformers import AutoConfig, AutoTokenizer
    from albert_nb.core import seed_everything
    from albert_nb.model import AlbertPretrainingModel, make_config
    import shutil
    shutil.rmtree(out, ignore_errors=True)      # never a stale twin of another model
    seed_everything(seed)
    tok = AutoTokenizer.from_pretrained(pretrained or vocab)
    config = AutoConfig.from_pretrained(pretrained) if pretrained else make_config(preset, len(tok))
    AlbertPretrainingModel(config).save_pretrained(out)
    tok.save_pretrained(out)
    for f in ('spiece.model', 'albert_nb_vocab.json'):   # the data stage reads the vocabulary from these
        if (Path(pretrained or vocab)/f).exists(): shutil.copy(Path(pretrained or vocab)/f, out/f)
    return out


def crf_baseline(train, dev, seed=0):
    "A CRF with the usual word features (sklearn-crfsuite's tutorial set, window of 2), scored with seqeval on `dev`."
    import pycrfsuite
    from albert_nb.finetune import tags_to_spans, spans_to_tags
    from seqeval.metrics import classification_report

    def tokens_tags(ex):
        toks, starts, pos = ex['text'].split(' '), [], 0
        for t in toks: starts.append(pos); pos += len(t) + 1
        index = {s: i for i, s in enumerate(starts)}
        chunks = [(index[s['start']], index[s['start']] + len(ex['text'][s['start']:s['end']].split(' ')), s['label']) for s in ex['spans']]
        return toks, spans_to_tags(len(toks), chunks)

    def feats(toks, i):
        w = toks[i]
        f = {'bias': 1.0, 'w': w.lower(), 'suf3': w[-3:], 'suf2': w[-2:], 'pre3': w[:3], 'digit': w.isdigit(),
             'hasdigit': any(c.isdigit() for c in w), 'title': w.istitle(), 'len': min(len(w), 8)}
        for d in (-2, -1, 1, 2):
            j = i + d
            if 0 <= j < len(toks):
                f[f'{d}:w'] = toks[j].lower(); f[f'{d}:suf3'] = toks[j][-3:]
                if abs(d) == 1: f[f'{d}:bigram'] = toks[min(i, j)].lower() + '|' + toks[max(i, j)].lower()
            else: f[f'{d}:pad'] = True
        return f

    t0 = time.time()
    trainer = pycrfsuite.Trainer(verbose=False)
    for ex in train:
        toks, tags = tokens_tags(ex)
        trainer.append([feats(toks, i) for i in range(len(toks))], tags)
    trainer.set_params({'c1': 0.1, 'c2': 0.1, 'max_iterations': 100, 'feature.possible_transitions': True})
    model = Path(os.environ.get('TMPDIR', '/tmp'))/f'mit_crf_{os.getpid()}.crfsuite'
    trainer.train(str(model))
    tagger = pycrfsuite.Tagger(); tagger.open(str(model))
    gold, pred = [], []
    for ex in dev:
        toks, tags = tokens_tags(ex)
        gold.append(tags); pred.append(tagger.tag([feats(toks, i) for i in range(len(toks))]))
    model.unlink()
    rep = classification_report(gold, pred, output_dict=True, zero_division=0)
    return dict(f1=round(rep['micro avg']['f1-score'], 4), dish_f1=round(rep['Dish']['f1-score'], 4),
                per_type={t: round(v['f1-score'], 4) for t, v in rep.items() if not t.endswith(' avg')},
                seconds=round(time.time() - t0, 1))


def run_albert(name, model_dir, train, dev, out, args):
    """Fine-tune `model_dir` at each learning rate of `--lr` and each seed of `--seeds`; keep the learning rate with the best
    mean dev F1 (overall), as one tunes on a dev set, and report its mean and spread over the seeds."""
    from statistics import mean, pstdev
    from albert_nb.finetune import finetune
    seeds = args.seeds or [args.seed]
    tried = []
    for lr in args.lr:
        runs = []
        for seed in seeds:
            print(f"\n== {name}: fine-tuning {model_dir} at lr {lr:g}, seed {seed}", flush=True)
            tag = (f"_lr{lr:g}" if len(args.lr) > 1 else '') + (f"_s{seed}" if len(seeds) > 1 else '')
            res = finetune(model_dir, train, dev, out.with_name(out.name + tag), epochs=args.epochs, lr=lr, batch_size=args.batch_size,
                           max_length=args.max_length, seed=seed, warmup_ratio=0.1, freeze=tuple(args.freeze))
            b = res['best']
            runs.append(dict(seed=seed, f1=b['f1'], precision=b['precision'], recall=b['recall'], dish_f1=b['per_type']['Dish']['f1'],
                             dish_precision=b['per_type']['Dish']['precision'], dish_recall=b['per_type']['Dish']['recall'],
                             best_epoch=res['best_epoch'], finetune_seconds=res['seconds'],
                             per_type={t: v['f1'] for t, v in b['per_type'].items()}, history=res['history']['epochs']))
        tried.append(dict(model=name, model_dir=str(model_dir), lr=lr, runs=runs,
                          **{k: round(mean(r[k] for r in runs), 4) for k in ('f1', 'dish_f1', 'precision', 'recall')},
                          f1_sd=round(pstdev(r['f1'] for r in runs), 4), dish_f1_sd=round(pstdev(r['dish_f1'] for r in runs), 4),
                          finetune_seconds=round(mean(r['finetune_seconds'] for r in runs), 1),
                          per_type=runs[0]['per_type'], history=runs[0]['history']))   # curves: the first seed's
    best = max(tried, key=lambda r: r['f1'])
    return dict(best, seeds=seeds, finetune_seconds_all=round(sum(r['finetune_seconds'] * len(r['runs']) for r in tried), 1),
                lr_sweep=[{k: r[k] for k in ('lr', 'f1', 'f1_sd', 'dish_f1', 'dish_f1_sd', 'finetune_seconds')} for r in tried])


MODELS = ['random', 'pretrained', 'random_tapt', 'pretrained_tapt']   # the ALBERT variants, in the order of the table


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--pretrained', help='pre-trained tiny ALBERT directory (the pre-training stage slow run)')
    ap.add_argument('--pretrain_seconds', type=float, help="how long --pretrained took to pre-train (read from its run if not given)")
    ap.add_argument('--pretrain_steps', type=int, default=5000,
                    help='without --pretrained: pre-train here for this many steps (5,000: ~47 min on this 2-core CPU, the run that beats random init)')
    ap.add_argument('--pretrain_only', action='store_true', help='only pre-train (into OUT/pretrain/pretrained), no fine-tuning')
    ap.add_argument('--vocab', help='vocabulary directory for the random model and for pre-training here (default: train one, 8k unigram)')
    ap.add_argument('--out', default=str(ROOT/'_runs'/'mit_restaurant'), help='working and output directory')
    ap.add_argument('--epochs', type=int, default=4)
    ap.add_argument('--lr', type=float, nargs='+', default=[3e-4, 1e-3], help='fine-tuning learning rates to try; the best on dev F1 is kept')
    ap.add_argument('--batch_size', type=int, default=32)
    ap.add_argument('--freeze', nargs='*', default=[], help='parameter names to keep as they are while fine-tuning, e.g. word_embeddings')
    ap.add_argument('--max_length', type=int, default=64, help='MIT queries are short: 64 positions hold all but a few')
    ap.add_argument('--seed', type=int, default=42, help='fine-tuning seed (the split is always seed 0)')
    ap.add_argument('--seeds', type=int, nargs='+', help='fine-tune with each of these seeds and report mean and spread (instead of --seed)')
    ap.add_argument('--tapt_steps', type=int, default=0,
                    help='task-adaptive pre-training: continue pre-training on the training split\'s text for this many steps ("tapt" models)')
    ap.add_argument('--tapt_lr', type=float, default=1e-3, help='LAMB learning rate of the task-adaptive pre-training')
    ap.add_argument('--only', choices=MODELS + ['crf'], action='append', help='run only these (repeatable)')
    args = ap.parse_args()
    if not MIT.exists(): sys.exit(f"{MIT}: not found: this script needs the shared data beside the checkout")
    import torch
    out = Path(args.out); out.mkdir(parents=True, exist_ok=True)
    train, dev = load_split()
    print(f"MIT Restaurant: {len(train)} training and {len(dev)} dev sentences (seed 0); torch threads: {torch.get_num_threads()}")
    only = set(args.only or (MODELS if args.tapt_steps else ['random', 'pretrained']) + ['crf'])
    results_file = out/'results.json'
    results = json.loads(results_file.read_text()) if results_file.exists() else {}

    pretrained, pre_secs = (Path(args.pretrained) if args.pretrained else None), args.pretrain_seconds
    if pretrained is None and (only & {'pretrained', 'pretrained_tapt'} or (only & {'random', 'random_tapt'} and not args.vocab)):
        pretrained, pre_secs = pretrain_here(out/'pretrain', args.pretrain_steps, Path(args.vocab) if args.vocab else None)
    if args.pretrain_only:
        if pretrained is None: pretrained, pre_secs = pretrain_here(out/'pretrain', args.pretrain_steps, Path(args.vocab) if args.vocab else None)
        print(f"pre-trained model: {pretrained} ({pre_secs:.0f} s)"); return
    if pretrained is not None and pre_secs is None:
        log, csv_log = pretrained/'albert_nb_pretrain_seconds.json', pretrained/'log.csv'
        if log.exists(): pre_secs = json.loads(log.read_text()).get('seconds')
        elif csv_log.exists():   # the pre-training stage's log: seconds of training (resumed runs included)
            from albert_nb.pretrain import read_log
            tr = read_log(pretrained).query("split == 'train'")
            pre_secs = float(tr.seconds.max()) if len(tr) else None
    if only & {'random', 'random_tapt'}:
        twin = random_twin(out/'random_init', pretrained, None if pretrained else Path(args.vocab))
    if 'random' in only:
        results['random'] = run_albert('tiny, random init', twin, train, dev, out/'ft_random', args)
    if 'pretrained' in only:
        results['pretrained'] = dict(run_albert('tiny, pre-trained', pretrained, train, dev, out/'ft_pretrained', args), pretrain_seconds=pre_secs)
    if args.tapt_steps:
        for key, start, name, before in (('random_tapt', lambda: twin, 'tiny, random + TAPT', 0),
                                         ('pretrained_tapt', lambda: pretrained, 'tiny, pre-trained + TAPT', pre_secs or 0)):
            if key not in only: continue
            model, secs = task_adaptive_pretrain(start(), train, out/f'tapt_{key}', args.tapt_steps, lr=args.tapt_lr)
            results[key] = dict(run_albert(name, model, train, dev, out/f'ft_{key}', args), pretrain_seconds=round(before + secs, 1),
                                tapt_seconds=round(secs, 1))
    if 'crf' in only:
        try: results['crf'] = dict(model='CRF (word features)', **crf_baseline(train, dev))
        except ImportError: print("python-crfsuite is not installed: no CRF baseline (pip install python-crfsuite)")
    results['settings'] = dict(vars(args), train_sentences=len(train), dev_sentences=len(dev), threads=torch.get_num_threads())
    results_file.write_text(json.dumps(results, indent=1))

    print(f"\n{'model':<26} {'dev F1':>7} {'Dish F1':>8} {'fine-tune':>10} {'pre-train':>10}")
    for k in MODELS + ['crf']:
        r = results.get(k)
        if not r: continue
        ft = r.get('finetune_seconds', r.get('seconds'))
        pre = r.get('pretrain_seconds')
        sd = f" ±{r['f1_sd']:.3f}" if r.get('f1_sd') else ''
        dsd = f" ±{r['dish_f1_sd']:.3f}" if r.get('dish_f1_sd') else ''
        print(f"{r['model']:<26} {r['f1']:>7.3f}{sd} {r['dish_f1']:>8.3f}{dsd} {ft:>9.0f}s {(f'{pre:.0f}s' if pre else '-'):>10}")
    print(f"results: {results_file}")


if __name__ == '__main__':
    main()
