"""Community engagement: fora with their areas, meetings with attendance, concerns and
actions, from jisr.fora.activity.v1 (survey results: the survey package); the engagement
view."""
