"""tidesql: a distributed SQL database with strongly consistent reads from any replica."""

__version__ = "0.1.0"
