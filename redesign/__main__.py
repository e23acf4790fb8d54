"""``python -m redesign``: see `redesign.cli`."""

import sys

from redesign.cli import main

sys.exit(main())
