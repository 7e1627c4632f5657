"""Job rules (AML6xx): command, sweep and pipeline jobs and command components."""
