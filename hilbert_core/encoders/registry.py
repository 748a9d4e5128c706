"""Name -> factory registries for frozen encoders.

A spec is either an exact name (``logmel``) or ``prefix:argument`` (``hf:facebook/wav2vec2-base``,
``st:/path/to/model``, ``clap:laion/clap-htsat-unfused``). Exact names win over prefixes, and the argument
is everything after the first colon, so Windows paths (``st:C:\\models\\x``) survive.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

F = TypeVar("F", bound=Callable[..., Any])


class Registry:
    """Maps encoder specs to factories.

    Args:
        kind: what is registered, for error messages (``"audio encoder"``).
        flag: the command-line flag that takes a spec, for error messages (``"--audio-encoder"``).
    """

    def __init__(self, kind: str, flag: str) -> None:
        self.kind = kind
        self.flag = flag
        self._names: dict[str, Callable[..., Any]] = {}
        self._prefixes: dict[str, tuple[Callable[..., Any], str]] = {}

    def register(self, name_or_prefix: str, argument_help: str = "<hub id or folder>") -> Callable[[F], F]:
        """Decorator: ``@REG.register("logmel")`` or ``@REG.register("hf:")`` (a trailing colon = prefix).

        A prefix factory is called as ``factory(argument, **kw)``, an exact name as ``factory(**kw)``.
        ``argument_help`` describes the prefix's argument in error messages.
        """
        is_prefix = name_or_prefix.endswith(":")
        key = name_or_prefix[:-1] if is_prefix else name_or_prefix
        if not key or ":" in key:
            raise ValueError(f"{self.kind} name {name_or_prefix!r} is malformed; use 'name' or 'prefix:'.")
        if key in self._names or key in self._prefixes:
            raise ValueError(f"{self.kind} {name_or_prefix!r} is already registered; pick another name.")

        def decorator(factory: F) -> F:
            if is_prefix:
                self._prefixes[key] = (factory, argument_help)
            else:
                self._names[key] = factory
            return factory

        return decorator

    def names(self) -> list[str]:
        """Exact names, then prefixes written as ``prefix:<argument>``."""
        return sorted(self._names) + [f"{p}:{h}" for p, (_, h) in sorted(self._prefixes.items())]

    def parse(self, spec: str) -> tuple[str, str | None]:
        """Split ``spec`` into ``(name or prefix, argument or None)``; raises ValueError when unknown."""
        if not isinstance(spec, str) or not spec.strip():
            raise ValueError(f"{self.kind} spec {spec!r} is empty; choose one of: {', '.join(self.names())}.")
        spec = spec.strip()
        if spec in self._names:
            return spec, None
        prefix, sep, argument = spec.partition(":")
        if sep and prefix in self._prefixes:
            if not argument.strip():
                raise ValueError(
                    f"{self.kind} spec {spec!r} has no argument after '{prefix}:'; "
                    f"write {prefix}:{self._prefixes[prefix][1]}."
                )
            return prefix, argument.strip()
        raise ValueError(
            f"{self.kind} {spec!r} is unknown; allowed names: {', '.join(sorted(self._names))}; "
            f"allowed prefixes: {', '.join(f'{p}:{h}' for p, (_, h) in sorted(self._prefixes.items()))} "
            f"(e.g. {self.flag} {self._example()})."
        )

    def build(self, spec: str, **kw: Any) -> Any:
        """Create the encoder that ``spec`` names; keyword arguments go to its factory."""
        key, argument = self.parse(spec)
        if argument is None:
            return self._names[key](**kw)
        return self._prefixes[key][0](argument, **kw)

    def _example(self) -> str:
        if self._names:
            return sorted(self._names)[0]
        return next(iter(self._prefixes), "name") + ":..."


AUDIO_ENCODERS = Registry("audio encoder", "--audio-encoder")
TEXT_ENCODERS = Registry("text encoder", "--text-encoder")
