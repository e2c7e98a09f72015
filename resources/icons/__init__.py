"""Touchbase's SVG icons: six medium icons, interface icons and the application icon."""
