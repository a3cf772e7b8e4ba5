"""Anju's engine: SpiffWorkflow wrapped with durable state, a task table, timers, adapters and audit."""
