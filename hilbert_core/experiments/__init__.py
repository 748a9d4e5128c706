"""Experiments at scale: the run registry (``registry``, ``recording``), sweeps (``sweep_spec``,
``sweep_file``, ``sweep``, ``tasks``), the engines that run them (``engines``, ``engines_ray``),
background jobs (``jobs``, ``job_spec``, ``train_job``, ``curves``) and moving runs between workspaces
(``transfer``).
"""
