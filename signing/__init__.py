"""The customer signing page (客户签字): one-time, expiring, signed links and the signed report."""
