"""``python -m cqckg.cli``: the ``cqckg`` command."""

import sys

from cqckg.cli import main

sys.exit(main())
