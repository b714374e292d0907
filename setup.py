"""Build of the optional C extension; everything else is declared in pyproject.toml.

The extension is the fast path of the 837 batch reader (``cleanclaim.standards.x12.fast837``).
It is optional: when it cannot be built the package installs without it and reads through the
Python path.
"""

from setuptools import Extension, setup

setup(
    ext_modules=[
        Extension(
            "cleanclaim.standards.x12._fast837",
            sources=["src/cleanclaim/standards/x12/_fast837.c"],
            optional=True,
            extra_compile_args=["-O2", "-std=c99"],
        )
    ]
)
