"""Links between files (AML1xx): paths that do not exist, environment references, environments aml-lint cannot see into."""
