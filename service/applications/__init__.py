"""The graduation application (毕业申请): its state table, checks, reviews, uploads and HTTP API."""
