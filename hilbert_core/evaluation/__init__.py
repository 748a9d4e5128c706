"""Evaluation: cross-validation (``cv``), metrics, calibration, and the statistics the report uses
(DeLong and Holm in ``stats``, bootstrap intervals in ``bootstrap``).
"""
