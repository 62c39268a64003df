#!/usr/bin/env python
"""MIT Restaurant: the recipe that beats a CRF, what pre-training adds, and how that depends on the number of labels.

Everything is measured on one dev set: a seeded 90/10 split of the shared training file `restauranttrain.bio`
(split seed 0: 6,894 training and 766 dev sentences; `finetune`'s own default split, so `albert_nb_finetune` with no
`--dev` holds out the same sentences). The corpus' test split is never read, and nothing is tuned on anything else.
Fine-tuning uses `finetune`'s defaults for the model's size (`FINETUNE_RECIPES`: for `tiny`, lr 3e-4, up to 40 epochs
with patience 5, a CRF layer, token masking 0.2, and hashed word features beside the encoder) unless a flag says otherwise.

Three subcommands, and a fourth that reads a fine-tuned model three ways:

  recipe   pre-train `tiny` on the shared English corpora plus the training split's queries (or reuse a finished
           pre-training in --work, or --pretrained), fine-tune it on the shared training file with the defaults, and
           write the fine-tuned directory to --out (`albert_nb_predict --model OUT` serves it). Prints dev F1 overall
           and Dish, the CRF baseline's on the same split (measured in the same run), and the minutes it took.
  compare  pre-trained against its random twin (same config and tokenizer), each with several fine-tuning seeds
           (mean and spread), the same without the CRF layer or without word features, and a CRF with word features
           (python-crfsuite).
  curve    the learning curve: dev F1 overall and Dish against the number of labelled training sentences, for the
           CRF, random init and pre-trained, the mean of several seeds (each seed draws its own subset), with a plot.
  decoding the dev F1 of one fine-tuned directory decoded by argmax, by Viterbi under the BIO constraints, and by
           Viterbi with its CRF layer's transitions (what evaluation and albert_nb_predict use).

    python scripts/mit_restaurant.py recipe --out _runs/mit_dish                 # pre-training (66 min measured on one busy core), then ~5 min of fine-tuning
    python scripts/mit_restaurant.py compare --seeds 1 2 3
    python scripts/mit_restaurant.py curve --sizes 100 300 1000 3000 0 --seeds 1 2 3   # reuses compare's runs for 0 (all)
    # on two cores, two processes can fill one --work side by side, e.g. compare --only random & compare --only pretrained
    # a check of the logic in a few minutes (tiny budgets: not a result)
    python scripts/mit_restaurant.py recipe --out /tmp/mit_check --work /tmp/mit_work --pretrain_steps 20 --pretrain_lines 300 \\
        --vocab_size 1000 --train_sentences 200 --epochs 2

Pre-training (vocabulary, data, LAMB run) lives in --work (default `_runs/mit_restaurant`) and is reused by every
subcommand once it has finished with the same budget (steps, corpus lines, vocabulary size).
Add --no_word_features (or --no_crf) to any subcommand to measure the recipe without them.
"""
import argparse, json, os, sys, time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent/'shared'/'data'
MIT = SHARED/'mit_restaurant'/'restauranttrain.bio'
EN_CORPUS = [SHARED/'pretrain_en'/'mams_restaurant_sentences.txt', SHARED/'pretrain_en'/'cooking_stackexchange_posts.txt']
SPLIT_SEED, DEV_SHARE = 0, 0.1    # finetune's defaults (dev_split=0.1, split_seed=0): the one dev set


def load_split():
    "The MIT Restaurant training file as examples, split 90/10 with seed 0 (the same split `finetune` makes by default)."
    from albert_nb.finetune import read_bio, split_examples
    return split_examples(read_bio(MIT), DEV_SHARE, SPLIT_SEED)


def subset(train: list, n: int, seed: int) -> list:
    "`n` training sentences drawn with `seed` (all of them for n = 0 or n >= len(train)), in file order."
    import numpy as np
    if not n or n >= len(train): return train
    return [train[i] for i in sorted(np.random.default_rng(seed).permutation(len(train))[:n])]


