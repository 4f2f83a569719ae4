"""pathways: the documented journey after a relapse of ALL, explained step by step.

General information, not medical advice.
"""

__version__ = "0.1.0"
