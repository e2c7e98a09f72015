"""The Touchbase desktop application: windows, dialogs, Qt item models and the command line."""
