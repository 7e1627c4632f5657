"""Import rules (AML5xx): what a script imports against what its environment installs."""
