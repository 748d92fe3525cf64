"""The pure incidents domain: submission and correction rules, week arithmetic, count changes,
alert episodes and the baseline and evaluation statistics. No I/O, not even indirectly
(import-linter checks it), so every rule is tested without a database."""
