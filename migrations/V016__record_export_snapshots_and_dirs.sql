-- `itch export` fixes from the issue 14 review:
-- * `exports.snapshot_seq`: the last `export_changes` entry a run's snapshot holds, recorded as it starts, so an
--   export saving into one directory never trims log entries another one, still running into another directory
--   from an older snapshot, will need for its next run (a running row without it pins the whole log).
-- * `exports.dir_token`: the random token an export directory's `.itch-export` marker carries, so an export into a
--   directory another archive wrote is refused instead of overwriting that archive's part files.
ALTER TABLE exports ADD COLUMN snapshot_seq INTEGER;
ALTER TABLE exports ADD COLUMN dir_token TEXT;
