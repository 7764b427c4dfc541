"""毕业生登记表: input rules, the printable two-copy PDF, and the form of each paid application."""
