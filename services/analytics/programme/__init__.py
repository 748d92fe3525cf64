"""Programme work from jisr.fora.activity.v1: outreach and trainings, forum membership, safety
plan indicators, SARA cases and their assessments; the outreach, membership, plans and sara
views."""
