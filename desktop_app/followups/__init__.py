"""Follow-ups in the app: the follow-up dialog, the detail-pane section, the settings page and
the command-line subcommands."""
