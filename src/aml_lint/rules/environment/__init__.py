"""Environment rules (AML2xx): conda files, requirements files, Dockerfiles and environment YAMLs."""
