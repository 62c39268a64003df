#!/usr/bin/env python
"""Write README.md from nbs/index.ipynb (its markdown cells, in order), since `nbdev_readme` needs Quarto.

    python tools/readme_from_index.py           # rewrite README.md
    python tools/readme_from_index.py --check   # exit 1 if README.md is not what index.ipynb gives (CI)
"""
import json, sys
from pathlib import Path

root = Path(__file__).resolve().parents[1]
cells = json.loads((root/'nbs'/'index.ipynb').read_text(encoding='utf-8'))['cells']
text = '\n\n'.join(''.join(c['source']).strip() for c in cells if c['cell_type'] == 'markdown') + '\n'
readme = root/'README.md'
if '--check' in sys.argv:
    if readme.read_text(encoding='utf-8') != text:
        sys.exit("README.md differs from nbs/index.ipynb: edit the notebook, then run python tools/readme_from_index.py")
    print("README.md is in step with nbs/index.ipynb")
else:
    readme.write_text(text, encoding='utf-8'); print(f"wrote {readme}")
