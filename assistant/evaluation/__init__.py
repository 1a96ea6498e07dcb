"""Measuring quality and speed (eval, bench, scale): never imported at run time."""
