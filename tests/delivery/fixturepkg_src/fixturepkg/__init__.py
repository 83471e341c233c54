from .ops import add, scale, which_build

__all__ = ["add", "scale", "which_build"]
