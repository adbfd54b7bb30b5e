"""``python -m safecredit_desktop`` opens the window."""

import multiprocessing
import sys

from safecredit_desktop.gui.app import main

if __name__ == "__main__":
    # in the bundle, the import's planning worker (core/exchange/plan_worker.py) is this
    # program started again: freeze_support runs the worker instead of the window
    multiprocessing.freeze_support()
    sys.exit(main())
