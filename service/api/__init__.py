"""HTTP views: each blueprint translates HTTP to core calls and back, nothing more."""
