"""The kernel's JAX devices, as the `devices` request answers them."""

from __future__ import annotations

from typing import Any


def devices_info() -> dict[str, Any]:
    """The kernel's JAX devices: `{"devices": [{platform, id, kind, process_index}], ...}`.

    Example:
        >>> info = devices_info()
        >>> len(info["devices"]) >= 1, info["process_count"]
        (True, 1)
    """
    import jax

    devices = [
        {
            "platform": str(d.platform),
            "id": int(d.id),
            "kind": str(d.device_kind),
            "process_index": int(d.process_index),
        }
        for d in jax.devices()
    ]
    return {
        "devices": devices,
        "backend": str(jax.default_backend()),
        "process_count": int(jax.process_count()),
    }
