"""`kepatuhan build`'s machinery, one job per module: ``plan`` (selection, keys, build state), ``run`` (one
build), ``workers`` (the worker processes), ``kernel`` (the warm kernel) and ``progress``. The command
itself is in kepatuhan_lib/commands.py."""

from .kernel import KERNEL_NAME
from .plan import (RENDERING_MODULES, Digests, available_editions, job_key, library_digest, module_closure,
                   notebook_imports, provenance, select_jobs)
from .progress import ProgressLog
from .run import BuildResult, available_cores, build, exit_code
from .workers import failing_section

__all__ = ["KERNEL_NAME", "RENDERING_MODULES", "BuildResult", "Digests", "ProgressLog", "available_cores",
           "available_editions", "build", "exit_code", "failing_section", "job_key", "library_digest", "module_closure",
           "notebook_imports", "provenance", "select_jobs"]
