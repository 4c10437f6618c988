"""littlehuman: how far synthetic training data can replace human annotation."""
from littlehuman.errors import LittleHumanError

__version__ = "0.1.0"
__all__ = ["LittleHumanError", "__version__"]