def pretrain_here(work: Path, steps: int, lines: int = 0, vocab_size: int = 8000, batch_size: int = 32, seq_len: int = 64,
                  lr: float = 2e-3, seed: int = 42) -> tuple[Path, float]:
    """Vocabulary (unigram), pre-training data and a `tiny` MLM+SOP run on the shared English corpora plus the training
    split's queries (never the dev split), in `work`; reused when
    it finished before with the same budget. `lines` > 0 keeps only the first `lines` lines of each corpus file (for checks).
    Returns (model dir, seconds)."""
    from albert_nb.vocab import train_vocab
    from albert_nb.data import create_pretraining_data
    from albert_nb.pretrain import pretrain
    budget = dict(steps=steps, lines=lines, vocab_size=vocab_size, batch_size=batch_size, seq_len=seq_len, lr=lr, seed=seed,
                  corpus='english+mit_train_x2')
    timing = work/'pretrained'/'albert_nb_pretrain_seconds.json'   # written last, once the run has finished
    done = json.loads(timing.read_text()) if timing.exists() else {}
    if done.get('budget') == budget and done.get('seconds') is not None:
        print(f"pre-trained model: {work/'pretrained'} (finished before, {steps} steps: reused)", flush=True)
        return work/'pretrained', done['seconds']
    if timing.exists() or (work/'pretrained').exists():
        sys.exit(f"{work}: holds a pre-training with another budget ({done.get('budget', done)}): pass another --work")
    t0 = time.time()
    work.mkdir(parents=True, exist_ok=True)
    corpus = EN_CORPUS
    if lines:   # a small slice, for checking the script's logic
        corpus = []
        for f in EN_CORPUS:
            with open(f, encoding='utf-8') as fh: head = [next(fh, '') for _ in range(lines)]
            (work/f.name).write_text(''.join(head), encoding='utf-8'); corpus.append(work/f.name)
    # the task's own unlabelled text: the training split's queries, never the dev split (07: 1.161 -> 1.083 pieces a word)
    task = work/'mit_train_text.txt'
    train, _ = load_split()
    task.write_text(''.join(e['text'] + '\n' for e in train[:lines or None]), encoding='utf-8')
    vocab = train_vocab(corpus + [task], work/'vocab', vocab_size=vocab_size, doc_per_line=True, exact_size=False)
    if not (work/'data'/'manifest.json').exists():   # short sequences: MIT queries are ~10 pieces, and a step costs less
        # MAMS: one sentence a line, no document boundaries (one long document); cooking posts: one post a line;
        # the queries twice (more maskings of the text the model will tag: 21 % of the corpus bytes instead of 12 %)
        create_pretraining_data(corpus + [task, task], vocab, work/'data', max_seq_length=seq_len, max_predictions_per_seq=10,
                                dupe_factor=3, doc_per_line=[False, True, False, False])
    prep = time.time() - t0
    print(f"pre-training data ready ({prep:.0f} s); pre-training {steps} steps of {batch_size} x {seq_len}", flush=True)
    # LAMB at 2e-3 (batch 32), the pre-training stage's measured setting: AdamW at 1e-3 collapses `tiny` (see 05_pretrain)
    res = pretrain(work/'data', work/'pretrained', config='tiny', steps=steps, batch_size=batch_size, lr=lr, optimizer='lamb',
                   warmup=max(steps // 10, 1), seed=seed, save_every=max(steps // 5, 10), eval_every=0, progress=False)
    # a killed run that resumed here: its training seconds count across the invocations (the loop's log keeps them)
    secs = max(time.time() - t0, prep + res.get('train', {}).get('seconds', 0.0))
    timing.write_text(json.dumps(dict(seconds=round(secs, 1), steps=steps, budget=budget)))
    return work/'pretrained', secs


def pretrained_model(args) -> tuple[Path, float | None]:
    "The pre-trained `tiny`: --pretrained, or one pre-trained (or reused) in --work/pretrain; and how long it took."
    if args.pretrained:
        p = Path(args.pretrained)
        log = p/'albert_nb_pretrain_seconds.json'
        secs = json.loads(log.read_text()).get('seconds') if log.exists() else None
        if secs is None and (p/'log.csv').exists():   # the pre-training stage's log: seconds of training (resumed runs included)
            from albert_nb.pretrain import read_log
            tr = read_log(p).query("split == 'train'")
            secs = float(tr.seconds.max()) if len(tr) else None
        return p, secs
    return pretrain_here(Path(args.work)/'pretrain', args.pretrain_steps, args.pretrain_lines, args.vocab_size)


def random_twin(out: Path, pretrained: Path, seed: int = 42) -> Path:
    "A randomly initialised model with the pre-trained model's config and tokenizer: the two differ only in their weights."
    import shutil
    from transformers import AutoConfig, AutoTokenizer
    from albert_nb.core import seed_everything
    from albert_nb.model import AlbertPretrainingModel
    def same(a: Path, b: Path) -> bool:     # same config (the architecture aside) and the same vocabulary
        cfg = lambda d: {k: v for k, v in json.loads((d/'config.json').read_text()).items()
                         if k not in ('architectures', 'transformers_version', '_name_or_path', 'dtype', 'torch_dtype')}
        return cfg(a) == cfg(b) and (a/'spiece.model').read_bytes() == (b/'spiece.model').read_bytes()
    if (out/'model.safetensors').exists() and (out/'config.json').exists() and same(out, pretrained):
        return out                              # made before, with the same seed: the same weights (runs may be using it)
    shutil.rmtree(out, ignore_errors=True)      # never a stale twin of another model
    seed_everything(seed)
    tok = AutoTokenizer.from_pretrained(pretrained)
    AlbertPretrainingModel(AutoConfig.from_pretrained(pretrained)).save_pretrained(out)
    tok.save_pretrained(out)
    for f in ('spiece.model', 'albert_nb_vocab.json'):   # the data stage reads the vocabulary from these
        if (pretrained/f).exists(): shutil.copy(pretrained/f, out/f)
    return out


def crf_baseline(train, dev):
    "A CRF with the usual word features (sklearn-crfsuite's tutorial set, window of 2), scored with seqeval on `dev`."
    import pycrfsuite
    from albert_nb.finetune import spans_to_tags
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
    return dict(f1=round(rep['micro avg']['f1-score'], 4), dish_f1=round(rep.get('Dish', {}).get('f1-score', 0.0), 4),
                per_type={t: round(v['f1-score'], 4) for t, v in rep.items() if not t.endswith(' avg')},
                seconds=round(time.time() - t0, 1))


def finetune_kwargs(args) -> dict:
    "The settings a flag overrides; everything else is `finetune`'s default for the model (its recipe)."
    kw = dict(epochs=args.epochs, lr=args.lr, batch_size=args.batch_size, early_stopping_patience=args.patience,
              mask_prob=args.mask_prob, max_length=args.max_length)
    if args.crf is not None: kw['crf'] = args.crf
    if getattr(args, 'word_features', None) is not None: kw['word_features'] = args.word_features
    return {k: v for k, v in kw.items() if v is not None}


def fine_tune(model_dir, train, dev, out, seed, args, **extra) -> dict:
    "One fine-tuning; its dev scores in a row."
    from albert_nb.finetune import finetune
    res = finetune(model_dir, train, dev, out, seed=seed, overwrite=True, progress=not args.quiet, **{**finetune_kwargs(args), **extra})
    b = res['best']; dish = b['per_type'].get('Dish', dict(f1=0.0, precision=0.0, recall=0.0))
    return dict(seed=seed, f1=b['f1'], precision=b['precision'], recall=b['recall'], dish_f1=dish['f1'],
                best_epoch=res['best_epoch'], stopped_at=res.get('stopped_at'), recipe=res['recipe'], crf=res['crf'], lr=res['lr'],
                word_features=res.get('word_features', False),
                finetune_seconds=res['seconds'], per_type={t: v['f1'] for t, v in b['per_type'].items()}, history=res['history']['epochs'])


def summarise(name: str, runs: list) -> dict:
    from statistics import mean, pstdev
    return dict(model=name, runs=runs, **{k: round(mean(r[k] for r in runs), 4) for k in ('f1', 'dish_f1', 'precision', 'recall')},
                f1_sd=round(pstdev(r['f1'] for r in runs), 4), dish_f1_sd=round(pstdev(r['dish_f1'] for r in runs), 4),
                finetune_seconds=round(mean(r['finetune_seconds'] for r in runs), 1))


def cmd_recipe(args):
    "Pre-train (or reuse), fine-tune with the defaults on the shared training file, write --out, print dev F1 and the time."
    t0 = time.time()
    model, pre_secs = pretrained_model(args)
    reused = pre_secs is not None and time.time() - t0 < pre_secs / 2
    train, dev = load_split()
    if args.train_sentences: train = subset(train, args.train_sentences, 0)
    # the shared file itself, split by finetune's default (same sentences as load_split); a subset is passed as examples
    source, dev_arg = (MIT, None) if not args.train_sentences else (train, dev)
    t1 = time.time()
    row = fine_tune(model, source, dev_arg, Path(args.out), args.seed, args)
    ft_secs = time.time() - t1
    total = (pre_secs or 0) + ft_secs if reused else time.time() - t0
    print(f"\nrecipe: {row['recipe']} (lr {row['lr']:g}, CRF {'on' if row['crf'] else 'off'}, word features {'on' if row['word_features'] else 'off'}), best epoch {row['best_epoch']} "
          f"of {row['stopped_at']}; {len(train)} training and {len(dev)} dev sentences")
    try: base = crf_baseline(train, dev); crf_line = f"{100 * base['f1']:.1f} / {100 * base['dish_f1']:.1f}, trained in {base['seconds']:.0f} s"
    except ImportError: base, crf_line = None, "not measured: pip install python-crfsuite"
    print(f"dev F1 {100 * row['f1']:.1f} overall, {100 * row['dish_f1']:.1f} Dish (CRF baseline on this split: {crf_line})")
    print(f"time: {total / 60:.1f} min ({(pre_secs or 0) / 60:.1f} pre-training{' (reused: its original time)' if reused else ''}, "
          f"{ft_secs / 60:.1f} fine-tuning)")
    print(f"model: {args.out}   (serve it: albert_nb_predict --model {args.out} 'any cheap thai places with good pad thai')")
    Path(args.out, 'mit_recipe.json').write_text(json.dumps(dict(row, pretrained=str(model), pretrain_seconds=pre_secs, crf_baseline=base,
                                                                 finetune_seconds=round(ft_secs, 1), minutes=round(total / 60, 1)), indent=1))


VARIANTS = ['random', 'pretrained', 'random_nocrf', 'pretrained_nocrf', 'random_nowf', 'pretrained_nowf', 'crf']


def cmd_compare(args):
    "Pre-trained vs random init (with and without the CRF layer), several seeds each, and the CRF baseline; a table."
    import torch
    work = Path(args.work); work.mkdir(parents=True, exist_ok=True)
    train, dev = load_split()
    if args.train_sentences: train = subset(train, args.train_sentences, 0)
    print(f"MIT Restaurant: {len(train)} training and {len(dev)} dev sentences (split seed {SPLIT_SEED}); torch threads: {torch.get_num_threads()}")
    only = args.only or VARIANTS
    results_file = work/'results.json'
    results = json.loads(results_file.read_text()) if results_file.exists() else {}
    model, pre_secs = pretrained_model(args) if set(only) - {'crf'} else (None, None)
    twin = random_twin(work/'random_init', model) if any(v.startswith('random') for v in only) else None
    for v in only:
        if v == 'crf': continue
        start = twin if v.startswith('random') else model
        extra = dict(crf=False) if v.endswith('_nocrf') else dict(word_features=False) if v.endswith('_nowf') else {}
        runs = [fine_tune(start, train, dev, work/f'ft_{v}_s{s}', s, args, **extra) for s in args.seeds]
        name = (('tiny, random init' if v.startswith('random') else 'tiny, pre-trained')
                + (', no CRF layer' if v.endswith('_nocrf') else ', no word features' if v.endswith('_nowf') else ''))
        results[v] = dict(summarise(name, runs), pretrain_seconds=None if v.startswith('random') else pre_secs)
    if 'crf' in only:
        try: results['crf'] = dict(model='CRF (word features)', **crf_baseline(train, dev))
        except ImportError: print("python-crfsuite is not installed: no CRF baseline (pip install python-crfsuite)")
    results['settings'] = dict({k: v for k, v in vars(args).items() if k != 'func'}, train_sentences=len(train), dev_sentences=len(dev),
                               threads=torch.get_num_threads(), finetune=finetune_kwargs(args))
    # another process may have filled other variants in the meantime (e.g. `--only random` beside `--only pretrained`)
    on_disk = json.loads(results_file.read_text()) if results_file.exists() else {}
    results = {**on_disk, **{k: v for k, v in results.items() if k in only or k == 'settings'}}
    results_file.write_text(json.dumps(results, indent=1))
    print(f"\n{'model':<34} {'dev F1':>13} {'Dish F1':>13} {'fine-tune':>10} {'pre-train':>10}")
    for k in VARIANTS:
        r = results.get(k)
        if not r: continue
        ft, pre = r.get('finetune_seconds', r.get('seconds')), r.get('pretrain_seconds')
        sd = lambda key: f"±{100 * r[key]:.1f}" if key in r else ''
        print(f"{r['model']:<34} {100 * r['f1']:>7.1f} {sd('f1_sd'):<5} {100 * r['dish_f1']:>7.1f} {sd('dish_f1_sd'):<5} "
              f"{ft:>9.0f}s {(f'{pre:.0f}s' if pre else '-'):>10}")
    print(f"results: {results_file}")


def curve_file_for(work: Path, args, model, dev_sentences: int) -> Path:
    "Where the curve's finished points live: named by the fine-tuning settings (flags and the recipe they change) and the model."
    from albert_nb.pretrain import fingerprint
    from albert_nb.finetune import FINETUNE_RECIPES
    key = dict(finetune_kwargs(args), recipe=FINETUNE_RECIPES['tiny'], model=str(Path(model).resolve()), dev=dev_sentences)
    return work/f"curve_{fingerprint(key)[:8]}.json"


def compare_run(work: Path, name: str, seed: int, args, n_train: int) -> dict | None:
    "The run of `compare` with this variant and seed on all `n_train` training sentences and the same fine-tuning settings, if there is one."
    f = work/'results.json'
    res = json.loads(f.read_text()) if f.exists() else {}
    st = res.get('settings', {})
    if name not in res or st.get('finetune') != finetune_kwargs(args) or st.get('train_sentences') != n_train: return None
    if args.pretrained and st.get('pretrained') != args.pretrained: return None
    return next((r for r in res[name]['runs'] if r['seed'] == seed), None)


def save_points(curve_file: Path, curve: dict) -> dict:
    "Write the curve's points, with those another process wrote since (read just before writing): all of them, returned."
    curve = {**(json.loads(curve_file.read_text()) if curve_file.exists() else {}), **curve}
    curve_file.write_text(json.dumps(curve, indent=1))
    return curve


def cmd_curve(args):
    "Dev F1 (overall, Dish) against the number of labelled sentences: CRF, random init, pre-trained; mean of seeds; a plot."
    from statistics import mean
    work = Path(args.work); work.mkdir(parents=True, exist_ok=True)
    train, dev = load_split()
    model, _ = pretrained_model(args)
    twin = random_twin(work/'random_init', model)
    curve_file = curve_file_for(work, args, model, len(dev))
    curve = json.loads(curve_file.read_text()) if curve_file.exists() else {}
    for n in args.sizes:
        size = len(subset(train, n, 0))
        for s in args.seeds:
            part = subset(train, n, s)
            for name, start in (('random', twin), ('pretrained', model), ('crf', None)):
                if args.only and name not in args.only: continue
                key = f"{name}/{size}/{s}"
                if curve_file.exists(): curve = {**json.loads(curve_file.read_text()), **curve}   # points another process added
                if key in curve: continue      # done in an earlier invocation
                if start is not None and size == len(train) and (r := compare_run(work, name, s, args, len(train))):   # `compare` ran it already
                    curve[key] = dict(f1=r['f1'], dish_f1=r['dish_f1'], seconds=r['finetune_seconds'], best_epoch=r['best_epoch'], from_compare=True)
                    save_points(curve_file, curve); continue
                if start is None:
                    try: r = crf_baseline(part, dev)
                    except ImportError: continue
                    curve[key] = dict(f1=r['f1'], dish_f1=r['dish_f1'], seconds=r['seconds'])
                else:
                    r = fine_tune(start, part, dev, work/f'curve_{name}', s, args)
                    curve[key] = dict(f1=r['f1'], dish_f1=r['dish_f1'], seconds=r['finetune_seconds'], best_epoch=r['best_epoch'])
                curve = save_points(curve_file, curve)
                print(f"{name:<10} {size:>5} sentences, seed {s}: dev F1 {100 * curve[key]['f1']:.1f}, Dish {100 * curve[key]['dish_f1']:.1f}", flush=True)
    sizes = sorted({len(subset(train, n, 0)) for n in args.sizes})
    table = {name: {n: {k: round(mean(curve[f"{name}/{n}/{s}"][k] for s in args.seeds), 4) for k in ('f1', 'dish_f1')}
                    for n in sizes if all(f"{name}/{n}/{s}" in curve for s in args.seeds)} for name in ('crf', 'random', 'pretrained')}
    (work/'curve_mean.json').write_text(json.dumps(dict(seeds=args.seeds, sizes=sizes, mean=table), indent=1))
    print(f"\nmean of seeds {args.seeds}: dev F1 overall / Dish")
    print(f"{'sentences':>10} " + ''.join(f"{k:>18}" for k in table))
    for n in sizes:
        print(f"{n:>10} " + ''.join(f"{100 * t[n]['f1']:>10.1f} / {100 * t[n]['dish_f1']:>4.1f}" if n in t else f"{'-':>18}" for t in table.values()))
    import matplotlib; matplotlib.use('Agg'); import matplotlib.pyplot as plt
    fig, ax = plt.subplots(1, 2, figsize=(10, 3.4))
    for name, t in table.items():
        xs = [n for n in sizes if n in t]
        label = dict(crf='CRF, word features', random='ALBERT tiny, random init', pretrained='ALBERT tiny, pre-trained')[name]
        for a, k in zip(ax, ('f1', 'dish_f1')): a.plot(xs, [100 * t[n][k] for n in xs], 'o-', label=label)
    for a, title in zip(ax, ('dev F1, all types', 'dev F1, Dish')):
        a.set_xscale('log'); a.set_xlabel('labelled training sentences'); a.set_title(title); a.legend(fontsize=8)
    fig.suptitle(f"MIT Restaurant learning curve (mean of seeds {', '.join(map(str, args.seeds))})"); fig.tight_layout()
    fig.savefig(work/'curve.png', dpi=90)
    print(f"curve: {work/'curve.png'}, {work/'curve_mean.json'}")


def cmd_decoding(args):
    "One fine-tuned directory read three ways on the dev split: argmax, Viterbi under the BIO constraints, and Viterbi + its CRF transitions."
    from albert_nb.finetune import evaluate_ner
    from albert_nb.tagging import Tagger, tags_to_spans, read_crf
    _, dev = load_split()
    tagger = Tagger.from_pretrained(args.model)
    texts, rows = [e['text'] for e in dev], []
    scores = tagger.word_scores(texts)                  # the same for every decoding: only the reading differs
    ways = [('argmax (each word its likeliest tag)', 'argmax', None), ('Viterbi, BIO constraints only', 'viterbi', None)]
    if (crf := read_crf(args.model)) is not None: ways.append(('Viterbi + the CRF layer\'s transitions (the default)', 'viterbi', crf))
    for name, decode, trans in ways:
        t = Tagger(tagger.model, tagger.tokenizer, tagger.max_length, tagger.stride, decode=decode, transitions=trans, features=tagger.features)
        ev = evaluate_ner(t.model, t.tokenizer, dev, t.max_length, t.stride, transitions=trans, decode=decode, features=tagger.features)
        orphans = sum(len(tags_to_spans(g)[1]) for g in t.decode(scores))
        rows.append(dict(decoding=name, f1=ev['f1'], precision=ev['precision'], recall=ev['recall'], dish_f1=ev['per_type']['Dish']['f1'], orphan_I=orphans))
        print(f"{name:<52} F1 {100 * ev['f1']:5.1f}  P {100 * ev['precision']:5.1f}  R {100 * ev['recall']:5.1f}  Dish {100 * rows[-1]['dish_f1']:5.1f}  orphan I- {orphans}")
    Path(args.model, 'mit_decoding.json').write_text(json.dumps(rows, indent=1))


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest='command', required=True)
    common = argparse.ArgumentParser(add_help=False)
    g = common.add_argument_group('pre-training (reused from --work when it finished with the same budget)')
    g.add_argument('--work', default=str(ROOT/'_runs'/'mit_restaurant'), help='working directory: pre-training, runs, results')
    g.add_argument('--pretrained', help='a pre-trained tiny ALBERT directory to use instead of pre-training here')
    g.add_argument('--pretrain_steps', type=int, default=5000, help='LAMB steps of 32 x 64 (5,000 took 66 min on one thread of this 2-core CPU, the other core busy)')
    g.add_argument('--pretrain_lines', type=int, default=0, help='use only the first N lines of each English corpus (0: all; for checks)')
    g.add_argument('--vocab_size', type=int, default=8000, help='unigram vocabulary size of a pre-training here')
    f = common.add_argument_group("fine-tuning (default: finetune's recipe for the model's size)")
    f.add_argument('--epochs', type=int, help='most epochs (early stopping on dev F1 ends sooner)')
    f.add_argument('--lr', type=float); f.add_argument('--batch_size', type=int); f.add_argument('--patience', type=int)
    f.add_argument('--mask_prob', type=float, help='share of input pieces replaced by [MASK] while training')
    f.add_argument('--crf', dest='crf', action='store_true', default=None, help='a CRF output layer')
    f.add_argument('--no_crf', dest='crf', action='store_false', help='no CRF output layer')
    f.add_argument('--word_features', dest='word_features', action='store_true', default=None, help='hashed word features beside the encoder')
    f.add_argument('--no_word_features', dest='word_features', action='store_false', help='no word features')
    f.add_argument('--max_length', type=int, default=64, help='MIT queries are short: 64 positions hold all but a few')
    f.add_argument('--train_sentences', type=int, default=0, help='fine-tune on a seeded subset of this many training sentences (0: all)')
    f.add_argument('--quiet', action='store_true', help='no progress bars')
    p = sub.add_parser('recipe', parents=[common], help='pre-train (or reuse) and fine-tune with the defaults; write --out')
    p.add_argument('--out', required=True, help='the fine-tuned model directory (albert_nb_predict --model OUT serves it)')
    p.add_argument('--seed', type=int, default=42, help='fine-tuning seed')
    p.set_defaults(func=cmd_recipe)
    p = sub.add_parser('compare', parents=[common], help='pre-trained vs random init (several seeds), with and without the CRF layer, and a CRF')
    p.add_argument('--seeds', type=int, nargs='+', default=[1, 2, 3], help='fine-tuning seeds (mean and spread; the same as curve\'s, which reuses these runs)')
    p.add_argument('--only', choices=VARIANTS, action='append', help='run only these (repeatable)')
    p.set_defaults(func=cmd_compare)
    p = sub.add_parser('curve', parents=[common], help='learning curve over the number of labelled sentences, with a plot')
    p.add_argument('--sizes', type=int, nargs='+', default=[100, 300, 1000, 3000, 0], help='training sentences (0: all)')
    p.add_argument('--seeds', type=int, nargs='+', default=[1, 2, 3], help='one subset and one fine-tuning per seed')
    p.add_argument('--only', choices=['crf', 'random', 'pretrained'], action='append', help='run only these (repeatable)')
    p.set_defaults(func=cmd_curve)
    p = sub.add_parser('decoding', help='a fine-tuned directory read three ways on the dev split (argmax, Viterbi, Viterbi + CRF)')
    p.add_argument('--model', required=True, help='a fine-tuned directory (e.g. the recipe\'s --out)')
    p.set_defaults(func=cmd_decoding)
    args = ap.parse_args(argv)
    if not MIT.exists(): sys.exit(f"{MIT}: not found: this script needs the shared data beside the checkout")
    args.func(args)


if __name__ == '__main__':
    main()
