"""Package discovery: every mockcdr.* package, plus the top-level openapi/ and fixtures/ folders."""
from setuptools import find_packages, setup

setup(packages=find_packages(include=["mockcdr", "mockcdr.*"]) + ["mockcdr.openapi", "mockcdr.fixtures"])
