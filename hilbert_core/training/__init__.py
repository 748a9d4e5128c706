"""Training: the stacked-member training engine (``engine``), what is trained for one training set
(``recipe``), the linear probe (``probe``), final models and bundles (``bundle``, ``checkpoint``).
"""
