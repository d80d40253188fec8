"""View models: display rules in plain Python (no Streamlit), shared by pages, CLI and report."""
