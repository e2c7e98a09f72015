"""Journeys in the app: the board, the detail pane's stage section, the Journey settings page,
the stage-mapping dialog and the prompt for a reason when a contact moves backward."""
