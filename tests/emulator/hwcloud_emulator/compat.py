"""What differs between the Python versions the installable package supports.

The package claims Python 3.9 or later (``pyproject.toml``), but
``datetime.UTC`` only exists from 3.11 on; every module takes UTC from here.
"""

import datetime

UTC = datetime.timezone.utc  # noqa: UP017 (datetime.UTC is Python 3.11+)
