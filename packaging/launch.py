"""The frozen Touchbase's entry point: the same as the ``touchbase`` command."""

from desktop_app.cli import main

raise SystemExit(main())
