"""Pure rules of the fora service: no I/O, so each is unit-tested without a database."""
