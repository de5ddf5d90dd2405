"""Query-processor transactions: snapshot reads, a private notebook, commit via adjudicators."""

from tidesql.txn.transaction import (
    OC000_MESSAGE,
    OC001_MESSAGE,
    Isolation,
    QueryProcessor,
    Status,
    Transaction,
    TransactionLimits,
)

__all__ = [
    "OC000_MESSAGE",
    "OC001_MESSAGE",
    "Isolation",
    "QueryProcessor",
    "Status",
    "Transaction",
    "TransactionLimits",
]
