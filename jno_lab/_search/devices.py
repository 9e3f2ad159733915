"""Which devices run a sweep's trials (one trial per device at a time)."""

from __future__ import annotations

from typing import Any

import jax


def resolve_devices(spec: Any = None) -> list[Any]:
    """The devices named by `spec`.

    Args:
        spec: None (every device of the default backend), an int n (the first n),
            a platform name ("cpu", "gpu", "tpu"), a list of device indices, or a
            list of `jax.Device`s.

    Returns:
        A non-empty list of devices.

    Raises:
        ValueError: for a count or an index out of range, or a platform without devices.
        TypeError: for anything else.

    Example:
        >>> import jax
        >>> resolve_devices(1) == jax.devices()[:1]
        True
    """
    available = jax.devices()
    if spec is None:
        return list(available)
    if isinstance(spec, bool):
        raise TypeError(f"devices= must be None, an int, a platform name or a list, got {spec!r}")
    if isinstance(spec, int):
        if not 1 <= spec <= len(available):
            raise ValueError(
                f"devices={spec}: choose between 1 and the {len(available)} available device(s)"
            )
        return list(available[:spec])
    if isinstance(spec, str):
        try:
            found = jax.devices(spec)
        except RuntimeError as err:
            raise ValueError(f"devices={spec!r}: no such devices here ({err})") from None
        if not found:
            raise ValueError(f"devices={spec!r}: no such devices here")
        return list(found)
    if isinstance(spec, list | tuple):
        if not spec:
            raise ValueError("devices=[]: give at least one device")
        out = []
        for item in spec:
            if isinstance(item, int) and not isinstance(item, bool):
                if not 0 <= item < len(available):
                    raise ValueError(
                        f"device index {item} is out of range: there are {len(available)} "
                        f"device(s) ({', '.join(describe_device(d) for d in available)})"
                    )
                out.append(available[item])
            elif isinstance(item, jax.Device):
                out.append(item)
            else:
                raise TypeError(f"devices= list items must be indices or devices, got {item!r}")
        if len({id(d) for d in out}) != len(out):
            raise ValueError(f"devices={list(spec)!r} names a device twice")
        return out
    raise TypeError(f"devices= must be None, an int, a platform name or a list, got {spec!r}")


def describe_device(device: Any) -> str:
    """`platform:id`, e.g. `cpu:0`."""
    return f"{device.platform}:{device.id}"
