"""毕业生登记表: input rules and the printable two-copy PDF."""
