"""Every SQL statement of the fora service, one module per family of tables. Functions take
the caller's open session and return rows (or nothing); they decide nothing."""
