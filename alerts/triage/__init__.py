"""From the signals the alert rules raise to the few alerts a clinician is told of: multiplicity
control, hierarchy and inhibition, effect size and persistence, and priority, each declared in
`alerts/rules/triage.yaml`. Pure: signals and series in, the alerts to fire and the funnel out."""
