"""The curated dataset (YAML), shipped inside the package as ``wbkg.data``; see README and CHANGELOG."""
