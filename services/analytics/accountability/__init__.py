"""Accountability: complaints, their allegation categories, findings, breached clocks, review
outcomes and oversight recommendations, from jisr.complaints.status.v1; the accountability
view."""
