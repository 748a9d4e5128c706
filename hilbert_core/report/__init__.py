"""The paper's tables from a registry: rows from finished runs (``results``), the AUC and ablation
tables (``tables``), paired comparisons (``paired``) and CSV / Markdown / LaTeX export (``export``).
"""
