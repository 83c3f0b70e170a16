//! Azure Service Bus runtime counts for `scalecore run`.
