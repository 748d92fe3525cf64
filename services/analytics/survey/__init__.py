"""Perception surveys: `survey.results_published` from jisr.fora.activity.v1 (the latest
publication of each wave), and the survey part of the engagement view."""
