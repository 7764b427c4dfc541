"""Reference data kept as YAML (districts, business windows, fees) and the service clock."""
