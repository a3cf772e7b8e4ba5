"""Online payments: one adapter interface (backends.py), an offline default and WeChat Pay API v3.

Not a Django app: no models, no URLs. Billing (webapp/billing) records orders and serves the
notification endpoint; it calls `webapp.payments.backends.get_backend()`. See docs/payments.md.
"""
