"""Every SQL statement of the incidents service, one module per family of tables.

Functions take the caller's open session and never commit: the application layer decides the
transaction. Reads return plain dicts or values, never a live table row.
"""
