"""Key performance indicators (KPI, 考核指标): what the clocks, repairs, loans, revisits and
complaints of a period add up to. Definitions are in `kpi.definitions`."""
