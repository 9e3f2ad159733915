"""Neural-network building blocks of the engine."""
