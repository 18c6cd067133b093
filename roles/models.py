"""roles models."""
