"""What the Studio's pages use: plain Python in and out, never Streamlit (docs/architecture.md,
"Layers").

One module per page area: ``home``, ``data``, ``interview``, ``train``, ``compare``, ``embeddings``,
``diagnostics``. Pages import them as ``from hilbert_core.service import interview``.
"""
