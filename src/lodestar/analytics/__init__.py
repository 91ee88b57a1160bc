"""Product analytics: event capture, the event store, and the insights read from it."""
