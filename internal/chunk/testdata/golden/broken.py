"""A module with a syntax error in the middle."""

import os


def good(path):
    """good is parsed normally."""
    return os.path.exists(path)


def broken(x):
    total = (x +
    return total


class Survivor:
    """Survivor comes after the error."""

    def method(self):
        return 42
