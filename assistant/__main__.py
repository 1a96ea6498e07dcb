"""``python -m assistant``: the same as the ``scr-assistant`` command."""

from assistant.cli import main

raise SystemExit(main())
