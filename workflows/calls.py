"""How every workflow calls its activities: one retry policy and one timeout, so a database
that is down for a while delays the work instead of failing it (SPEC §7)."""

from datetime import timedelta

from temporalio.common import RetryPolicy, SearchAttributeKey

#: Retried without end, backing off to every 30 s: an activity fails only by raising a
#: non-retryable error (bad data), never because a service was briefly away.
RETRY = RetryPolicy(initial_interval=timedelta(seconds=1), maximum_interval=timedelta(seconds=30))
#: One attempt's bound: the activities write a few rows or call Temporal once.
TIMEOUT = timedelta(seconds=30)
#: A scheduled run's activities register a contract's inspections, one request per asset.
LONG_TIMEOUT = timedelta(minutes=1)
#: Set by Temporal on every workflow a schedule starts (a trigger sets it to the trigger time).
SCHEDULED_START = SearchAttributeKey.for_datetime("TemporalScheduledStartTime")
