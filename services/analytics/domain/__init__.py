"""Pure analytics rules: scope and filters, periods, areas, the figures of each subject, the
survey shares and the public report's suppression. No I/O: the subject packages and the
application layer feed them rows and serialise what they return."""
