"""Where JupyterLab finds the prebuilt frontend extension of this package."""


def _jupyter_labextension_paths() -> list[dict[str, str]]:
    """Return the prebuilt extension's source folder and install name.

    Used by `jupyter labextension develop`; an installed wheel ships the same
    folder as shared data under `share/jupyter/labextensions/jno-lab`.
    """
    return [{"src": "../labextension", "dest": "jno-lab"}]
