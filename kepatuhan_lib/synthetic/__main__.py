"""python -m kepatuhan_lib.synthetic subset [DIR]: write the committed subset of the example exports."""

import sys
from pathlib import Path

from .. import config
from .exports import write_subset

if len(sys.argv) < 2 or sys.argv[1] != "subset":
    sys.exit("usage: python -m kepatuhan_lib.synthetic subset [DIR]")
target = Path(sys.argv[2]) if len(sys.argv) > 2 else config.RAW_SUBSET_BUILD_DIR
for path in write_subset(target):
    print(config.display_path(path), file=sys.stderr)
