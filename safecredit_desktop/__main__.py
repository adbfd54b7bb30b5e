"""``python -m safecredit_desktop`` opens the window."""

import sys

from safecredit_desktop.gui.app import main

sys.exit(main())
