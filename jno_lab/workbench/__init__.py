"""The workbench layer: what the JupyterLab workbench drives inside the kernel."""
