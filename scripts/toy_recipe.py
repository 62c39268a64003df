#!/usr/bin/env python
"""How often does the seed toy come out exactly right? Counts exact hits of `finetune_toy` for several settings.

The seed toy (two training rows, `07_finetune`) is a test of memory as much as of language, and its result turns on the
last bits of the pre-trained toy model, which differ from one CPU to the next. This script pre-trains the toy model with
several seeds (`pretrain_toy`), fine-tunes each with several seeds under each setting, and counts how often the
validation rows give exactly [chicken rice] and [mala steamboat]. It chose `TOY_FINETUNE`; run it on a new machine
before trusting the toy test there.

    python scripts/toy_recipe.py                       # fine-tuning seeds 42, 0-8 (the choice)
    python scripts/toy_recipe.py --seeds 10 11 12 13 14 15 16 17 18 19   # fresh seeds (the check)
"""
import argparse, tempfile, time
from pathlib import Path
import pandas as pd
from albert_nb.core import toy_data_dir
from albert_nb.pretrain import pretrain_toy
from albert_nb.finetune import TOY_FINETUNE, finetune_toy, predict_entities

SETTINGS = {'TOY_FINETUNE': {}, 'dropout 0.1, 80 epochs (before)': dict(dropout=0.1, epochs=80),
            'dropout 0.3, 80 epochs': dict(dropout=0.3, epochs=80), 'dropout 0.4, 80 epochs': dict(dropout=0.4, epochs=80)}
WANT = [['chicken rice'], ['mala steamboat']]

def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--pretrain_seeds', type=int, nargs='+', default=[42, 1, 2, 3, 4])
    ap.add_argument('--seeds', type=int, nargs='+', default=[42, *range(9)], help='fine-tuning seeds')
    a = ap.parse_args()
    work = Path(tempfile.mkdtemp())
    reviews = list(pd.read_csv(toy_data_dir()/'dish_name_val.csv').review)
    for ps in a.pretrain_seeds: pretrain_toy(work/f'toy_{ps}', work=work/'inputs', seed=ps)
    print(f"TOY_FINETUNE = {TOY_FINETUNE}\nexact hits per toy pre-training seed {a.pretrain_seeds}, of {len(a.seeds)} fine-tuning seeds each:")
    for k, (name, kw) in enumerate(SETTINGS.items()):
        t0, hits = time.time(), []
        for ps in a.pretrain_seeds:
            n = 0
            for s in a.seeds:
                out = work/f'ft_{k}_{ps}_{s}'   # one folder per setting, toy model and seed
                finetune_toy(work/f'toy_{ps}', out, **{**kw, 'seed': s})
                n += [[e['text'] for e in f] for f in predict_entities(out, texts=reviews)] == WANT
            hits.append(n)
        print(f"  {name:<34} {hits}  {sum(hits)} of {len(hits) * len(a.seeds)}  ({time.time() - t0:.0f} s)", flush=True)

if __name__ == '__main__':
    main()
