"""The complaints rules, with no I/O: the lifecycle and its decisions (`lifecycle.decide`), the
statutory clocks (`clocks`), the hash-chained ledger (`ledger`), intake rules (`intake`),
identifiers (`identifiers`) and what the complainant reads (`texts`)."""
