"""The ``ravine`` command line (Click): commands, shared options, dependency checks."""
