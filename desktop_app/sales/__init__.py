"""Purchases, lifecycle, lifetime value and satisfaction in the app."""
