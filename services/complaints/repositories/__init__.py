"""Every SQL statement of the complaints service, one module per family of tables:
`cases` (complaints, allegations, the notifications a move queues), `events` (the feed and
ledger copy in complaint_events), `access` (who sees what, as WHERE clauses), `oversight`
(bodies, recommendations), `clocks` (deadline events once), `notifications`, `checkpoints`,
and the scheduler's `leadership` lock."""
