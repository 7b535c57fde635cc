-- a claim checks that the job's conversation has no job running; without an
-- index on running jobs that check read the whole table (finished jobs are
-- kept for the dedupe window), 3.7 ms per claim at 30,000 rows and growing
-- with the table. running jobs are few, so this partial index stays tiny.
create index ingress_jobs_running on ingress_jobs (conversation_key)
    where state = 'running';
