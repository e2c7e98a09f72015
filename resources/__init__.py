"""Data shipped with Touchbase: journey models, icons and the style sheet."""
