"""Deployment rules (AML4xx): online and batch deployment settings."""
