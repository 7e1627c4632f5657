"""Scoring-script rules (AML3xx): the init()/run() contract and what a script does at run time."""
