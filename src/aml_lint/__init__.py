"""aml-lint: static checks for Azure Machine Learning environments, deployments and scoring scripts."""

__version__ = "0.1.0"
