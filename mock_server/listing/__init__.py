"""Lists: one page of a sorted list (lists.py) over offsets (pagination.py) and signed cursors (cursors.py)."""
