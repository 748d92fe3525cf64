"""The before/after evaluation of a programme (pilot area against a comparison area): its
view, and the statements of its own."""
