"""Documents the customer sees: the service report (维修单 / 服务报告) as HTML and PDF."""
