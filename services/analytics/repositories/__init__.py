"""Queries shared by the subjects (the area condition) and those of no one subject: the
tracer endpoint's counts, the public report's counts, the rebuild's locks and inbox claims.
Each subject's own queries are in its `repository.py` (crime, accountability, engagement,
survey)."""
