"""The mediation records over the API, one module per concern: records (per-case), committees,
rewards, inspections and the county's reward schedule (settings); common holds what they
share."""
