"""Demo data. Every installed app may have a `demo` module with `seed(*, password)`."""

from portal.demo.organisation import seed

__all__ = ["seed"]
