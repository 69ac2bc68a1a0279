"""The scheduler process: jobs declared as data, run by APScheduler."""
