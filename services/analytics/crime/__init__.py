"""Crime: incidents with their corrections (jisr.incidents.recorded.v1) and baseline alerts
(jisr.incidents.baselines.v1); the crime view with the expected band from incidents' API."""
