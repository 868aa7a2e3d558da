"""Contract schedules (合同计划): Temporal Schedules for periodic revisits, visits and
inspections (`temporal`), and a customer's service plan applied to them (`service_plans`)."""
