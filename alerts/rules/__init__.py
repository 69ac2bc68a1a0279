"""Alert rules as data, their evaluation over the latest indicator results, and the alert
lifecycle (pending → firing → resolved). Pure: results and states in, signals and states out."""
