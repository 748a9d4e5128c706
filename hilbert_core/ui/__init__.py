"""The only package that imports Streamlit: session state, cached wrappers and reusable views."""
