"""延迟毕业 (delayed graduation) records per candidate: stored here, read into every decision input."""
