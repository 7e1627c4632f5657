"""Generated, versioned data about Python packages (see README.md here) and its query API (deps)."""
