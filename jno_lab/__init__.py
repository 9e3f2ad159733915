"""jNO Lab: physics-informed neural networks and neural operators in JAX.

`import jno_lab as jno` gives the jNO-compatible engine; the JupyterLab
workbench and the live dashboard live in the `jno_lab.workbench` and
`jno_lab.widgets` subpackages and are imported only when used.
"""

from ._labextension import _jupyter_labextension_paths as _jupyter_labextension_paths
from ._version_info import __version__ as __version__

__all__: list[str] = []
