"""The Today page: whom to contact today and why, with one-click actions per row."""
