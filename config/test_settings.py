"""The test suite's settings: the development installation `make run` starts (DEBUG and the demo sign-in on).

The environment still decides when it says otherwise; subprocesses started by tests inherit these defaults.
"""

import os

os.environ.setdefault("DJANGO_DEBUG", "1")
os.environ.setdefault("DEMO_LOGIN_ENABLED", "1")

from config.settings import *  # noqa: E402, F403
