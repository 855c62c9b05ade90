"""RQ queues: the connection (REDIS_URL or the embedded server), enqueueing, jobs and workers."""
