"""Shared test configuration.

Hypothesis keeps its example database and caches under tests/.hypothesis
(git-ignored) rather than the repository root; the kernel tests also pass
``database=None``, so runs do not depend on earlier ones.
"""

import os

os.environ.setdefault("HYPOTHESIS_STORAGE_DIRECTORY",
                      os.path.join(os.path.dirname(os.path.abspath(__file__)), ".hypothesis"))
