"""Files and syntax (AML0xx): unreadable files, YAML/Python syntax, duplicate keys, templates, the JSON schemas."""
