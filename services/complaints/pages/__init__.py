"""The citizens' pages: server-rendered HTML (Arabic first, English), no JavaScript needed.

They call the same application functions as the JSON public routes (`routes/public.py`):
filing goes through `application.intake`, tracking through `application.tracking`, a review
request through `application.transitions`; this package only renders and parses forms."""
