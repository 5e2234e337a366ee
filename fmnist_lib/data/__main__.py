"""``python -m fmnist_lib.data``: check (or download) the Fashion-MNIST files."""

import sys

from fmnist_lib.data.fashion import main

sys.exit(main())
