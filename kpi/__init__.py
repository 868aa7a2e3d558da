"""Key performance indicators (KPI, 考核指标): what the clocks, repairs, loans, revisits and
complaints of a period add up to (`kpi.engine`), and the SLA what-if (`kpi.what_if`).

The definitions below are also the README's ("KPI definitions"); a test keeps them the same.

DEFINITIONS:
- **Period**: from the local midnight starting `from` to the one ending `to`, in the service
  time zone; days, ISO weeks (from Monday) and months are cut in that zone too.
- **Clocks ended in the period**: a clock ends when its goal is reached (its met instant), or,
  breached and never reached, when its request ended; it counts in the period of its end.
  **Met**: ended in time; **breached**: ended late; **compliance** = met / ended. A clock still
  running or paused has not ended; one cancelled with its request never ends.
- **Breached, still running**: clocks due in the period, breached, goal not reached yet.
- **Business minutes**: on the clock's own calendar, outside the pauses up to its due instant
  (after a breach a pause no longer holds it): what the SLA counts. **Wall minutes**: real time
  from start to end, pauses included. Mean and p90 (nearest rank) of the clocks ended.
- **Engineer** of a clock: the one assigned when it ended; of a request: its last one.
- **Closed** requests: ended in the period, not cancelled (cancelled ones are counted apart).
  **Resolved remotely**: closed with that outcome; its rate is over every resolved request.
  **First-time fix**: fixed or replaced on site with one visit, no wait for parts, no rework in
  the request and no repeat of it (below); its rate is over the requests fixed on site.
  **Repeat repair**: a request of the same asset and fault reported after an earlier one was
  closed with a repair and before that repair's warranty (`repair_warranty_months` after the day
  it was resolved, that day included) ran out.
- **Loaners**: units issued in the period; loaner-days from issue to return (or to now).
- **Escalations**: raised in the period, by the profile's level or the workflow's own kind.
- **Revisits**: calls due in the period; unreachable rate = unreachable / (done + unreachable);
  satisfaction and attitude means, the share satisfied (4 or 5) and the "not solved" rate are
  over the calls answered.
- **Complaints**: opened in the period; per 100 closed requests of the same group; answered in
  time when answered by their due instant.
- **Backlog**: requests open now, whatever the period, by stage and SLA status, with their age
  since reported. **Engineer load**: open assignments now, and requests closed in the period.
- **What-if**: every request reported in the period, replayed from what happened (severities,
  pauses including the wait for a quote decision, when each clock started and reached its goal)
  under the proposed profile; "recorded" is each clock's outcome as it was.
"""
