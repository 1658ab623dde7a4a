"""The mediation records over the API, one module per concern: records (per-case), committees,
rewards and inspections; common holds what they share."""
