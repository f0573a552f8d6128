"""``python -m spinmem``: the ``spinmem`` command."""

import sys

from .cli import main

sys.exit(main())
