"""Identity verification (考生身份认证): its state table, the online providers and the workflow."""
