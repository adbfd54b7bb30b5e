"""``python -m safecredit_desktop`` opens the window."""

import multiprocessing
import sys

if __name__ == "__main__":
    # In the bundle, the import's planning worker (core/exchange/plan_worker.py) is this
    # program started again: freeze_support runs the worker there instead of the window,
    # before the window's libraries are loaded.
    multiprocessing.freeze_support()
    from safecredit_desktop.gui.app import main

    sys.exit(main())
