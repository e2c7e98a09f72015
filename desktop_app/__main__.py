"""``python -m desktop_app`` is the same as the ``touchbase`` command."""

from desktop_app.cli import main

raise SystemExit(main())
